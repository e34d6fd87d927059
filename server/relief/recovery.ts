import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { badInput, forbidden, invalidState } from '../errors.ts';
import { stableId } from '../ids.ts';
import { idempotencyKeySchema, inItemUnits, itemsFor, storeForPosting } from '../inventory/common.ts';
import { claimIdempotencyKey } from '../inventory/idempotency.ts';
import { lockBalances, writeDocument, type LineDraft, type MovementDraft } from '../inventory/posting.ts';
import { requestHash } from '../inventory/rules.ts';
import { deciderKey, pendingDecrease, recoveryLossDeciders, requestDocumentApproval, type Decider } from '../authority/pending.ts';
import { assertRecoveryDestination } from '../authority/custody.ts';
import { reduceSettlementsOfRecovery } from '../authority/settlements.ts';
import { assertRecoveredToOwner, shippedFromSql } from './recovery-destinations.ts';
import { getPlanInScope, type PlanView } from '../dispatch/plans.ts';
import { isRecovered, recoveryRuleOf, type RecoveryRule } from './recovery-rules.ts';
import { getIncidentInScope } from '../dispatch/incidents.ts';
import { getStoreRow } from '../stores/service.ts';
import { idSchema, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';
import { PLAN_STATUS_NAMES, statusText } from '../paperwork/names.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { heldText, reservationHolders } from '../inventory/holders.ts';
import { isFromHouseholds, receiveFromHouseholds, withHouseholds, writeOffLostAtHouseholds, type WithHouseholds } from './household-returns.ts';

// D30 回收清点: after an incident, per batch, what came back good, damaged or lost. Good stock goes back to its
// owner's store — by default the store it was shipped from (晋城's tents to 晋城) — as a RECOVERY document from the
// 安置点. D12 says what should come back; what has not is outstanding.

const count = z.number().int('数量须为整数').min(0, '数量不能为负').max(10_000_000);

const conditionSchema = z.object({
  planId: idSchema,
  toStoreId: idSchema.nullish(),
  idempotencyKey: idempotencyKeySchema,
  lines: z
    .array(
      z.object({
        batchId: idSchema,
        storeId: idSchema.nullish(),
        good: count.default(0),
        damaged: count.default(0),
        lost: count.default(0),
        // D30 (sweep 11a F1): the line counts pieces the 安置点 handed to households (household-returns.ts).
        fromHouseholds: z.boolean().nullish(),
      }),
    )
    .min(1, '至少一行')
    .max(1000)
    .nullish(),
});

/**
 * D22: a movement counts while its document stands. A reversal posts the original's movements negated (on approval, when
 * the original becomes REVERSED): together they did not happen, so both are left out — whatever was reversed, a
 * recovery, a scrap or write-off of a count, a receipt at the point. Counting only one of the pair would leave half of
 * the correction in what came and went. A reversal awaiting approval has no movements yet: its original still counts.
 * `doc` is the movement's document (alias).
 */
const stands = (doc: SQL) => sql`${doc}.status = 'POSTED' AND ${doc}.type <> 'REVERSAL'`;

interface Held {
  storeId: string;
  batchId: string;
  itemId: string;
  /** On hand less reserved: what a count may take. */
  available: number;
  onHand: number;
  /** Held for pending scrap, write-off, stocktake or reversal documents (D27), or an approved plan not yet executed. */
  reserved: number;
  shippedFrom: string | null;
  rule: RecoveryRule;
  arrivedAt: Date | null;
}

/**
 * Stock held at the plan's 安置点 (`points`, in the plan's destination order), per batch on hand — reserved or not: a
 * refusal says what is held (L5) —, with the store each batch was shipped from (most shipped first).
 */
async function heldAtPoints(db: Db, points: string[]): Promise<Held[]> {
  if (!points.length) return [];
  const ids = uuidList(points);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT bal.store_id, bal.batch_id, bal.item_id, bal.on_hand, bal.reserved, i.recovery_kind, i.recovery_months,
               (SELECT min(m.occurred_at) FROM movements m JOIN documents d ON d.id = m.document_id
                 WHERE m.store_id = bal.store_id AND m.batch_id = bal.batch_id
                   AND m.type IN ('TRANSFER_IN', 'RECEIPT') AND m.quantity > 0 AND ${stands(sql`d`)}) AS arrived_at,
               ${shippedFromSql(sql`bal.store_id`, sql`bal.batch_id`)} AS shipped_from
          FROM balances bal JOIN stores s ON s.id = bal.store_id JOIN items i ON i.id = bal.item_id
         WHERE bal.store_id IN (${ids}) AND s.kind = 'DISTRIBUTION_POINT' AND bal.on_hand > 0
         ORDER BY array_position(ARRAY[${ids}]::uuid[], bal.store_id), bal.batch_id`,
  );
  return rows.map((r) => ({
    storeId: String(r.store_id),
    batchId: String(r.batch_id),
    itemId: String(r.item_id),
    available: Number(r.on_hand) - Number(r.reserved),
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    shippedFrom: r.shipped_from === null ? null : String(r.shipped_from),
    rule: recoveryRuleOf(r.recovery_kind, r.recovery_months),
    arrivedAt: r.arrived_at === null ? null : new Date(r.arrived_at as string),
  }));
}

/**
 * recoverIncidentStock (D12, D30): good stock is booked back from the 安置点 to the store it was shipped from (or
 * `toStoreId`, if that is the owner's store: assertRecoveredToOwner), in one transaction, one RECOVERY document per
 * point and destination. A line counts a batch at one
 * 安置点 (its `storeId`, as counted there) or, without one, over the plan's points in destination order. Quantities
 * beyond what the points hold are BAD_USER_INPUT. Damaged stock goes to scrap and lost stock to write-off, both
 * pending approval (D27). Good stock back in the store it was taken from reduces what is owed for it (D15, D25:
 * reduceSettlementsOfRecovery).
 * Without lines (no count taken): everything D12 says comes back, as held at the points, counts as good; consumed
 * items stay at the point, for distribution to households (D29).
 * A line `fromHouseholds` counts pieces the point handed to households (sweep 11a F1), up to what they received there
 * and have not accounted for: good and damaged ones are received back at the point first (a RECEIPT) and then go as the
 * rest; lost ones are written off without coming back onto the books (household-returns.ts says why).
 */
export async function recoverByCondition(ctx: ServiceContext, input: unknown): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  if (user.role !== 'ADMIN' && user.role !== 'DISPATCHER') throw forbidden('调度');
  const v = validate(conditionSchema, input);
  const plan = await getPlanInScope(db, user, v.planId, 'input.planId');
  if (plan.status !== 'EXECUTING' && plan.status !== 'COMPLETED') {
    throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, plan.status)}，尚无可回收的物资`, { status: plan.status, field: 'input.planId' });
  }
  // A store named explicitly must be in the dispatcher's scope; the owner's store (where the stock came from) takes its
  // own stock back wherever it is.
  const explicit = v.toStoreId ? await storeForPosting(db, user, v.toStoreId, 'input.toStoreId') : null;
  if (explicit) assertRecoveryDestination(explicit, 'input.toStoreId'); // D12, D30: back to a reserve store
  const points = [...new Set(plan.destinations.flatMap((d) => (d.storeId ? [d.storeId] : [])))];
  v.lines?.forEach((l, i) => {
    if (!l.good && !l.damaged && !l.lost) throw badInput(`input.lines.${i}.good`, '每行至少登记一件（完好、破损或丢失）');
    if (l.storeId && !points.includes(l.storeId)) throw badInput(`input.lines.${i}.storeId`, '该安置点不是本调拨方案的目的地，不能在此方案下回收');
  });
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    // One count of an incident at a time: what households have accounted for bounds a count from households, and a
    // receipt (an increase) is no guarded decrease that a concurrent count would trip over.
    await queryRows(tx, sql`SELECT pg_advisory_xact_lock(hashtext(${`recoverIncidentStock|${plan.incidentId}`}))`);
    const { idempotencyKey, ...request } = v;
    if (
      await claimIdempotencyKey(tx, {
        kind: 'recoverIncidentStock',
        actorId: user.id,
        key: idempotencyKey,
        input: request,
        resultId: plan.id!,
        resultName: 'planId',
        at: now,
      })
    )
      return;
    const held = await heldAtPoints(tx, points);
    const households = v.lines ? await withHouseholds(tx, points) : [];
    const lines = v.lines ?? returnableAsGood(held, now);
    if (!lines.length) {
      throw invalidState('安置点没有按规定应回收的物资（消耗类物资请登记发放）', { field: 'input.planId' });
    }
    // Each line takes from its 安置点, or from the points holding its batch in the plan's destination order.
    const moves: { point: string; to: string; held: Held; quantity: number }[] = [];
    const losses: { point: string; condition: 'damaged' | 'lost'; held: Held; quantity: number }[] = [];
    // From households (sweep 11a F1): good and damaged pieces received back at the point first; lost ones written off.
    const returns: { point: string; condition: 'good' | 'damaged'; held: Held; quantity: number }[] = [];
    const lostAtHouseholds: { point: string; held: Held; quantity: number }[] = [];
    const left = new Map(held.map((h) => [`${h.storeId}|${h.batchId}`, h.available]));
    const leftWithHouseholds = new Map(households.map((h) => [`${h.storeId}|${h.batchId}`, h.remaining]));
    for (const [i, l] of lines.entries()) {
      const requested = l.good + l.damaged + l.lost;
      const fromHouseholds = 'fromHouseholds' in l && l.fromHouseholds === true;
      const at: Held[] = fromHouseholds
        ? await owedByHouseholds(tx, households, l, i, now)
        : held.filter((h) => h.batchId === l.batchId && (!l.storeId || h.storeId === l.storeId));
      const pool = fromHouseholds ? leftWithHouseholds : left;
      const total = at.reduce((s, h) => s + (pool.get(`${h.storeId}|${h.batchId}`) ?? 0), 0);
      if (total < requested) {
        if (fromHouseholds) {
          throw badInput(
            countedField(l, i),
            `清点数量 ${requested} 超出${l.storeId ? '该安置点' : '安置点'}发放到户且尚未登记交回或丢失的该批次数量 ${total}`,
            { batchId: l.batchId, withHouseholds: total, requested },
          );
        }
        const outThere = households
          .filter((h) => h.batchId === l.batchId && (!l.storeId || h.storeId === l.storeId))
          .reduce((s, h) => s + (leftWithHouseholds.get(`${h.storeId}|${h.batchId}`) ?? 0), 0);
        throw badInput(countedField(l, i), await countRefusal(tx, l, at, total, requested, outThere), {
          batchId: l.batchId,
          held: total,
          requested,
          withHouseholds: outThere,
        });
      }
      // Good, then damaged, then lost, each taken from the points in order.
      for (const [condition, quantity] of [
        ['good', l.good],
        ['damaged', l.damaged],
        ['lost', l.lost],
      ] as const) {
        let need = quantity;
        for (const h of at) {
          const k = `${h.storeId}|${h.batchId}`;
          const take = Math.min(need, pool.get(k)!);
          if (!take) continue;
          pool.set(k, pool.get(k)! - take);
          need -= take;
          if (fromHouseholds) {
            if (condition === 'lost') {
              lostAtHouseholds.push({ point: h.storeId, held: h, quantity: take });
              continue;
            }
            returns.push({ point: h.storeId, condition, held: h, quantity: take });
          }
          if (condition !== 'good') {
            losses.push({ point: h.storeId, condition, held: h, quantity: take });
            continue;
          }
          const to = explicit?.id ?? h.shippedFrom;
          if (!to) throw badInput(`input.toStoreId`, '该批次不是调拨到安置点的，须选择完好物资入库仓库', { batchId: h.batchId });
          moves.push({ point: h.storeId, to, held: h, quantity: take });
        }
      }
    }
    // D23, D24, D30: a store named explicitly takes a batch's good stock only if it is the owner's (assertRecoveredToOwner).
    if (explicit) {
      const checked = new Set<string>();
      for (const m of moves) {
        const k = `${m.held.batchId}|${m.held.shippedFrom}`;
        if (checked.has(k)) continue;
        checked.add(k);
        await assertRecoveredToOwner(tx, {
          to: explicit,
          incidentId: plan.incidentId,
          batchId: m.held.batchId,
          shippedFrom: m.held.shippedFrom,
          field: 'input.toStoreId',
        });
      }
    }
    const keys = [
      ...losses.map((m) => ({ storeId: m.point, batchId: m.held.batchId })),
      ...lostAtHouseholds.map((m) => ({ storeId: m.point, batchId: m.held.batchId })),
      ...moves.flatMap((m) => [
        { storeId: m.point, batchId: m.held.batchId },
        { storeId: m.to, batchId: m.held.batchId },
      ]),
    ];
    let locked = await lockBalances(tx, { keys });
    const pointRows = new Map((await Promise.all(points.map((id) => getStoreRow(tx, id)))).map((p) => [p.id, p]));
    // D7, D30: what households gave back comes onto the point's books again (household-returns.ts), before it goes on.
    if (returns.length) {
      await receiveFromHouseholds(tx, { user, idempotencyKey, request, incidentId: plan.incidentId, now, locked, returns });
      locked = await lockBalances(tx, { keys }); // what the point holds now, for the documents that take it on
    }
    const groups = new Map<string, typeof moves>();
    for (const m of moves) groups.set(`${m.point}|${m.to}`, [...(groups.get(`${m.point}|${m.to}`) ?? []), m]);
    for (const [g, ms] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const [point, to] = g.split('|');
      const target = await getStoreRow(tx, to);
      // D30: by default the store a batch was shipped from — unless that is no reserve store (another 安置点 …).
      assertRecoveryDestination(target, 'input.toStoreId', '该批次不是从政府储备库或代储库调来的，须选择完好物资入库仓库');
      const price = (m: (typeof ms)[number]) => locked.get(`${point}|${m.held.batchId}`)!.unitPrice;
      const documentId = stableId('document', `recoverIncidentStock/${user.id}/${idempotencyKey}/${g}`);
      const recovered = await writeDocument(
        tx,
        { kind: 'recoverIncidentStock', actor: user, key: documentId, hash: requestHash({ ...request, g }), documentId, occurredAt: now, recordedAt: now },
        {
          type: 'RECOVERY',
          storeId: point,
          counterpartStoreId: to,
          incidentId: plan.incidentId,
          note: `回收入库（完好）：${target.name}`,
          locked,
          lines: ms.map((m): LineDraft => ({ itemId: m.held.itemId, batchId: m.held.batchId, quantity: -m.quantity, unitPrice: price(m) })),
          movements: ms.flatMap((m): MovementDraft[] => [
            { storeId: point, batchId: m.held.batchId, itemId: m.held.itemId, bucket: 'ON_HAND', quantity: -m.quantity, unitPrice: price(m) },
            { storeId: to, batchId: m.held.batchId, itemId: m.held.itemId, bucket: 'ON_HAND', quantity: m.quantity, unitPrice: price(m) },
          ]),
        },
      );
      // D15, D25, D30: back in the store it was taken from, it is no longer owed (a settled debt refuses it).
      await reduceSettlementsOfRecovery(tx, {
        incidentId: plan.incidentId,
        pointId: point,
        toStoreId: to,
        recoveryNumber: recovered.number,
        returned: ms.map((m) => ({ batchId: m.held.batchId, quantity: m.quantity })),
        actorId: user.id,
        at: now,
        field: 'input.toStoreId',
      });
    }
    // D27, D30: damaged stock goes to scrap (报废) and lost stock to write-off (核销), each a document at the point that
    // waits, its quantities held, for a second person's approval. D3, D24 (sweep 20c F9): another government's goods are
    // written off on its side's approval, not the borrower's — a document of their own per deciding side.
    const deciders = await recoveryLossDeciders(tx, {
      incidentId: plan.incidentId,
      jurisdiction: plan.row!.jurisdictionCode,
      batches: [...losses, ...lostAtHouseholds].map((m) => ({ batchId: m.held.batchId, shippedFrom: m.held.shippedFrom })),
    });
    for (const [type, condition, reasonCode, label] of [
      ['SCRAP', 'damaged', 'DAMAGED', '破损报废'],
      ['WRITE_OFF', 'lost', 'LOST', '丢失核销'],
    ] as const) {
      for (const [point, side, ls] of points.flatMap((pt) =>
        bySide(
          losses.filter((m) => m.point === pt && m.condition === condition),
          deciders,
        ).map(([k, ms]) => [pt, k, ms] as const),
      )) {
        const store = pointRows.get(point)!;
        const decider = deciders.get(ls[0].held.batchId) ?? store;
        const price = (m: (typeof ls)[number]) => locked.get(`${point}|${m.held.batchId}`)!.unitPrice;
        const movements = ls.map((m): MovementDraft => ({
          storeId: point,
          batchId: m.held.batchId,
          itemId: m.held.itemId,
          bucket: 'ON_HAND',
          quantity: -m.quantity,
          unitPrice: price(m),
          reasonCode,
        }));
        // The 安置点's own keep the id they had; another side's goods are told apart by it (a retry finds each again).
        const documentId = stableId('document', `recoverIncidentStock/${user.id}/${idempotencyKey}/${point}/${condition}${side ? `/${side}` : ''}`);
        const held = pendingDecrease(movements);
        await writeDocument(
          tx,
          {
            kind: 'recoverIncidentStock',
            actor: user,
            key: documentId,
            hash: requestHash(side ? { ...request, point, condition, side } : { ...request, point, condition }),
            documentId,
            occurredAt: now,
            recordedAt: now,
          },
          {
            type,
            storeId: point,
            reasonCode,
            incidentId: plan.incidentId,
            note: `回收清点：${label}`,
            locked,
            lines: movements.map((m): LineDraft => ({ itemId: m.itemId, batchId: m.batchId, quantity: m.quantity, unitPrice: m.unitPrice, reasonCode })),
            movements,
            ...held,
            // L6 (sweep 2): the summary says the quantity in the item's own unit (5 顶, not 5 件), as a count's does.
            afterPost: async (t, posted) =>
              requestDocumentApproval(t, user, now, posted, decider, {
                kind: type,
                summary: `${store.name} 回收清点${label} ${posted.number}：共 ${inItemUnits(await itemsFor(t, movements), movements, -1)}`,
                pending: { movements, reservations: held.reservations },
              }),
          },
        );
      }
    }
    // D27, D30: what households lost — a write-off at the point awaiting approval, netting to zero (household-returns.ts).
    for (const point of points) {
      const ls = lostAtHouseholds.filter((m) => m.point === point);
      for (const [side, lost] of bySide(ls, deciders))
        await writeOffLostAtHouseholds(tx, {
          user,
          idempotencyKey,
          request,
          incidentId: plan.incidentId,
          now,
          locked,
          store: pointRows.get(point)!,
          lost,
          side,
          decider: deciders.get(lost[0].held.batchId) ?? null,
        });
    }
  });
  return getPlanInScope(db, user, plan.id!);
}

