import { sql } from 'drizzle-orm';
import { chinaText } from '../../clock.ts';
import { queryRows } from '../../../drizzle/client.ts';
import { mayPricePlanLine } from '../../auth/policy.ts';
import { policyLookupsThrough } from '../../auth/lookups.ts';
import type { ServiceContext } from '../../context.ts';
import { getPlanInScope, plannedLines, writtenApprovalOf, type PlanView } from '../../dispatch/plans.ts';
import { arrivalOf, receivedOf } from '../../dispatch/arrival.ts';
import { BASIC_NEEDS_HOURS, hoursBetween, lineMeetsBasicNeedsTarget, type LineArrival } from '../../relief/deadlines.ts';
import { createLoaders } from '../../loaders.ts';
import { formatFen, toFen } from '../../money.ts';
import { amountInWords } from '../amount-in-words.ts';
import { batchLabels, itemLabels, storeNames } from '../reports/lookups.ts';
import { PLAN_STATUS_NAMES } from '../names.ts';
import { bureauOf } from './bureau.ts';
import { SIGNATURES, type Printable } from './printable.ts';
import { uuidList } from '../../../drizzle/uuid-list.ts';
import { userNameAt } from '../../users/names.ts';

const SOURCE: Record<string, string> = { AGREEMENT: '协议储备', CAPACITY: '产能储备' };

/** A time as the 调拨令 prints it (its 日期, the emergency approval's written approval). */
const timeText = (at: Date) => chinaText(at, 'yyyy-LL-dd HH:mm');

/** The printed number of a plan (plans are identified by id): DL-<day requested>-<first 8 characters of the id>. */
export const planNumber = (id: string, requestedAt: Date) => `DL-${chinaText(requestedAt, 'yyyyLLdd')}-${id.slice(0, 8).toUpperCase()}`;

/** What the reader may not see of a line: its batch, unit price and amount (D20, finding H2). */
const HIDDEN = '—';

/** D25: what a line needing another jurisdiction's consent says of it (a refused one is not among the lines). */
const CONSENT_WORDS: Record<'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN', string> = {
  PENDING: '待对方辖区同意，同意前不调运',
  APPROVED: '对方辖区已同意',
  REJECTED: '对方辖区不同意调用，不调运',
  WITHDRAWN: '跨区域调用请求已随方案撤回（对方辖区未答复），未调运',
};

/**
 * 调拨令 (D14): a persisted dispatch plan as printed for signature, for those who may see its incident.
 *
 * D20 (finding H2): another jurisdiction's reserve is shown to the reader as quantity per store (or company) and item —
 * no batch, unit price or amount: the policy's mayPricePlanLine (a store line where DispatchPlanLine.batch is shown, an
 * agreement or capacity line where its agreement may be read), by which the plan's approvals are valued too. The total
 * amount (and its 大写) counts the lines shown only — a total over every line would give the hidden amounts away by
 * subtraction — and the page says so.
 *
 * D16, D17 (sweep 12c C9): as the API's plan, the page flags each line that arrives after the 时限 (meetsDeadline false:
 * 超时, with its hours, at the head and on the line), prints each line's reason (the source's response or production
 * time and distance) and lists the shortages — what the plan cannot bring — in a 缺口 table of their own.
 *
 * D25 (sweep 13b #10): as the API's plan (plannedLines), a line whose jurisdiction refused its consent is not planned —
 * the 调拨令 is what stores and drivers act on, so it is not listed among the lines nor counted in the 合计 (a fact names
 * it, 未获同意); a line still waiting for consent is listed, marked 待对方辖区同意 (nothing of it moves before).
 *
 * D14, D24 (sweep 25c F9): the plan's course as the API has it (requestedAt, approvedAt, executedAt, completedAt) — who
 * approved it and when, with the approval's 文号 (the journal's 批准文号 of its shipments), who executed it and when, when
 * it was completed. Sweep 25c F3 (README: a rejected document names its 驳回人 and 驳回理由): a plan rejected by its
 * approver says so — who (named as at the act), when, why; one withdrawn by its requester (or cancelled by another
 * dispatcher) says who, when and why (planEnd).
 *
 * D28 (sweep 25c F10): each line's arrival and hours since the disaster, and the 灾后超时 verdict, are the API's
 * (DispatchPlanLine.arrivesAt, hoursSinceIncident, meetsBasicNeedsTarget: arrivalsOf) — a received line by its
 * receipt's time, one not yet received labelled 预计.
 */
