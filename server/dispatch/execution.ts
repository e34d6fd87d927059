import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import {
  agreementLines,
  agreements,
  callOffs,
  dispatchLines,
  dispatchPlans,
  incidents,
  items,
  stores,
  transferLines,
  transfers,
} from '../../drizzle/schema/index.ts';
import { badInput, DomainError, invalidState, isDomainError, notFound } from '../errors.ts';
import { stableId } from '../ids.ts';
import { textArg, uuidArg, validate, idSchema } from '../validation.ts';
import { batchNoSchema, idempotencyKeySchema, quantityText } from '../inventory/common.ts';
import { lockBalances, writeDocument, type MovementDraft } from '../inventory/posting.ts';
import { requestHash } from '../inventory/rules.ts';
import { claimIdempotencyKey } from '../inventory/idempotency.ts';
import { assertNoneExpired, chinaDateOf } from '../inventory/expiry.ts';
import { governmentOf, receiveStock } from '../inventory/receipts.ts';
import { publishPlanStatus } from './events.ts';
import { lockOpenIncident } from './incidents.ts';
import { assertJointLinesCovered } from './consent.ts';
import { assertAgreementStock } from './sources.ts';
import { assertMayCarryOutPlans, assertMayConfirmCallOffDelivery } from '../auth/policy.ts';
import type { AppConfig } from '../config.ts';
import type { Principal } from '../auth/principal.ts';
import { levelOfCode } from '../regions/codes.ts';
import {
  assertPlansSomething,
  capacityHorizonDays,
  getPlanInScope,
  loadPlan,
  lockPlan,
  refreshPlanCompletion,
  remainingToShip,
  startWrittenApprovalClock,
  usableLines,
  usableStoreLines,
  type PlanView,
  type RemainingToShip,
} from './plans.ts';
import {
  callOffSettlementPrice,
  openSettlement,
  ownerRegionsOf,
  owesSettlement,
  priceSettlementOfCallOff,
  reduceSettlementOfCallOff,
} from '../authority/settlements.ts';
import { callOffCitation, callOffReceiptSource } from '../reserves/call-off-citation.ts';
import { planNumber } from '../paperwork/print/plan.ts';
import { formatMoney, moneyTimes, parseMoney, toFen } from '../money.ts';
import type { ServiceContext } from '../context.ts';
import { CALL_OFF_STATUS_NAMES, PLAN_STATUS_NAMES, statusText } from '../paperwork/names.ts';
import { chinaIso, chinaTextsApart } from '../clock.ts';

/**
 * executeDispatchPlan (D14, D15, D17, D25): in one transaction, ships a transfer from each source store to each
 * destination (consuming the reservation), issues call-off orders to agreement and capacity holders, opens a settlement
 * for stock or an agreement reserve of another region or a lower level used outside its own area, and moves the plan
 * to EXECUTING. Another jurisdiction's stock ships, and its agreement reserves are called off, only with its consent: a
 * consent still pending stops the execution; a refused one's lines are left out.
 * Idempotent: the same key returns the plan as executed.
 */
