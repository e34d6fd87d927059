import type { SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../drizzle/client.ts';
import { badInput, notFound } from '../errors.ts';
import { uuidArg, validate, idSchema } from '../validation.ts';
import {
  assertBatchesMatchItems,
  batchesFor,
  idempotencyKeySchema,
  itemsFor,
  occurredAtOf,
  quantitySchema,
  quantityText,
  reasonFor,
  storeForPosting,
} from './common.ts';
import { insufficientStock, lockBalances, postDocument, type LineDraft, type LockedBalance, type MovementDraft } from './posting.ts';
import { allocateFefo, fefoOrder, type FefoCandidate } from './rules.ts';
import { pickUnexpiredAt } from './expiry.ts';
import type { ServiceContext } from '../context.ts';
import { assertIncidentOpen, referencedIncident } from '../dispatch/incidents.ts';
import { notHeldRefusal, type HeldSince } from './backdating.ts';
import {
  assertLeavesWithoutOrder,
  assertReasonFitsOrder,
  consumeOrder,
  executableOrder,
  orderConsumption,
  orderForExecution,
  type OrderRow,
} from '../authority/orders.ts';
import { pendingDecrease, requestDocumentApproval } from '../authority/pending.ts';
import { openSettlementsOfIssue } from '../authority/settlements.ts';
import { policyLookupsThrough } from '../auth/lookups.ts';
import { createLoaders } from '../loaders.ts';
import { approvedRecipient } from '../authority/approved-recipient.ts';

export interface OutboundLine {
  itemId: string;
  quantity: number;
  batchId?: string | null;
  /**
   * The input rows (0-based, ascending) this line stands for, when the caller merged several into it (executableOrder:
   * the lines of one batch, or of one item, executed against an order); its own index when absent.
   */
  rows?: readonly number[];
}

export interface Pick {
  itemId: string;
  batchId: string;
  quantity: number;
  unitPrice: string;
  /** The input line it serves (0-based): a line may be split across batches, and named batches are picked first. */
  line: number;
}

/**
 * D8, D21: the FEFO bound of an outbound dated `at`, in the past (pickUnexpiredAt): per batch of the store moved after
 * `at`, what it held from then to now (heldSince; a batch not in `held` holds now what it held then). `items` names the
 * lines' items in a refusal; `namesBatch` says whether the input can name a batch (a relief distribution cannot).
 */
export interface HeldAt {
  at: Date;
  held: Map<string, HeldSince>;
  items: Map<string, { name: string; unit: string }>;
  namesBatch: boolean;
}

/** The input rows (0-based) line `i` stands for (OutboundLine.rows). */
export const rowsOf = (line: OutboundLine, i: number): readonly number[] => line.rows ?? [i];
/** The input row a refusal of line `i` points at: the last of the rows it stands for. */
export const lastRowOf = (line: OutboundLine, i: number): number => rowsOf(line, i).at(-1)!;
const rowNames = (rows: readonly number[]) => `第 ${rows.map((r) => r + 1).join('、')} 行`;

/**
 * Picks the batches that leave a store: named batches as given, the rest first-expiry-first-out (D8),
 * splitting a line across batches. `locked` holds the store's balance rows, locked. For a backdated post (`heldAt`),
 * FEFO chooses among the batches on hand at its date, each taken no further than it held since (D21); a named batch
 * is taken as named, and assertHeldSince judges it. Each pick's `line` is the input row it serves (lastRowOf).
 * Sweep 21c F8: rows that name one batch (or, naming none, one item) are short together — the refusal names them all,
 * with their sum against what the batch (item) had before any of them, at the last of them; a row alone is named alone.
 */
export function pickOutbound(
  storeId: string,
  lines: readonly OutboundLine[],
  locked: Map<string, LockedBalance>,
  field = 'input.lines',
  heldAt?: HeldAt,
  items?: ReadonlyMap<string, { unit: string }>,
): Pick[] {
  // Sweep 22c F6: a refusal's quantities in the item's unit (quantityText), as every message writes them; the
  // extensions keep the bare numbers. Without `items`, the batch's own item is looked up in heldAt's (backdated posts).
  const amount = (n: number, itemId: string) => quantityText(n, (items ?? heldAt?.items)?.get(itemId)?.unit);
  const left = new Map<string, number>();
  const rows = [...locked.values()].filter((r) => r.storeId === storeId);
  for (const r of rows) left.set(r.batchId, r.onHand - r.reserved);
  const before = new Map(left);
  // What each batch moved since a backdated post's date held from then to now, less what this post takes of it.
  const heldLeft = new Map([...(heldAt?.held ?? [])].map(([batchId, h]) => [batchId, h.quantity]));
  const picks: Pick[] = [];
  const take = (batchId: string, quantity: number, line: number) => {
    const row = rows.find((r) => r.batchId === batchId)!;
    left.set(batchId, left.get(batchId)! - quantity);
    if (heldLeft.has(batchId)) heldLeft.set(batchId, heldLeft.get(batchId)! - quantity);
    picks.push({ itemId: row.itemId, batchId, quantity, unitPrice: row.unitPrice, line });
  };
  // The lines that share line i's batch, or (naming none) its item: the rows they stand for, their sum, and what
  // those before line i took.
  const sharing = (i: number) => {
    const same = (o: OutboundLine) => (lines[i].batchId ? o.batchId === lines[i].batchId : !o.batchId && o.itemId === lines[i].itemId);
    const rowsOfAll = lines.flatMap((o, j) => (same(o) ? rowsOf(o, j) : [])).sort((a, b) => a - b);
    const total = lines.reduce((n, o) => (same(o) ? n + o.quantity : n), 0);
    const taken = lines.slice(0, i).reduce((n, o) => (same(o) ? n + o.quantity : n), 0);
    return { rows: rowsOfAll, total, taken };
  };
  // Named batches first, so that FEFO lines take what is left.
  lines.forEach((l, i) => {
    if (!l.batchId) return;
    const available = left.get(l.batchId) ?? 0;
    if (available < l.quantity) {
      const shared = sharing(i);
      const had = before.get(l.batchId) ?? 0;
      const [message, requested, avail] =
        shared.rows.length > 1
          ? [`库存不足：${rowNames(shared.rows)}（同一批次）合计需要 ${amount(shared.total, l.itemId)}，批次可用 ${amount(had, l.itemId)}`, shared.total, had]
          : [`库存不足：${rowNames(shared.rows)}批次可用 ${amount(available, l.itemId)}，需要 ${amount(l.quantity, l.itemId)}`, l.quantity, available];
      throw insufficientStock(message, {
        storeId,
        itemId: l.itemId,
        batchId: l.batchId,
        requested,
        available: avail,
        field: `${field}.${shared.rows.at(-1)}.quantity`,
      });
    }
    take(l.batchId, l.quantity, lastRowOf(l, i));
  });
  lines.forEach((l, i) => {
    if (l.batchId) return;
    const own = rows.filter((r) => r.itemId === l.itemId);
    const now = own.map((r) => ({
      batchId: r.batchId,
      batchNo: r.batchNo,
      available: left.get(r.batchId)!,
      expiryDate: r.expiryDate,
      receivedAt: r.receivedAt,
    }));
    const candidates = heldLeft.size ? now.map((c) => ({ ...c, available: Math.min(c.available, heldLeft.get(c.batchId) ?? c.available) })) : now;
    const result = allocateFefo(candidates, l.quantity);
    if (!result.ok) {
      const fromNow = candidates === now ? result : allocateFefo(now, l.quantity);
      // D8, D21: enough now, not of what was there at the post's date.
      if (fromNow.ok)
        throw notHeldAt(
          heldAt!,
          { storeId, line: lastRowOf(l, i), itemId: l.itemId, requested: l.quantity, available: result.available },
          now,
          candidates,
          rows,
        );
      const shared = sharing(i);
      const [message, requested, available] =
        shared.rows.length > 1
          ? [
              `库存不足：${rowNames(shared.rows)}（同一物资）合计需要 ${amount(shared.total, l.itemId)}，可用 ${amount(fromNow.available + shared.taken, l.itemId)}`,
              shared.total,
              fromNow.available + shared.taken,
            ]
          : [
              `库存不足：${rowNames(shared.rows)}可用 ${amount(fromNow.available, l.itemId)}，需要 ${amount(l.quantity, l.itemId)}`,
              l.quantity,
              fromNow.available,
            ];
      throw insufficientStock(message, { storeId, itemId: l.itemId, requested, available, field: `${field}.${shared.rows.at(-1)}.quantity` });
    }
    for (const p of result.picks) take(p.batchId, p.quantity, lastRowOf(l, i));
  });
  return picks;
}

/** notHeldRefusal for a FEFO line: the batches that could give more now than they held since `heldAt.at`, in FEFO order. */
function notHeldAt(
  heldAt: HeldAt,
  line: { storeId: string; line: number; itemId: string; requested: number; available: number },
  now: FefoCandidate[],
  capped: FefoCandidate[],
  rows: LockedBalance[],
) {
  const short = now
    .map((c, k) => ({ ...c, held: Math.max(0, capped[k].available) }))
    .filter((c) => c.available > 0 && c.held < c.available)
    .sort(fefoOrder)
    .map((c) => ({
      batchId: c.batchId,
      batchNo: rows.find((r) => r.batchId === c.batchId)!.batchNo,
      held: { ...heldAt.held.get(c.batchId)!, quantity: c.held },
      now: c.available,
    }));
  return notHeldRefusal({ ...line, item: heldAt.items.get(line.itemId), at: heldAt.at, short, namesBatch: heldAt.namesBatch });
}

/** The lines and movements of stock leaving a store, one per batch picked. */
export function outboundEntries(storeId: string, picks: Pick[], reasonCode: string | null): { lines: LineDraft[]; movements: MovementDraft[] } {
  return {
    lines: picks.map((p) => ({ ...p, quantity: -p.quantity, reasonCode })),
    movements: picks.map((p) => ({ ...p, storeId, bucket: 'ON_HAND' as const, quantity: -p.quantity, reasonCode })),
  };
}

/**
 * Locks what outbound lines may take: named batches and every batch of FEFO lines' items, at the store and
 * at `alsoStoreIds` (a transfer's destination), in one statement so that the lock order stays fixed.
 */
export function lockOutbound(tx: Db, storeId: string, lines: readonly OutboundLine[], alsoStoreIds: string[] = []) {
  const storeIds = [storeId, ...alsoStoreIds];
  const fefoItems = [...new Set(lines.filter((l) => !l.batchId).map((l) => l.itemId))];
  return lockBalances(tx, {
    keys: storeIds.flatMap((id) => lines.flatMap((l) => (l.batchId ? [{ storeId: id, batchId: l.batchId }] : []))),
    storeItems: storeIds.map((id) => ({ storeId: id, itemIds: fefoItems })),
  });
}

export const outboundLine = z.object({ itemId: idSchema, quantity: quantitySchema, batchId: idSchema.nullish() });

const issueSchema = z.object({
  storeId: idSchema,
  orderId: idSchema.nullish(),
  recipient: z.string().trim().min(1, '须填写领用单位/人').max(128).nullish(),
  reason: z.string(),
  incidentId: idSchema.nullish(),
  note: z.string().trim().max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: idempotencyKeySchema,
  lines: z.array(outboundLine).min(1, '至少一行').max(1000, '一张单据最多 1000 行'),
});

/**
 * 出库: issue to a recipient (D8 FEFO when no batch is named), against an approved outbound order (D23); another
 * government's goods it uses leave a settlement owed to that government (D3, D25: openSettlementsOfIssue).
 */
export async function issueStock(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock, reference } = ctx;
  const v = validate(issueSchema, input);
  const store = await storeForPosting(db, user, v.storeId, 'input.storeId', reference);
  const itemMap = await itemsFor(db, v.lines, 'input.lines', reference);
  assertBatchesMatchItems(v.lines, await batchesFor(db, v.lines), itemMap);
  const reason = await reasonFor(db, v.reason, 'ISSUE', 'input.reason', undefined, reference);
  if (v.incidentId) assertIncidentOpen(await referencedIncident(db, user, v.incidentId));
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  // D23: executing an order may not go beyond what was approved — its recipient included (sweep 17a F1: an order
  // approved for 卫辉市防汛演练 was issued to 「别人」). Left out, the issue is to the order's recipient.
  const recipientFor = (order: OrderRow | null) => {
    const recipient = approvedRecipient(order, v.recipient, { field: 'input.recipient', label: '领用单位', act: '出库' });
    if (!recipient) throw badInput('input.recipient', '须填写领用单位/人');
    return recipient;
  };
  // Issue 11: the order an issue executes is read with the idempotency claim, and locked after the balances, in one
  // round trip (ledger_prepare); it is checked as orderForExecution checks it when the post is built (executableOrder
  // may look up whether the caller may see another store's order). A replay answers the first issue, as API.md says:
  // the same input named the same order, of this store, then.
  const orderId = v.orderId ? uuidArg(v.orderId, 'input.orderId', '出库申请') : null;
  let executing = orderId ? null : await orderForExecution(db, store, null, { kind: 'ISSUE', by: user }, v.lines);
  if (executing) recipientFor(null);
  return postDocument(db, {
    kind: 'issueStock',
    actor: user,
    audit: ctx.audit,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt,
    prepare: orderId
      ? {
          spec: () => ({
            orderId,
            // Every batch the order's lines could name is one of these items' at the store: the lock is a superset.
            lock: { storeId: store.id, itemIds: [...new Set(v.lines.map((l) => l.itemId))], batchIds: v.lines.flatMap((l) => (l.batchId ? [l.batchId] : [])) },
          }),
          check: (prepared) => {
            if (!prepared.order) throw notFound('input.orderId', '出库申请', orderId);
          },
        }
      : undefined,
    build: async (tx, { prepared, recordedAt }) => {
      if (prepared?.order) {
        const exec = { kind: 'ISSUE' as const, by: user, occurredAt };
        executing = await executableOrder(prepared.order, prepared.orderLines!, store, exec, v.lines, policyLookupsThrough(createLoaders(tx), ctx.reference));
        assertReasonFitsOrder(prepared.order, reason);
        recipientFor(executing.order);
      }
      const { order, lines } = executing!;
      const locked = prepared?.locked ? lockedFor(prepared.locked, lines) : await lockOutbound(tx, store.id, lines);
      // D26: expired stock is frozen; D8, D21: a backdated FEFO line picks from what was there at its date.
      const picks = await pickUnexpiredAt(tx, store.id, lines, locked, occurredAt, itemMap);
      let alsoWrites: SQL[] | undefined;
      // D23: without an order, by the owner of what is picked.
      if (!order) await assertLeavesWithoutOrder(tx, store, 'ISSUE', picks);
      else if (prepared)
        alsoWrites = orderConsumption(order.id, prepared.lockedOrder!, prepared.lockedOrderLines!, picks, undefined, (id) => itemMap.get(id)?.unit);
      else await consumeOrder(tx, order.id, picks);
      return {
        type: 'ISSUE',
        storeId: store.id,
        orderId: order?.id,
        recipient: recipientFor(order),
        reasonCode: reason.code,
        incidentId: v.incidentId ?? order?.incidentId,
        note: v.note,
        locked,
        alsoWrites,
        ...outboundEntries(store.id, picks, reason.code),
        // D3, D25 (sweep 17b F10): another government's goods used under an order are owed back to it, as a plan's are.
        afterPost: order
          ? (t, posted) => openSettlementsOfIssue(t, { documentId: posted.id, store, purpose: order.purpose, lines: picks, at: recordedAt, locked })
          : undefined,
      };
    },
  });
}