export async function printablePlan(ctx: ServiceContext, id: string): Promise<Printable> {
  const plan = await getPlanInScope(ctx.db, ctx.actor, id, 'id');
  const row = plan.row!;
  const [incident] = await queryRows<{
    name: string;
    occurred_at: string;
    requested_by: string;
    approved_by: string | null;
    executed_by: string | null;
  }>(
    ctx.db,
    sql`SELECT i.name, i.occurred_at, ${userNameAt(sql`rq.id`, sql`${row.requestedAt.toISOString()}::timestamptz`, sql`rq.display_name`)} AS requested_by,
               ${row.approvedAt ? userNameAt(sql`ap.id`, sql`${row.approvedAt.toISOString()}::timestamptz`, sql`ap.display_name`) : sql`ap.display_name`} AS approved_by,
               ${row.executedAt ? userNameAt(sql`ex.id`, sql`${row.executedAt.toISOString()}::timestamptz`, sql`ex.display_name`) : sql`ex.display_name`} AS executed_by
          FROM incidents i JOIN users rq ON rq.id = ${row.requestedBy}::uuid
          LEFT JOIN users ap ON ap.id = ${row.approvedBy}::uuid
          LEFT JOIN users ex ON ex.id = ${row.executedBy}::uuid
         WHERE i.id = ${plan.incidentId}::uuid`,
  );
  const written = row.emergency ? await writtenApprovalFact(ctx, plan.id!, row) : null;
  const approval = await planApprovalOf(ctx, plan.id!);
  const ended = row.status === 'CANCELLED' ? await planEnd(ctx, row, approval) : null;
  const agreementIds = [...new Set(plan.lines.flatMap((l) => (l.agreementId ? [l.agreementId] : [])))];
  const [stores, batches, items, agreements] = await Promise.all([
    storeNames(
      ctx.db,
      plan.lines.flatMap((l) => (l.storeId ? [l.storeId] : [])),
    ),
    batchLabels(
      ctx.db,
      plan.lines.flatMap((l) => (l.batchId ? [l.batchId] : [])),
    ),
    itemLabels(
      ctx.db,
      [...plan.lines, ...plan.shortages].map((l) => l.itemId),
    ),
    agreementIds.length
      ? queryRows<{ agreement_id: string; item_id: string; company: string; region_code: string; unit_price: string | null }>(
          ctx.db,
          sql`SELECT l.agreement_id::text, l.item_id::text, o.name AS company, a.region_code, l.unit_price::text
                FROM agreement_lines l JOIN agreements a ON a.id = l.agreement_id JOIN organizations o ON o.id = a.company_org_id
               WHERE l.agreement_id IN (${uuidList(agreementIds)})`,
        )
      : [],
  ]);
  const loaders = createLoaders(ctx.db);
  const lookups = policyLookupsThrough(loaders);
  const planned = plannedLines(plan.lines);
  const refused = plan.lines.filter((l) => !planned.includes(l));
  const lines = await Promise.all(
    planned.map(async (l) => {
      const agreement = agreements.find((a) => a.agreement_id === l.agreementId && a.item_id === l.itemId);
      const price = l.batchId ? batches.get(l.batchId)!.unitPrice : (agreement?.unit_price ?? '0.00');
      const shown = await mayPricePlanLine(ctx.actor, l, agreement ? { regionCode: agreement.region_code } : null, lookups);
      return { l, item: items.get(l.itemId)!, price: formatFen(toFen(price)), amount: toFen(price) * BigInt(l.quantity), agreement, shown };
    }),
  );
  const hidden = lines.filter((x) => !x.shown);
  const late = planned.filter((l) => !l.meetsDeadline);
  const sourceName = (l: (typeof plan.lines)[number]) =>
    l.storeId ? stores.get(l.storeId)! : `${SOURCE[l.sourceKind]}：${agreements.find((a) => a.agreement_id === l.agreementId)?.company ?? ''}`;
  const refusedFact = refused
    .map((l) => {
      const item = items.get(l.itemId)!;
      return `第 ${l.lineNo} 行（${sourceName(l)} ${item.name} ${l.quantity} ${item.unit}）`;
    })
    .join('；');
  const lateFact = `${late.map((l) => `第 ${l.lineNo} 行预计 ${l.etaHours} 小时到达`).join('；')}，超出 ${row.deadlineHours} 小时时限`;
  // D28 (sweep 14c LOW-4, sweep 25c F10): the disaster's clock, apart from the order's 时限 — each line's arrival as the
  // API gives it (received: the receipt's time; else planned, 预计), flagged where the API's meetsBasicNeedsTarget is false.
  // A cancelled plan moves nothing: no arrival, no verdict.
  const occurredAt = new Date(incident.occurred_at);
  const arrivals = row.status === 'CANCELLED' ? null : await arrivalsOf(ctx, plan, loaders, planned);
  const arrivalOfLine = (l: (typeof planned)[number]) => arrivals?.get(l.lineNo) ?? null;
  const afterTarget = planned.filter((l) => {
    const a = arrivalOfLine(l);
    return a !== null && !lineMeetsBasicNeedsTarget(a.arrival, occurredAt);
  });
  const afterTargetFact = `${afterTarget
    .map((l) => {
      const { arrival, received } = arrivalOfLine(l)!;
      const hours = hoursBetween(occurredAt, arrival.at);
      if (!arrival.complete) return `第 ${l.lineNo} 行未到齐（已到 ${received}，共 ${l.quantity}）`;
      return `第 ${l.lineNo} 行${arrival.received ? '' : '预计'}灾后 ${hours} 小时到达`;
    })
    .join('；')}，未能在灾后 ${BASIC_NEEDS_HOURS} 小时基本生活保障时限内全部到达`;
  const arrivalCell = (l: (typeof planned)[number]) => {
    const a = arrivalOfLine(l);
    return a ? arrivalWords(a.arrival, a.received, l.quantity, hoursBetween(occurredAt, a.arrival.at)) : HIDDEN;
  };
  const approvalRef = row.emergency ? null : ((approval?.status === 'APPROVED' ? approval.approval_ref : null) ?? row.writtenApprovalRef);
  const destinationName = (idx: number) => plan.destinations.find((d) => d.idx === idx)?.name ?? '';
  const total = formatFen(lines.reduce((s, x) => s + (x.shown ? x.amount : 0n), 0n));
  return {
    title: '调拨令',
    // The bureau whose order it is: the plan's jurisdiction (a city's plan for a county's incident is the city's), as
    // fixed at its request — not where its requester is now (D15, D25, sweep 19c F5).
    bureau: await bureauOf(ctx.db, row.jurisdictionCode),
    number: planNumber(row.id, row.requestedAt),
    date: chinaText(row.requestedAt, 'yyyy-LL-dd HH:mm'),
    facts: [
      ['事件', incident.name],
      ['状态', ended?.status ? `${PLAN_STATUS_NAMES[row.status]}（${ended.status}）` : (PLAN_STATUS_NAMES[row.status] ?? row.status)],
      ['申请人', incident.requested_by],
      // Sweep 25c F9: when it was approved, and the approval's 文号 (the journal's 批准文号 on its shipments); a rejected
      // plan names its 驳回人 instead (F3).
      ...(ended?.rejected
        ? []
        : [['批准人', incident.approved_by && row.approvedAt ? `${incident.approved_by} ${timeText(row.approvedAt)}` : '—'] as [string, string]]),
      ...(approvalRef ? [['批准文号', approvalRef] as [string, string]] : []),
      // D14: due 48 h after execution — before it, the print says so (approvalDueAt is null until executed).
      ...(written ? [['紧急调拨', written] as [string, string]] : []),
      ...(ended?.facts ?? []),
      ...(row.executedAt ? [['执行', `${incident.executed_by ?? '—'} ${timeText(row.executedAt)}`] as [string, string]] : []),
      ...(row.status === 'COMPLETED' && row.completedAt ? [['完成', timeText(row.completedAt)] as [string, string]] : []),
      ...(row.status === 'COMPLETED' && row.cancelReason ? [['提前结束', row.cancelReason] as [string, string]] : []),
      ['时限', `${row.deadlineHours} 小时`],
      ...(late.length ? [['超时', lateFact] as [string, string]] : []),
      ...(afterTarget.length ? [['灾后超时', afterTargetFact] as [string, string]] : []),
      ...(refused.length ? [['未获同意', `${refusedFact}：对方辖区不同意调用，不调运，不列入本调拨令及合计`] as [string, string]] : []),
      ...(plan.shortages.length ? [['缺口', `${plan.shortages.length} 项需求未能足额安排，见缺口表`] as [string, string]] : []),
      ...(hidden.length
        ? [
            [
              '外地储备',
              `第 ${hidden.map((x) => x.l.lineNo).join('、')} 行调用外地储备，按数量调用，不列批号、单价和金额；合计金额不含这 ${hidden.length} 行`,
            ] as [string, string],
          ]
        : []),
    ],
    headings: [
      '序号',
      '调入地点（安置点）',
      '物资',
      '规格',
      '单位',
      '调出仓库/来源',
      '批号',
      '数量',
      '单价（元）',
      '金额（元）',
      '到达（灾后小时数）',
      '预计到达（小时）',
      '说明',
    ],
    numeric: [7, 8, 9, 11],
    lines: lines.map((x) => ({
      cells: [
        x.l.lineNo,
        destinationName(x.l.destinationIdx),
        x.item.name,
        x.item.spec,
        x.item.unit,
        sourceName(x.l),
        x.l.batchId ? (x.shown ? batches.get(x.l.batchId)!.batchNo : HIDDEN) : null,
        x.l.quantity,
        x.shown ? x.price : HIDDEN,
        x.shown ? formatFen(x.amount) : HIDDEN,
        // D28 (sweep 25c F10): when it arrived (or is to arrive, 预计) and the hours since the disaster, as the API's line.
        arrivalCell(x.l),
        // As the API gives it (2 places): the figure meetsDeadline was judged on (sweep 10c F2) — rounded to one place,
        // a line due at 10.04 h would read 10 and be flagged 超时 against a 10-hour 时限.
        x.l.etaHours,
        // D25: a line waiting for the other jurisdiction's consent is not to be moved yet; one consented to says so; one
        // whose request closed with its plan (sweep 25c F2) was never answered — not a refusal, and nothing moved.
        [x.l.needsConsent ? CONSENT_WORDS[x.l.consent ?? 'PENDING'] : null, x.l.meetsDeadline ? x.l.reason : ['超时', x.l.reason].filter(Boolean).join('：')]
          .filter(Boolean)
          .join('；'),
      ],
    })),
    totalQuantity: lines.reduce((s, x) => s + x.l.quantity, 0),
    total,
    totalInWords: amountInWords(total),
    sections: plan.shortages.length
      ? [
          {
            title: '缺口',
            headings: ['调入地点（安置点）', '物资', '规格', '单位', '需求', '已安排', '缺口'],
            numeric: [4, 5, 6],
            lines: plan.shortages.map((s) => {
              const item = items.get(s.itemId)!;
              return { cells: [destinationName(s.destinationIdx), item.name, item.spec, item.unit, s.requested, s.planned, s.missing] };
            }),
          },
        ]
      : [],
    signatures: SIGNATURES,
    recorded: `${incident.requested_by} 申请于 ${chinaText(row.requestedAt, 'yyyy-LL-dd HH:mm')}`,
  };
}