export async function executeDispatchPlan(ctx: ServiceContext, config: AppConfig, planId: string, idempotencyKey: string): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  assertMayCarryOutPlans(user);
  const key = validate(idempotencyKeySchema, idempotencyKey, 'idempotencyKey');
  const plan = await getPlanInScope(db, user, planId);
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    if (
      await claimIdempotencyKey(tx, {
        kind: 'executeDispatchPlan',
        actorId: user.id,
        key,
        input: { planId: plan.id },
        resultId: plan.id!,
        resultName: 'planId',
        at: now,
      })
    )
      return false;
    const row = await lockPlan(tx, plan.id!);
    if (row.status !== 'APPROVED')
      throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, row.status)}，只有已批准的方案可以执行`, {
        field: 'planId',
        status: row.status,
      });
    await lockOpenIncident(tx, row.incidentId, 'share', 'planId');

    const waiting = plan.lines.filter((l) => l.needsConsent && l.consent === 'PENDING');
    if (waiting.length) {
      throw invalidState(`方案中 ${waiting.length} 行使用其他辖区的库存，尚待对方同意（跨区域调用），同意或拒绝后才能执行`, {
        field: 'planId',
        lineNos: waiting.map((l) => l.lineNo),
      });
    }
    assertPlansSomething(plan); // every line refused since the approval: nothing to ship
    // D25: its 联储 lines decided again — an agreement that expired since approval means the line needs consent.
    const joint = await assertJointLinesCovered(tx, { id: plan.id!, jurisdictionCode: row.jurisdictionCode, lines: plan.lines }, chinaDateOf(now), {
      verb: '执行',
      lock: false,
    });
    const storeLines = usableStoreLines(plan);
    const [incident] = await tx.select().from(incidents).where(eq(incidents.id, plan.incidentId));
    // D15, D25: owed by the jurisdiction the plan was made for, as fixed at its request (planningJurisdiction: a
    // system-wide administrator's for the incident's city, as its consents were decided) — not the requester's region
    // now (sweep 19c F5: a requester moved to 晋城 made 晋城 owe 卫辉 for 新乡's plan on 卫辉's stock).
    const owedBy = row.jurisdictionCode;
    const destStore = new Map(plan.destinations.map((d) => [d.idx, d.storeId!]));
    // Every balance row the shipments touch, at sources and destinations, locked in one statement.
    const locked = await lockBalances(tx, {
      keys: storeLines.flatMap((l) => [
        { storeId: l.storeId!, batchId: l.batchId! },
        { storeId: destStore.get(l.destinationIdx)!, batchId: l.batchId! },
      ]),
    });
    // D26: a batch that expired after approval is frozen and does not ship.
    assertNoneExpired(
      storeLines.map((l) => locked.get(`${l.storeId}|${l.batchId}`)!),
      chinaDateOf(now),
    );
    // D6, D17: its agreement lines decided again, as at approval — an agreement that expired, or a spot check that
    // counted the company down, since the approval issues no call-off (after the balances, as at approval).
    await assertAgreementStockAtExecution(tx, plan, chinaDateOf(now), capacityHorizonDays(config));
    const groups = new Map<string, typeof storeLines>();
    for (const l of storeLines) {
      const g = `${l.storeId}|${l.destinationIdx}`;
      groups.set(g, [...(groups.get(g) ?? []), l]);
    }
    const sourceIds = [...new Set(storeLines.map((l) => l.storeId!))];
    const storeRows = sourceIds.length ? await tx.select().from(stores).where(inArray(stores.id, sourceIds)) : [];
    const storeOf = new Map(storeRows.map((s) => [s.id, s]));
    const ownerRegion = await ownerRegionsOf(
      tx,
      storeLines.map((l) => l.batchId!),
    );
    for (const [g, lines] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const [fromId, destIdx] = g.split('|');
      const toId = destStore.get(Number(destIdx))!;
      const documentId = stableId('document', `executeDispatchPlan/${user.id}/${key}/${g}`);
      const transferId = stableId('transfer', documentId);
      const price = (batchId: string) => locked.get(`${fromId}|${batchId}`)!.unitPrice;
      const moves: MovementDraft[] = lines.flatMap((l) => [
        { storeId: fromId, batchId: l.batchId!, itemId: l.itemId, bucket: 'ON_HAND', quantity: -l.quantity, unitPrice: price(l.batchId!) },
        { storeId: toId, batchId: l.batchId!, itemId: l.itemId, bucket: 'IN_TRANSIT', quantity: l.quantity, unitPrice: price(l.batchId!) },
      ]);
      // Each shipment's document is keyed by its own id: the execution's key is claimed once, above.
      await writeDocument(
        tx,
        {
          kind: 'executeDispatchPlan',
          actor: user,
          key: documentId,
          hash: requestHash({ planId: plan.id, group: g }),
          documentId,
          occurredAt: now,
          recordedAt: now,
        },
        {
          type: 'TRANSFER_OUT',
          storeId: fromId,
          counterpartStoreId: toId,
          transferId,
          incidentId: plan.incidentId,
          // D14: the 调拨令 it executes, by the number printed on it (sweep 13b #2: an id's first characters named no paper).
          note: `调拨令 ${planNumber(plan.id!, plan.row!.requestedAt)}：${plan.destinations[Number(destIdx)].name}`,
          locked,
          lines: lines.map((l) => ({ itemId: l.itemId, batchId: l.batchId!, quantity: -l.quantity, unitPrice: price(l.batchId!) })),
          movements: moves,
          // The reservation made at approval is what ships.
          reservations: lines.map((l) => ({ storeId: fromId, batchId: l.batchId!, itemId: l.itemId, quantity: -l.quantity })),
          afterPost: async (t, posted) => {
            await t.insert(transfers).values({
              id: transferId,
              number: posted.number,
              status: 'IN_TRANSIT',
              fromStoreId: fromId,
              toStoreId: toId,
              dispatchPlanId: plan.id,
              shippedBy: user.id,
              shippedAt: now,
              updatedAt: now,
            });
            const perBatch = new Map<string, { itemId: string; quantity: number }>();
            for (const l of lines) {
              const e = perBatch.get(l.batchId!);
              if (e) e.quantity += l.quantity;
              else perBatch.set(l.batchId!, { itemId: l.itemId, quantity: l.quantity });
            }
            await t.insert(transferLines).values([...perBatch].map(([batchId, e]) => ({ transferId, batchId, itemId: e.itemId, shipped: e.quantity })));
          },
        },
      );
      for (const l of lines)
        await tx
          .update(dispatchLines)
          .set({ transferId })
          .where(and(eq(dispatchLines.planId, plan.id!), eq(dispatchLines.lineNo, l.lineNo)));
      // D15, D25: stock that serves outside its own area is owed back by the jurisdiction that ordered it — to whose
      // stock it is (D3: its owner, not the store that holds it; sweep 14c HIGH-1).
      const from = storeOf.get(fromId)!;
      for (const l of lines) {
        const owner = ownerRegion.get(l.batchId!) ?? from.regionCode;
        if (!owesSettlement(owner, incident.regionCode, owedBy)) continue;
        await openSettlement(
          tx,
          {
            planId: plan.id!,
            lineNo: l.lineNo,
            owedToRegion: owner,
            owedByRegion: owedBy,
            storeId: fromId,
            itemId: l.itemId,
            quantity: l.quantity,
            value: (l.quantity * Number(price(l.batchId!))).toFixed(2),
            jointAgreementId: joint.get(l.lineNo) ?? l.jointAgreementId,
          },
          now,
        );
      }
    }
    // D17: call-off orders to agreement companies; production orders to capacity holders.
    const reserveLines = usableLines(plan).filter((x) => x.sourceKind !== 'STORE');
    const reserveOf = await reservesOf(tx, reserveLines);
    for (const l of reserveLines) {
      await tx.insert(callOffs).values({
        id: stableId('call-off', `${plan.id}/${l.lineNo}`),
        planId: plan.id!,
        agreementId: l.agreementId!,
        itemId: l.itemId,
        destinationIdx: l.destinationIdx,
        quantity: l.quantity,
        status: 'ISSUED',
        issuedAt: now,
      });
      // D25, D15: a reserve belongs to the region of its agreement; used outside that region's area it is owed back,
      // as store stock is, at the agreement's price — no price agreed: at the item's reference price, an estimate
      // (Settlement.valueBasis), until the delivery is booked at its price (sweep 18a F18: it was 0.00, "nothing owed").
      const reserve = reserveOf.get(`${l.agreementId}|${l.itemId}`)!;
      if (owesSettlement(reserve.regionCode, incident.regionCode, owedBy)) {
        await openSettlement(
          tx,
          {
            planId: plan.id!,
            lineNo: l.lineNo,
            owedToRegion: reserve.regionCode,
            owedByRegion: owedBy,
            // The company's store; an agreement without one is recorded against the receiving store (settlements name a store).
            storeId: reserve.storeId ?? destStore.get(l.destinationIdx)!,
            itemId: l.itemId,
            quantity: l.quantity,
            value: moneyTimes(l.quantity, callOffSettlementPrice(reserve.unitPrice, reserve.referencePrice)),
            jointAgreementId: joint.get(l.lineNo) ?? l.jointAgreementId,
          },
          now,
        );
      }
    }
    await tx.update(dispatchPlans).set({ status: 'EXECUTING', executedBy: user.id, executedAt: now, executionKey: key }).where(eq(dispatchPlans.id, plan.id!));
    await startWrittenApprovalClock(tx, plan.id!, now); // D14: papers within 48 h of the execution
    await publishPlanStatus(tx, plan.id!, 'EXECUTING'); // told on commit, before a COMPLETED that follows
    await refreshPlanCompletion(tx, plan.id!, now);
    return true;
  });
  return loadPlan(db, plan.id!);
}

/**
 * D6, D17: executing a plan issues its call-offs; the stock they call off must still be promised as approval promised
 * it (sources.ts assertAgreementStock: the agreement valid today, its effective quantity less what other approved plans
 * and issued call-offs claim). What approval refuses as INSUFFICIENT_STOCK is, at execution, a plan that can no longer be
 * carried out as approved: INVALID_STATE naming the line, as for a 联储 cover (consent.ts). Nothing is shipped or issued.
 */
async function assertAgreementStockAtExecution(tx: Db, plan: PlanView, today: string, horizonDays: number): Promise<void> {
  try {
    await assertAgreementStock(tx, plan.id!, usableLines(plan), today, horizonDays);
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'INSUFFICIENT_STOCK') throw error;
    throw invalidState(`不能执行：${error.message}`, { ...error.details });
  }
}

/** The agreement (region, company store), agreed unit price and the item's reference price of each agreement or capacity line, by `${agreementId}|${itemId}`. */
async function reservesOf(tx: Db, lines: PlanView['lines']) {
  const ids = [...new Set(lines.map((l) => l.agreementId!))];
  if (!ids.length) return new Map<string, { regionCode: string; storeId: string | null; unitPrice: string | null; referencePrice: string | null }>();
  const rows = await tx
    .select({
      agreementId: agreements.id,
      itemId: agreementLines.itemId,
      regionCode: agreements.regionCode,
      storeId: agreements.storeId,
      unitPrice: agreementLines.unitPrice,
      referencePrice: items.referencePrice,
    })
    .from(agreements)
    .innerJoin(agreementLines, eq(agreementLines.agreementId, agreements.id))
    .innerJoin(items, eq(items.id, agreementLines.itemId))
    .where(inArray(agreements.id, ids));
  return new Map(rows.map((r) => [`${r.agreementId}|${r.itemId}`, r]));
}

const deliverySchema = z.object({
  callOffId: idSchema,
  // D17: what the company delivered, when less than called off (the rest is released); omitted: all of it.
  quantity: z.number().int('数量须为整数').positive('数量须大于 0').nullish(),
  batchNo: batchNoSchema.nullish(),
  productionDate: z.string().nullish(),
  expiryDate: z.string().nullish(),
  unitPrice: z.string().nullish(),
  idempotencyKey: idempotencyKeySchema,
});

/** A call-off of a plan the principal may carry out (assertMayCarryOutPlans, getPlanInScope), named at `field`. */
async function callOffInScope(db: Db, user: ServiceContext['actor'], callOffId: string, field: string) {
  assertMayCarryOutPlans(user);
  return callOffToConfirm(db, user, callOffId, field);
}

/**
 * A call-off whose delivery the principal may confirm (assertMayConfirmCallOffDelivery, D14, D17, D24 — sweep 20c F1):
 * a plan's in their region for those who carry plans out (getPlanInScope), or one delivering to a 安置点 the keeper
 * manages. Named at `field`.
 */
async function callOffToConfirm(db: Db, user: ServiceContext['actor'], callOffId: string, field: string) {
  // An auditor is refused before the call-off is looked up; a keeper once its destination is known.
  if (user.role !== 'KEEPER') assertMayConfirmCallOffDelivery(user, null);
  uuidArg(callOffId, field, '调用单');
  const [callOff] = await db.select().from(callOffs).where(eq(callOffs.id, callOffId));
  if (!callOff) throw notFound(field, '调用单', callOffId);
  if (user.role !== 'KEEPER') return { callOff, plan: await getPlanInScope(db, user, callOff.planId, field) };
  const plan = await loadPlan(db, callOff.planId);
  assertMayConfirmCallOffDelivery(user, plan.destinations[callOff.destinationIdx]?.storeId ?? null);
  return { callOff, plan };
}

/** The plan line a call-off was issued for (execution names it `${planId}/${lineNo}`): its settlement's key. */
function lineNoOfCallOff(plan: PlanView, callOffId: string): number | null {
  return plan.lines.find((l) => l.sourceKind !== 'STORE' && stableId('call-off', `${plan.id}/${l.lineNo}`) === callOffId)?.lineNo ?? null;
}

/**
 * D14, D24 (sweep 19c F6): who approved a plan alone under the emergency path (紧急批准) does not also confirm what a
 * company delivered against it: the delivery books the goods and makes the price owed, so one person would have ordered,
 * approved and paid. Until another person records the written approval (补办), the 安置点's keeper or another dispatcher
 * with authority confirms it; afterwards two people stand behind the plan.
 */
function assertNotSoleEmergencyApprover(user: Principal, plan: PlanView): void {
  const row = plan.row!;
  if (!row.emergency || row.writtenApprovedAt !== null || row.approvedBy !== user.id) return;
  throw new DomainError(
    'FORBIDDEN',
    '不相容岗位分离：紧急批准本方案的人员不能再确认协议企业到货（确认后即按合同价形成应付款）：请由安置点库管员或另一位有权限的调度员确认；书面审批补办后不受此限',
    { field: 'input.callOffId' },
  );
}

/**
 * A called-off agreement or capacity delivery arrives: it becomes ledger stock at the destination (D6, D17). A company
 * that delivers less than called off (`quantity`) closes the call-off: what it delivered is booked, counted as taken
 * from the agreement and owed back (settlement) — the rest is released: it no longer claims the agreement's stock or
 * capacity, and the plan completes when nothing else is outstanding, as with a transfer received short.
 */
export async function confirmCallOffDelivery(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock } = ctx;
  const v = validate(deliverySchema, input);
  const { callOff, plan } = await callOffToConfirm(db, user, v.callOffId, 'input.callOffId');
  assertNotSoleEmergencyApprover(user, plan);
  // A DELIVERED call-off goes on to receiveStock: the same idempotency key replays the first receipt, another key
  // fails below when the call-off is no longer ISSUED.
  if (callOff.status !== 'ISSUED' && callOff.status !== 'DELIVERED')
    throw invalidState(`调用单状态为${statusText(CALL_OFF_STATUS_NAMES, callOff.status)}，不能确认到货`, {
      field: 'input.callOffId',
      status: callOff.status,
    });
  const quantity = v.quantity ?? callOff.quantity;
  if (quantity > callOff.quantity) {
    throw badInput('input.quantity', `交货数量 ${quantity} 超过调用单数量 ${callOff.quantity}`, { ordered: callOff.quantity });
  }
  const [line] = await queryRows<{ unit_price: string | null; company: string; mode: string; region_code: string }>(
    db,
    sql`SELECT l.unit_price::text AS unit_price, o.name AS company, a.mode, a.region_code FROM agreement_lines l JOIN agreements a ON a.id = l.agreement_id
          JOIN organizations o ON o.id = a.company_org_id WHERE l.agreement_id = ${callOff.agreementId}::uuid AND l.item_id = ${callOff.itemId}::uuid`,
  );
  if (!line) throw invalidState('协议已无该物资的条款，不能确认到货', { field: 'input.callOffId' });
  const unitPrice = deliveryUnitPrice(line.unit_price, v.unitPrice);
  // D3, D21: goods bought under an agreement are the contracting government's, paid from its level's funds, wherever
  // they are delivered (a city agreement's goods at a county's 安置点 are the city's).
  const level = levelOfCode(line.region_code);
  const lineNo = lineNoOfCallOff(plan, callOff.id);
  // D22, D7 (sweep 12c C11): the receipt cites the 调拨令 line and the agreement's contract, not the call-off's id.
  const cited = { planId: callOff.planId, requestedAt: plan.row!.requestedAt, lineNo };
  return asDeliveryFields(
    receiveStock(
      ctx,
      {
        storeId: plan.destinations[callOff.destinationIdx].storeId!,
        source: 'EMERGENCY_PURCHASE',
        sourceName: line.company,
        ...(await callOffReceiptSource(db, callOff.agreementId, cited)),
        incidentId: plan.incidentId,
        idempotencyKey: v.idempotencyKey,
        lines: [
          {
            itemId: callOff.itemId,
            quantity,
            batchNo: v.batchNo,
            productionDate: v.productionDate,
            expiryDate: v.expiryDate,
            unitPrice,
            fundingSource: level === 'VILLAGE' ? 'TOWNSHIP' : level,
            ownerOrgId: await governmentOf(db, line.region_code),
          },
        ],
      },
      {
        ownerByAgreement: true,
        afterPost: async (tx, posted) => {
          const now = clock.now().toJSDate();
          // Guarded: a call-off is delivered once, even by two concurrent confirmations under different keys, and
          // never once cancelled.
          const delivered = await tx
            .update(callOffs)
            .set({ status: 'DELIVERED', deliveredAt: now, deliveredQuantity: quantity, receiptDocumentId: posted.id })
            .where(and(eq(callOffs.id, callOff.id), eq(callOffs.status, 'ISSUED')))
            .returning({ id: callOffs.id });
          if (!delivered.length) {
            const [current] = await tx.select({ status: callOffs.status }).from(callOffs).where(eq(callOffs.id, callOff.id));
            throw invalidState(current?.status === 'CANCELLED' ? '调用单已取消，不能确认到货' : '调用单已确认到货，不能重复入库', {
              field: 'input.callOffId',
              status: current?.status ?? 'DELIVERED',
            });
          }
          if (lineNo !== null && quantity < callOff.quantity) {
            await reduceSettlementOfCallOff(tx, {
              planId: callOff.planId,
              lineNo,
              undelivered: callOff.quantity - quantity,
              reference: `${callOffCitation(cited)} 交货 ${quantity}（调用 ${callOff.quantity}），其余未调用，无需归还`,
              actorId: user.id,
              at: now,
              field: 'input.quantity',
            });
          }
          // D21, D25 (sweep 18a F18): what is owed for the goods is what they were booked at.
          if (lineNo !== null) await priceSettlementOfCallOff(tx, { planId: callOff.planId, lineNo, unitPrice });
          await refreshPlanCompletion(tx, callOff.planId, now);
        },
      },
    ),
  );
}

/**
 * cancelCallOff (D17): a call-off the company cannot (or need not) deliver is cancelled before delivery, with a reason,
 * as a transfer is cancelled before receipt: it no longer claims the agreement's stock or capacity (agreementClaims
 * counts ISSUED call-offs only), the settlement it opened for another region's reserve is reduced by it
 * (reduceSettlementOfCallOff), and its plan completes when nothing else is outstanding (refreshPlanCompletion).
 * Only an ISSUED call-off is cancelled; the row is locked, so a delivery confirmed meanwhile wins or waits.
 */
export async function cancelCallOff(ctx: ServiceContext, callOffId: string, reason: string): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  const { callOff } = await callOffInScope(db, user, callOffId, 'callOffId');
  const why = textArg('reason', reason, { required: '须填写取消原因', max: 500, tooLong: '取消原因不超过 500 个字' })!;
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    await queryRows(tx, sql`SELECT id FROM call_offs WHERE id = ${callOff.id}::uuid FOR UPDATE`);
    const [current] = await tx.select().from(callOffs).where(eq(callOffs.id, callOff.id));
    if (current.status !== 'ISSUED') {
      throw invalidState(`调用单状态为${statusText(CALL_OFF_STATUS_NAMES, current.status)}，只有尚未到货的调用单可以取消`, {
        field: 'callOffId',
        status: current.status,
      });
    }
    await tx.update(callOffs).set({ status: 'CANCELLED', cancelledAt: now, cancelReason: why }).where(eq(callOffs.id, callOff.id));
    const plan = await loadPlan(tx, callOff.planId);
    const lineNo = lineNoOfCallOff(plan, callOff.id);
    if (lineNo !== null) {
      await reduceSettlementOfCallOff(tx, {
        planId: callOff.planId,
        lineNo,
        undelivered: current.quantity,
        reference: `${callOffCitation({ planId: callOff.planId, requestedAt: plan.row!.requestedAt, lineNo })} 已取消，未调用，无需归还`,
        actorId: user.id,
        at: now,
        field: 'callOffId',
      });
    }
    await refreshPlanCompletion(tx, callOff.planId, now);
  });
  return loadPlan(db, callOff.planId);
}

/**
 * D6, D21: a call-off delivery is booked at the agreement's unit price — the price the contract commits the company to
 * and the contingent value counted. A different price is refused (a renegotiated price is a new agreement), and so is
 * a price of 0 or less: the goods would enter the ledger at no value. Only a line without a price (none or 0.00 agreed)
 * takes the price stated.
 */
function deliveryUnitPrice(agreed: string | null, stated: string | null | undefined): string {
  const price = stated === null || stated === undefined ? null : parseMoney(stated, 'input.unitPrice');
  if (price !== null && toFen(price) <= 0n) throw badInput('input.unitPrice', '单价须大于 0');
  const contract = agreed === null ? null : formatMoney(agreed);
  if (contract !== null && toFen(contract) > 0n) {
    if (price !== null && price !== contract) {
      throw badInput('input.unitPrice', `协议单价为 ${contract} 元，调用到货按协议单价入库，不能填写 ${price} 元`, { contractPrice: contract });
    }
    return contract;
  }
  if (price === null) throw badInput('input.unitPrice', '协议未约定单价，须填写单价');
  return price;
}

/** The fields of CallOffDeliveryInput: the delivery's one receipt line is flat in it. */
const DELIVERY_FIELDS = new Set(['callOffId', 'quantity', 'batchNo', 'productionDate', 'expiryDate', 'unitPrice', 'idempotencyKey']);

/** A receipt field path as the call-off input names it: input.lines.0.batchNo → input.batchNo; what the call-off decides (store, item, owner) → input.callOffId. */
function deliveryField(field: string): string {
  const name = /^input\.(?:lines\.0\.)?([A-Za-z]+)$/.exec(field)?.[1];
  return name && DELIVERY_FIELDS.has(name) ? `input.${name}` : 'input.callOffId';
}

/** #17: the receipt's refusals name the argument paths of confirmCallOffDelivery, not those of receiveStock. */
async function asDeliveryFields<T>(receipt: Promise<T>): Promise<T> {
  try {
    return await receipt;
  } catch (error) {
    const field = isDomainError(error) ? error.details.field : undefined;
    if (!isDomainError(error) || typeof field !== 'string' || !field.startsWith('input.')) throw error;
    const issues = error.details.issues as { field: string; message: string }[] | undefined;
    throw new DomainError(error.code, error.message.replaceAll(field, deliveryField(field)), {
      ...error.details,
      field: deliveryField(field),
      ...(issues ? { issues: issues.map((i) => ({ ...i, field: deliveryField(i.field) })) } : {}),
    });
  }
}

/**
 * D23: a shipment citing a dispatch plan is part of that plan's execution: the plan must exist and be executing, and
 * what ships must stay within what its lines from this source to this destination have still to ship (remainingToShip,
 * per batch; wired into shipTransfer) — the 补发 of a cancelled shipment or of a loss in transit once written off (D27,
 * D28), covered by the plan's approval for exactly that quantity. A loss whose write-off is still pending is not yet a
 * loss (sweep 20c F8): the refusal names the 核销单 to be approved first. A plan that takes nothing from the shipping
 * store is refused before its state is told (sweep 7b L13: another region's plan answered its status): NOT_FOUND when
 * there is none, FORBIDDEN when the shipper may not read it (API.md: out of scope, as dispatchPlan(id) answers), else
 * BAD_USER_INPUT. D22, D23, D28 (sweep 20c F5): the shipment's business time is no earlier than the plan's execution,
 * nor than the cancellation or approved write-off that gave back what it ships (planShipmentNotBefore).
 */
export async function checkPlanShipment(
  tx: Db,
  planId: string,
  shipment: { fromStoreId: string; toStoreId: string; occurredAt: Date; picks: readonly { itemId: string; batchId: string; quantity: number }[] },
  actor: Principal,
): Promise<void> {
  const [source] = await queryRows<{ one: number }>(
    tx,
    sql`SELECT 1 AS one FROM dispatch_lines WHERE plan_id = ${planId}::uuid AND source_kind = 'STORE' AND store_id = ${shipment.fromStoreId}::uuid LIMIT 1`,
  );
  if (!source) {
    await getPlanInScope(tx, actor, planId, 'input.dispatchPlanId');
    throw badInput('input.dispatchPlanId', '该调拨方案没有从调出仓库调拨的物资，不能以它发运');
  }
  const row = await lockPlan(tx, planId);
  if (row.status !== 'EXECUTING') {
    // A plan closed short (cancelDispatchPlan) was closed because what was missing will not be shipped again.
    const closed = row.status === 'COMPLETED' && row.cancelReason ? `（已结束方案：${row.cancelReason}）` : '';
    throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, row.status)}${closed}，只能为执行中的方案补发调拨`, {
      field: 'input.dispatchPlanId',
      status: row.status,
    });
  }
  // D23: the plan is the order: nothing leaves against it before it was executed (sweep 20c F5: a 补发 dated ten hours
  // before the execution made the incident's 10-hour record say yes, D28).
  if (row.executedAt && shipment.occurredAt < row.executedAt) throw shippedTooEarly(shipment.occurredAt, row.executedAt, '调拨方案执行');
  const rows = new Map(
    (await remainingToShip(tx, planId)).filter((r) => r.fromStoreId === shipment.fromStoreId && r.toStoreId === shipment.toStoreId).map((r) => [r.batchId, r]),
  );
  const left = new Map([...rows].map(([batchId, r]) => [batchId, r.remaining]));
  for (const [i, p] of shipment.picks.entries()) {
    const remaining = left.get(p.batchId) ?? 0;
    if (p.quantity > remaining) {
      const r = rows.get(p.batchId);
      // Sweep 22c F6: quantities with the item's unit (quantityText), read on this refusal's path; the details keep numbers.
      const [item] = await queryRows<{ unit: string }>(tx, sql`SELECT unit FROM items WHERE id = ${p.itemId}::uuid`);
      const amount = (n: number) => quantityText(n, item?.unit);
      throw badInput(
        `input.lines.${i}.quantity`,
        `超出调拨方案：该批次从此仓库到此安置点尚可调拨 ${amount(Math.max(remaining, 0))}，本次 ${amount(p.quantity)}${r ? await whyNoMore(tx, planId, r, amount) : ''}`,
        { remaining: Math.max(remaining, 0), ...(r?.reShipsLoss && r.awaitingWriteOff > 0 ? { awaitingWriteOff: r.awaitingWriteOff } : {}) },
      );
    }
    left.set(p.batchId, remaining - p.quantity);
  }
  const at = await planShipmentNotBefore(tx, planId, shipment, rows);
  if (at && shipment.occurredAt < at.time) throw shippedTooEarly(shipment.occurredAt, at.time, at.what);
}