/** Of the rows ledger_prepare locked (a superset), those lockOutbound would have locked for these lines. */
function lockedFor(locked: Map<string, LockedBalance>, lines: readonly OutboundLine[]): Map<string, LockedBalance> {
  const named = new Set(lines.flatMap((l) => (l.batchId ? [l.batchId] : [])));
  const fefo = new Set(lines.filter((l) => !l.batchId).map((l) => l.itemId));
  return new Map([...locked].filter(([, r]) => named.has(r.batchId) || fefo.has(r.itemId)));
}

const scrapSchema = z.object({
  storeId: idSchema,
  orderId: idSchema.nullish(),
  approvalRef: z.string().trim().min(1, '报废须有审批文号（鉴定或专家评审）').max(128),
  reason: z.string(),
  note: z.string().trim().max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: idempotencyKeySchema,
  lines: z
    .array(z.object({ batchId: idSchema, quantity: quantitySchema }))
    .min(1, '至少一行')
    .max(1000),
});

/**
 * 报废 (D11, D27): only with an appraisal reference; nothing leaves the books silently. Against an approved scrap
 * order (D23) it posts at once — the order's approval is the second person. Without one (API.md: orderId is required
 * for government-owned stock) only the company's own stock in its own agreement store may be scrapped, as issueStock
 * checks it (assertLeavesWithoutOrder): that scrap waits in the approvals queue and posts when a second person approves.
 */
