import { graphql, type ResultOf } from '../graphql/graphql';
import { labelOf, RECEIPT_SOURCE } from '../common/labels';

// D18 全程追溯: the trace of a batch as the API gives it (movements at stores in the user's scope, D29 distributions at
// the 安置点), and what the page makes of each movement: where the stock came from or went, and what was left.

export const BatchTraceQuery = graphql(`
  query BatchTrace($batchId: ID!) {
    batchTrace(batchId: $batchId) {
      batch {
        id
        batchNo
        productionDate
        expiryDate
        rotateBy
        expired
        unitPrice
        fundingSource
        reserveMode
        origin
        receivedAt
        item {
          name
          spec
          unit
        }
        owner {
          name
        }
        supplier {
          name
        }
      }
      receivedQuantity
      issuedQuantity
      householdsReached
      holdings {
        store {
          id
          name
        }
        onHand
        inTransit
      }
      movements {
        id
        occurredAt
        type
        bucket
        quantity
        reason {
          name
        }
        actor {
          displayName
        }
        store {
          id
          name
          kind
        }
        document {
          id
          number
          status
          note
          approval {
            status
            approvalRef
            decidedBy {
              displayName
            }
          }
          recipient
          source
          sourceOrganization {
            name
          }
          store {
            id
            name
          }
          counterpartStore {
            id
            name
          }
          reverses {
            number
          }
          reversedBy {
            number
            type
          }
        }
      }
      distributions {
        store {
          id
        }
        distributedAt
        quantity
        householdSize
        status
        distribution {
          id
          household {
            headName
          }
        }
      }
    }
  }
`);

export type BatchTrace = ResultOf<typeof BatchTraceQuery>['batchTrace'];
export type TraceMovement = BatchTrace['movements'][number];
type TraceDistribution = BatchTrace['distributions'][number];

/** A movement with the balance its store (on hand, or in transit to it) was left with. */
export type TraceRow = TraceMovement & { balance: number };

/** Running balances per store and bucket, in the API's order (time, then ledger order). */
export function withBalances(movements: readonly TraceMovement[]): TraceRow[] {
  const balances = new Map<string, number>();
  return movements.map((m) => {
    const key = `${m.store.id}|${m.bucket}`;
    const balance = (balances.get(key) ?? 0) + m.quantity;
    balances.set(key, balance);
    return { ...m, balance };
  });
}

const timeKey = (storeId: string, at: string) => `${storeId}|${Date.parse(at)}`;

/**
 * D29: the household each distribution's issue reached. Who it was comes only to roles that may see it (not auditors);
 * for them the issue is matched by its 安置点 and time, which a distribution shares with its issue.
 */
export function distributionsByIssue(distributions: readonly TraceDistribution[]): (m: TraceMovement) => TraceDistribution | undefined {
  const byKey = new Map<string, TraceDistribution>();
  for (const d of distributions) {
    if (d.distribution) byKey.set(d.distribution.id, d);
    byKey.set(timeKey(d.store.id, d.distributedAt), d);
  }
  return (m) => (m.type === 'ISSUE' ? (byKey.get(m.document.id) ?? byKey.get(timeKey(m.store.id, m.occurredAt))) : undefined);
}

/** Where the stock of this movement came from or went, in words. */
export function whereabouts(m: TraceMovement, household: TraceDistribution | undefined): string {
  const d = m.document;
  const reason = m.reason ? `：${m.reason.name}` : '';
  const inTransit = m.bucket === 'IN_TRANSIT';
  switch (m.type) {
    case 'RECEIPT':
      // D7: a donation may come from an unknown donor.
      return ['来源', labelOf(RECEIPT_SOURCE, d.source), d.sourceOrganization?.name ?? (d.source === 'DONATION' ? '捐赠方未填' : null)]
        .filter(Boolean)
        .join(' · ');
    case 'ISSUE':
      if (household) {
        const who = household.distribution ? `${household.distribution.household.headName} 户` : '1 户';
        // D22 (sweep 23b F5): a distribution reversed since is still shown, marked — it reached no one.
        return `发放到户：${who}（${household.householdSize} 人）${household.status === 'REVERSED' ? '，已冲销' : ''}`;
      }
      return d.recipient ? `领用：${d.recipient}` : `出库${reason}`;
    case 'TRANSFER_OUT': {
      // D22 (sweep 24c F2): a shipment its transfer's cancel undid says so, and by which 调拨撤销单.
      const cancelled = d.reversedBy?.type === 'TRANSFER_CANCEL' ? `（已被 ${d.reversedBy.number} 撤销）` : '';
      return (inTransit ? `在途：自 ${d.store?.name ?? '—'} 调来` : `调往 ${d.counterpartStore?.name ?? '—'}`) + cancelled;
    }
    case 'TRANSFER_IN':
      if (inTransit) return m.reason ? `在途短少${reason}` : '到货，转入在库';
      return `收货：自 ${d.counterpartStore?.name ?? '—'}`;
    case 'TRANSFER_CANCEL': {
      const undoes = d.reverses ? `（撤销 ${d.reverses.number}）` : '';
      return (
        (inTransit ? `调拨撤销，退回 ${d.store?.name ?? '—'}` : `调拨撤销：自 ${d.counterpartStore?.name ?? '—'} 退回`) + undoes + (d.note ? `：${d.note}` : '')
      );
    }
    case 'RECOVERY':
      return m.quantity < 0 ? `回收至 ${d.counterpartStore?.name ?? '—'}` : `回收入库：自 ${d.store?.name ?? '—'}`;
    case 'ROTATION':
      return m.quantity < 0 ? `轮换出库${d.recipient ? `：${d.recipient}` : ''}` : '轮换入库（新批次）';
    case 'SCRAP':
      return `报废${reason}`;
    case 'WRITE_OFF':
      return `核销${reason}`;
    case 'STOCKTAKE':
      return `${m.quantity < 0 ? '盘亏' : '盘盈'}${reason}`;
    case 'REVERSAL':
      // D22 (sweep 23b F6): with the reversal's reason (its 备注), as the journal cites it.
      return [`冲销 ${d.reverses?.number ?? ''}`.trim(), d.note].filter(Boolean).join('：');
  }
}

/**
 * Who approved the movement's document (D23, D24, D27): the approver of its approval — its own (a write-off, scrap,
 * stocktake or reversal) or its order's or plan's — with the 批准文号, where the API lets the reader see it; else none.
 */
export function approverOf(m: TraceMovement): string | null {
  const a = m.document.approval;
  if (a?.status !== 'APPROVED' || !a.decidedBy) return null;
  return a.approvalRef ? `${a.decidedBy.displayName}（${a.approvalRef}）` : a.decidedBy.displayName;
}