/** Why a 补发 may not make good a loss in transit: it owes a settlement (D25, D15), or its write-off is pending (D27). */
async function whyNoMore(tx: Db, planId: string, r: RemainingToShip, amount: (n: number) => string): Promise<string> {
  // D25, D15: another jurisdiction's (or a lower level's) stock was agreed and is owed back for the line's quantity.
  if (!r.reShipsLoss) {
    return r.lostInTransit > 0
      ? `（在途短少的 ${amount(r.lostInTransit)}动用的是其他辖区或下级的储备，对方同意和应归还的数量以方案为准，不能在本方案内补发：请另行申请调拨方案）`
      : '';
  }
  if (r.awaitingWriteOff <= 0) return '';
  // D27 (sweep 20c F8): a loss is a loss once a second person approves its write-off — until then the goods may yet be
  // found and received, and a 补发 would take more from the store than the plan approved.
  const pending = await queryRows<{ number: string }>(
    tx,
    sql`SELECT DISTINCT d.number FROM transfers t
          JOIN documents d ON d.transfer_id = t.id AND d.type = 'WRITE_OFF' AND d.status = 'PENDING_APPROVAL'
          JOIN document_lines dl ON dl.document_id = d.id AND dl.batch_id = ${r.batchId}::uuid
         WHERE t.dispatch_plan_id = ${planId}::uuid AND t.from_store_id = ${r.fromStoreId}::uuid AND t.to_store_id = ${r.toStoreId}::uuid
         ORDER BY d.number`,
  );
  const which = pending.length ? `核销单 ${pending.map((p) => p.number).join('、')}` : '核销单';
  return `（另有在途短少 ${amount(r.awaitingWriteOff)}尚待核销审批：${which} 审批通过后才能补发）`;
}