export async function scrapStock(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock } = ctx;
  const v = validate(scrapSchema, input);
  const store = await storeForPosting(db, user, v.storeId, 'input.storeId');
  const batchMap = await batchesFor(db, v.lines);
  const reason = await reasonFor(db, v.reason, 'SCRAP', 'input.reason');
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  const lines = v.lines.map((l) => ({ ...l, itemId: batchMap.get(l.batchId)!.itemId }));
  // The batches' items, for a refusal's quantities in their units (sweep 22c F6).
  const itemMap = await itemsFor(db, lines, 'input.lines', ctx.reference);
  // D23: without an order, a store that holds only stock needing one is refused here, before anything is claimed.
  const { order } = await orderForExecution(db, store, v.orderId, { kind: 'SCRAP', by: user, occurredAt }, lines);
  return postDocument(db, {
    kind: 'scrapStock',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt,
    build: async (tx, { recordedAt }) => {
      const locked = await lockOutbound(tx, store.id, lines);
      const picks = pickOutbound(store.id, lines, locked, undefined, undefined, itemMap);
      // A scrap line names its batch only: an item the order lacks is that batch's fault.
      if (order) await consumeOrder(tx, order.id, picks, (line, what = 'quantity') => `input.lines.${line}.${what === 'itemId' ? 'batchId' : what}`);
      // D23: without an order, by the owner of each batch (a refusal rolls back the idempotency claim with the rest).
      else await assertLeavesWithoutOrder(tx, store, 'SCRAP', picks);
      const entries = outboundEntries(store.id, picks, reason.code);
      return {
        type: 'SCRAP',
        storeId: store.id,
        orderId: order?.id,
        approvalRef: v.approvalRef,
        reasonCode: reason.code,
        note: v.note,
        locked,
        ...entries,
        ...(order ? {} : pendingDecrease(entries.movements)),
        afterPost: order
          ? undefined
          : (t, posted) =>
              requestDocumentApproval(t, user, recordedAt, posted, store, {
                kind: 'SCRAP',
                summary: `${store.name} 报废 ${posted.number}：${picks.length} 个批次共 ${picks.reduce((n, p) => n + p.quantity, 0)} 件（${reason.name}）`,
                pending: { movements: entries.movements, reservations: pendingDecrease(entries.movements).reservations },
              }),
      };
    },
  });
}