/** Each planned line's arrival and what its 安置点 received (server/dispatch/arrival.ts: the API's plan lines' rule). */
async function arrivalsOf(
  ctx: ServiceContext,
  plan: PlanView,
  loaders: ReturnType<typeof createLoaders>,
  planned: readonly PlanView['lines'][number][],
): Promise<Map<number, { arrival: LineArrival; received: number }>> {
  const now = ctx.clock.now().toJSDate();
  return new Map(
    await Promise.all(
      planned.map(async (l) => [l.lineNo, { arrival: await arrivalOf(plan, l, loaders, now), received: await receivedOf(plan, l, loaders) }] as const),
    ),
  );
}

/**
 * A line's arrival in words (D28, sweep 25c F10): received — the receipt's time, 已到达; received short with nothing more
 * on its way — how much, and the last receipt; not yet received — 预计, when it left + ETA (before execution: now + ETA);
 * nothing on its way (its shipment cancelled) — not arriving. Each with its hours since the disaster, as the API's.
 */
function arrivalWords(arrival: LineArrival, received: number, quantity: number, hours: number): string {
  const since = `灾后 ${hours} 小时`;
  if (arrival.received && arrival.complete) return `${timeText(arrival.at)} 已到达（${since}）`;
  if (arrival.received) return `已到 ${received}，共 ${quantity}，其余不在途中（最后到达 ${timeText(arrival.at)}，${since}）`;
  if (!arrival.arriving) return `已到 ${received}，共 ${quantity}，不在途中，需补发`;
  return `预计 ${timeText(arrival.at)}（${since}）${arrival.complete ? '' : `；已到 ${received}，共 ${quantity}，部分不在途中`}`;
}