/** A plan's shipment dated before `earliest` (input.occurredAt), both said in China time — to the second when the minutes agree. */
function shippedTooEarly(at: Date, earliest: Date, what: string): DomainError {
  const china = chinaTextsApart(at, earliest);
  return badInput('input.occurredAt', `补发时间 ${china(at)} 早于${what}的时间 ${china(earliest)}（北京时间）：方案的调拨不能早于此时，请核对业务时间`, {
    earliest: chinaIso(earliest),
  });
}

/**
 * D22, D23, D27 (sweep 20c F5): the earliest business time of a plan's shipment beyond its execution (补发) — when what
 * it ships was given back: a shipment of the plan between the same two stores cancelled, or its loss in transit written
 * off (the approval's time: D27, a loss is a loss once approved). Per batch, the 补发 is dated once the quantities given
 * back up to its date cover every shipment of the plan beyond what it approved, this one included (whatever their dates:
 * goods not given back stay out): the time of the give-back that reaches that. Null when nothing bounds it.
 */
async function planShipmentNotBefore(
  tx: Db,
  planId: string,
  shipment: { fromStoreId: string; toStoreId: string; picks: readonly { batchId: string; quantity: number }[] },
  rows: ReadonlyMap<string, RemainingToShip>,
): Promise<{ time: Date; what: string } | null> {
  const batchIds = [...new Set(shipment.picks.map((p) => p.batchId))];
  const events = await queryRows<{ batch_id: string; type: string; at: string | Date; quantity: number; number: string; transfer_number: string }>(
    tx,
    sql`SELECT m.batch_id, d.type, m.recorded_at AS at, -m.quantity AS quantity, d.number, t.number AS transfer_number
          FROM transfers t
          JOIN documents d ON d.transfer_id = t.id AND d.type IN ('TRANSFER_CANCEL', 'WRITE_OFF') AND d.status = 'POSTED'
          JOIN movements m ON m.document_id = d.id AND m.store_id = t.to_store_id AND m.bucket = 'IN_TRANSIT' AND m.quantity < 0
         WHERE t.dispatch_plan_id = ${planId}::uuid AND t.from_store_id = ${shipment.fromStoreId}::uuid AND t.to_store_id = ${shipment.toStoreId}::uuid
           AND m.batch_id IN (${uuidList(batchIds)})
         ORDER BY m.recorded_at, m.id`,
  );
  let latest: { time: Date; what: string } | null = null;
  for (const batchId of batchIds) {
    const r = rows.get(batchId)!;
    const quantity = shipment.picks.filter((p) => p.batchId === batchId).reduce((n, p) => n + p.quantity, 0);
    // A loss on a line owing a settlement gives nothing back (remainingToShip: reShipsLoss).
    const back = events.filter((e) => String(e.batch_id) === batchId && (e.type === 'TRANSFER_CANCEL' || r.reShipsLoss));
    // Given back in all less what may still ship after this one: what had to be given back by its date.
    let need = back.reduce((n, e) => n + Number(e.quantity), 0) - (r.remaining - quantity);
    for (const e of back) {
      if (need <= 0) break;
      need -= Number(e.quantity);
      if (need > 0) continue;
      const time = new Date(e.at);
      if (!latest || time > latest.time) {
        latest = { time, what: e.type === 'WRITE_OFF' ? `核销单 ${e.number} 审批通过` : `调拨单 ${e.transfer_number} 撤销` };
      }
    }
  }
  return latest;
}