/** A point's losses grouped by the side that decides their write-off (recoveryLossDeciders), the 安置点's own first. */
function bySide<M extends { held: { batchId: string } }>(ms: readonly M[], deciders: ReadonlyMap<string, Decider | null>): [string, M[]][] {
  const groups = new Map<string, M[]>();
  for (const m of ms) {
    const k = deciderKey(deciders.get(m.held.batchId));
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * D30, D27 (L5, sweep 2): the refusal of a count beyond what a batch's 安置点 hold. Stock already counted damaged or lost
 * is still on hand, held for its scrap or write-off until approved; a count may take only what is not held — so the
 * refusal says what may be counted, what is on hand and what holds the rest, each with its quantity (a pending
 * 报废单 or 核销单 by number, an approved plan: reservationHolders), not "现存 0" of stock that is plainly there. `at`: the batch's rows at the points counted;
 * `available`: what they still have for this line after the request's earlier lines.
 */
async function countRefusal(
  tx: Db,
  l: { batchId: string; storeId?: string | null },
  at: Held[],
  available: number,
  requested: number,
  withHouseholds: number,
): Promise<string> {
  // Sweep 11a F1: pieces handed to households are not at the point; the count names where to record them.
  const households = withHouseholds ? `；另有发放到户的 ${withHouseholds} 件尚未登记，请另起一行按「群众处」（fromHouseholds）登记交回或丢失` : '';
  return (await pointRefusal(tx, l, at, available, requested)) + households;
}

async function pointRefusal(tx: Db, l: { batchId: string; storeId?: string | null }, at: Held[], available: number, requested: number): Promise<string> {
  const where = l.storeId ? '该安置点' : '安置点';
  const onHand = at.reduce((s, h) => s + h.onHand, 0);
  const reserved = at.reduce((s, h) => s + h.reserved, 0);
  const earlier = onHand - reserved - available; // taken by the request's earlier lines of the same batch
  if (!reserved && !earlier) return `清点数量 ${requested} 超出${where}现存的该批次数量 ${available}（只能清点发往本事件且尚在安置点的物资）`;
  const parts = [`现存 ${onHand}`];
  if (reserved) {
    const holders = await reservationHolders(
      tx,
      at.filter((h) => h.reserved > 0).map((h) => h.storeId),
      [l.batchId],
    );
    parts.push(`其中${heldText(reserved, holders.get(l.batchId) ?? [])}`);
  }
  if (earlier) parts.push(`本次其他行已清点 ${earlier}`);
  return `清点数量 ${requested} 超出${where}该批次可清点的数量 ${available}（${parts.join('，')}）`;
}

/**
 * D30: the box of a count line that carries the quantity refused — the first condition counted (good, damaged, lost in
 * the form's order): a form then marks a box the keeper typed in, not an empty 完好 box, and a field of the line always.
 */
function countedField(l: { good: number; damaged: number; lost: number }, i: number): string {
  const counted = (['good', 'damaged', 'lost'] as const).find((c) => l[c] > 0) ?? 'good';
  return `input.lines.${i}.${counted}`;
}

/**
 * D12, D30 (sweep 11a F1): the households' holdings a count `fromHouseholds` takes from — of its batch, at its 安置点 or
 * all the plan's, as held (Held: what is left to account for as `available`). Only what D12 says comes back: a consumed
 * item (or a tent past its months of use) handed to a household is the household's, and neither returned nor lost.
 */
async function owedByHouseholds(
  tx: Db,
  households: readonly WithHouseholds[],
  l: { batchId: string; storeId?: string | null },
  i: number,
  now: Date,
): Promise<Held[]> {
  const rows = households.filter((h) => h.batchId === l.batchId && (!l.storeId || h.storeId === l.storeId));
  const owed = rows.filter((h) => isRecovered(h.rule, h.arrivedAt ?? now, now));
  if (rows.length && !owed.length) {
    const item = (await itemsFor(tx, [{ itemId: rows[0].itemId }])).get(rows[0].itemId)!;
    throw badInput(`input.lines.${i}.fromHouseholds`, `「${item.name}」按规定发放到户即为消耗（或已超过回收期限），不回收，无须登记群众交回或丢失`, {
      batchId: l.batchId,
    });
  }
  return owed.map((h) => ({ ...h, available: h.remaining, onHand: 0, reserved: 0 }));
}

/** Lines for a recovery without a count: per 安置点 and batch, all that D12 says comes back, as good. */
function returnableAsGood(held: Held[], now: Date): { batchId: string; storeId: string; good: number; damaged: number; lost: number }[] {
  return held
    .filter((h) => h.available > 0 && isRecovered(h.rule, h.arrivedAt ?? now, now))
    .map((h) => ({ batchId: h.batchId, storeId: h.storeId, good: h.available, damaged: 0, lost: 0 }));
}

export interface OutstandingRecovery {
  incidentId: string;
  storeId: string;
  batchId: string;
  itemId: string;
  /** The store it reached the 安置点 from, where its good stock goes back by default (shippedFromSql); null: none. */
  shippedFrom: string | null;
  received: number;
  /** Came back: good stock booked back into a store (RECOVERY), or moved out of the point by a transfer that stands. */
  returned: number;
  /** Counted damaged and scrapped on approval (D27, D30). */
  scrapped: number;
  /** Counted lost (at the point or at households) and written off on approval, or a stocktake loss (D27, D30). */
  lost: number;
  /** Counted damaged or lost (a scrap or write-off at the point) and awaiting its approval (D27). */
  pending: number;
  outstanding: number;
  /** Of `outstanding`, what households received at the point and have not accounted for (sweep 11a F1). */
  withHouseholds: number;
  rule: RecoveryRule;
  arrivedAt: Date;
}

/**
 * outstandingRecovery (D12, D30): per 安置点 of the incident and batch, what D12 says should come back — items always
 * recovered, and tents still within their 6 / 12 months of use — received there and not yet accounted for: returned
 * (booked back into a store), scrapped or lost (written off) — each apart (sweep 20c F4: a loss written off did not
 * come back) —; stock handed to households is still owed back. A transfer out of the point is returned
 * while it stands: cancelled, its goods are back at the point (TRANSFER_CANCEL) and owed again. Only movements that
 * stand count: a reversed recovery (or scrap, write-off, receipt) and its reversal are as if neither had happened (D22).
 * What was counted damaged or lost and awaits its approval (D27, a pending scrap or write-off at the point) is accounted
 * for, not outstanding (sweep 4, L3): it is `pending`; rejected, it is outstanding again.
 * Sweep 11a F1: what households gave back is received at the point (household-returns.ts) — not `received` from the
 * incident's supply, but stock that then leaves the point as returned —, and what they lost is a write-off there; so a
 * count from households brings the line to 0 like any other. `withHouseholds` says how much of what is outstanding
 * households still hold, to be counted `fromHouseholds`.
 */
export async function outstandingRecovery(ctx: ServiceContext, incidentId: string): Promise<OutstandingRecovery[]> {
  const { db, actor: user, clock } = ctx;
  const incident = await getIncidentInScope(db, user, incidentId, 'incidentId');
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH moved AS (
          SELECT m.store_id, m.batch_id, m.item_id, i.recovery_kind, i.recovery_months,
                 sum(m.quantity) FILTER (WHERE m.quantity > 0 AND m.type IN ('TRANSFER_IN', 'RECEIPT') AND NOT ${isFromHouseholds(sql`d`)})::bigint AS received,
                 -- Sweep 20c F4: what came back (booked back into a store, or moved out of the point while that stands),
                 -- what was scrapped and what was lost (written off, a stocktake loss), each apart.
                 -COALESCE(sum(m.quantity) FILTER (WHERE m.type IN ('RECOVERY', 'TRANSFER_OUT', 'TRANSFER_CANCEL')), 0)::bigint AS returned,
                 -COALESCE(sum(m.quantity) FILTER (WHERE m.type = 'SCRAP' AND m.quantity < 0), 0)::bigint AS scrapped,
                 -COALESCE(sum(m.quantity) FILTER (WHERE m.quantity < 0 AND m.type NOT IN ('ISSUE', 'RECOVERY', 'TRANSFER_OUT', 'SCRAP')), 0)::bigint AS lost,
                 min(m.occurred_at) FILTER (WHERE m.quantity > 0) AS arrived_at
            FROM movements m JOIN documents d ON d.id = m.document_id JOIN stores s ON s.id = m.store_id JOIN items i ON i.id = m.item_id
           WHERE s.incident_id = ${incident.id}::uuid AND s.kind = 'DISTRIBUTION_POINT' AND m.bucket = 'ON_HAND'
             AND i.recovery_kind <> 'NEVER' AND ${stands(sql`d`)}
           GROUP BY m.store_id, m.batch_id, m.item_id, i.recovery_kind, i.recovery_months),
        awaiting AS (
          SELECT d.store_id, l.batch_id, -sum(l.quantity)::bigint AS pending
            FROM documents d JOIN document_lines l ON l.document_id = d.id JOIN stores s ON s.id = d.store_id
           WHERE s.incident_id = ${incident.id}::uuid AND s.kind = 'DISTRIBUTION_POINT'
             AND d.status = 'PENDING_APPROVAL' AND d.type IN ('SCRAP', 'WRITE_OFF') AND l.quantity < 0
           GROUP BY d.store_id, l.batch_id)
        SELECT moved.*, COALESCE(awaiting.pending, 0) AS pending, ${shippedFromSql(sql`moved.store_id`, sql`moved.batch_id`)} AS shipped_from
          FROM moved LEFT JOIN awaiting ON awaiting.store_id = moved.store_id AND awaiting.batch_id = moved.batch_id
         ORDER BY moved.store_id, moved.item_id, moved.batch_id`,
  );
  const now = clock.now().toJSDate();
  const households = new Map(
    (await withHouseholds(db, [...new Set(rows.map((r) => String(r.store_id)))])).map((h) => [`${h.storeId}|${h.batchId}`, h.remaining]),
  );
  return rows
    .map((r) => {
      const rule = recoveryRuleOf(r.recovery_kind, r.recovery_months);
      const received = Number(r.received ?? 0);
      const returned = Number(r.returned ?? 0);
      const scrapped = Number(r.scrapped ?? 0);
      const lost = Number(r.lost ?? 0);
      const pending = Number(r.pending ?? 0);
      const outstanding = received - returned - scrapped - lost - pending;
      return {
        incidentId: incident.id,
        storeId: String(r.store_id),
        batchId: String(r.batch_id),
        itemId: String(r.item_id),
        shippedFrom: r.shipped_from === null ? null : String(r.shipped_from),
        received,
        returned,
        scrapped,
        lost,
        pending,
        outstanding,
        withHouseholds: Math.max(0, Math.min(outstanding, households.get(`${String(r.store_id)}|${String(r.batch_id)}`) ?? 0)),
        rule,
        arrivedAt: new Date(r.arrived_at as string),
      };
    })
    .filter((l) => l.outstanding > 0 && isRecovered(l.rule, l.arrivedAt, now));
}