/**
 * Sweep 25c F9: the plan's approval (DISPATCH_PLAN), the latest: decided APPROVED — its 文号, as the journal's 批准文号
 * (decidingApprovalSql) prints it on the plan's shipments; REJECTED and not withdrawn — the approver's refusal (F3).
 */
async function planApprovalOf(ctx: ServiceContext, planId: string) {
  const [row] = await queryRows<{
    status: string;
    decided_at: string | null;
    approval_ref: string | null;
    reason: string | null;
    withdrawn: boolean;
    decided_by: string | null;
  }>(
    ctx.db,
    sql`SELECT a.status::text AS status, a.decided_at, a.approval_ref, a.reason,
               COALESCE(a.payload->>'withdrawn', 'false') = 'true' AS withdrawn,
               CASE WHEN a.decided_by IS NOT NULL THEN ${userNameAt(sql`a.decided_by`, sql`a.decided_at`)} END AS decided_by
          FROM approvals a
         WHERE a.subject_id = ${planId}::uuid AND a.kind = 'DISPATCH_PLAN'
         ORDER BY a.requested_at DESC LIMIT 1`,
  );
  return row ?? null;
}

/** The prefix rejectPlanInTx puts before the approver's reason in the plan's cancelReason. */
const REJECTED_PREFIX = '审批驳回：';

/**
 * Sweep 25c F3 (README: a rejected document names its 驳回人 and 驳回理由): how a cancelled plan ended —
 * - rejected by its approver (its DISPATCH_PLAN approval REJECTED, not withdrawn with the plan): 驳回人 (named as at the
 *   act, userNameAt), the time, and 驳回理由 (the approval's reason; the plan's cancelReason says it after 审批驳回：);
 * - withdrawn by its requester (cancelDispatchPlan): 撤回, who, when, and 撤回理由; cancelled by another dispatcher:
 *   取消, who, when, 取消理由. Who cancelled is the audit row of the committed cancelDispatchPlan (D22: who, when) —
 *   the plan keeps the time and reason only.
 */
async function planEnd(
  ctx: ServiceContext,
  row: { id: string; requestedBy: string; cancelledAt: Date | null; cancelReason: string | null },
  approval: Awaited<ReturnType<typeof planApprovalOf>>,
): Promise<{ status: string | null; rejected: boolean; facts: [string, string][] }> {
  const at = row.cancelledAt ? ` ${timeText(row.cancelledAt)}` : '';
  if (approval?.status === 'REJECTED' && !approval.withdrawn) {
    const reason = approval.reason ?? row.cancelReason?.replace(REJECTED_PREFIX, '') ?? null;
    const by = `${approval.decided_by ?? '—'} ${timeText(new Date(approval.decided_at!))}`;
    return { status: '审批驳回', rejected: true, facts: [['驳回人', by], ...(reason ? [['驳回理由', reason] as [string, string]] : [])] };
  }
  const [actor] = await queryRows<{ user_id: string; name: string }>(
    ctx.db,
    sql`SELECT al.user_id::text AS user_id, ${userNameAt(sql`al.user_id`, row.cancelledAt ? sql`${row.cancelledAt.toISOString()}::timestamptz` : sql`al.at`)} AS name
          FROM audit_log al
         WHERE al.operation = 'cancelDispatchPlan' AND al.outcome = 'OK' AND al.user_id IS NOT NULL AND al.input->>'planId' = ${row.id}
         ORDER BY al.at LIMIT 1`,
  );
  const withdrawn = actor?.user_id === row.requestedBy;
  const [label, reasonLabel] = withdrawn ? ['撤回', '撤回理由'] : ['取消', '取消理由'];
  return {
    status: withdrawn ? '申请人撤回' : null,
    rejected: false,
    facts: [[label, `${actor?.name ?? '—'}${at}`], ...(row.cancelReason ? [[reasonLabel, row.cancelReason] as [string, string]] : [])],
  };
}

/**
 * D14, D24 (sweep 14c LOW-4): an emergency plan's written approval as it stands — recorded (by whom, when, 文号), rejected
 * (by whom, why; still owed by its due time), or owed — not "须于 … 前补办" after it was recorded.
 */
async function writtenApprovalFact(
  ctx: ServiceContext,
  planId: string,
  row: { approvalDueAt: Date | null; writtenApprovedAt: Date | null; writtenApprovalRef: string | null },
) {
  const last = await writtenApprovalOf(ctx.db, planId);
  const [decider] = last?.decidedBy
    ? await queryRows<{ name: string }>(
        ctx.db,
        sql`SELECT ${userNameAt(sql`${last.decidedBy}::uuid`, last.decidedAt ? sql`${last.decidedAt.toISOString()}::timestamptz` : sql`now()`)} AS name`,
      )
    : [];
  const due = row.approvalDueAt ? `须于 ${chinaText(row.approvalDueAt, 'yyyy-LL-dd HH:mm')} 前补办` : '须于执行后 48 小时内补办';
  if (row.writtenApprovedAt) {
    const by = decider && last?.status === 'APPROVED' ? `${decider.name}，` : '';
    return `先调拨后补手续，书面审批已补办（${by}${chinaText(row.writtenApprovedAt, 'yyyy-LL-dd HH:mm')}，文号 ${row.writtenApprovalRef ?? '—'}）`;
  }
  if (last?.status === 'REJECTED') return `先调拨后补手续，书面审批已被驳回（${decider?.name ?? '—'}：${last.reason ?? '—'}），${due}`;
  return `先调拨后补手续，书面审批${due}`;
}
