import { inArray } from 'drizzle-orm';
import type { Db } from '../drizzle/client.ts';
import { transferLines } from '../drizzle/schema/index.ts';
import type { Clock } from '../server/clock.ts';
import { loadConfig, type AppConfig } from '../server/config.ts';
import { createIncident } from '../server/dispatch/incidents.ts';
import { approveDispatchPlan, completePlanOnTransferReceipt, requestDispatch } from '../server/dispatch/plans.ts';
import { executeDispatchPlan } from '../server/dispatch/execution.ts';
import { receiveTransfer } from '../server/inventory/transfers.ts';
import { openDistributionPoint } from '../server/relief/points.ts';
import { upsertReliefStandard } from '../server/relief/standards.ts';
import { distributeRelief } from '../server/relief/distributions.ts';
import { recoverByCondition } from '../server/relief/recovery.ts';
import { loadPrincipal } from '../server/users/service.ts';
import { userId } from './demo.ts';
import { itemId } from './reference.ts';
import { audited } from './audited.ts';

// The demo flood in 卫辉市 (D16, D28–D30), nine hours old when the demo is loaded: two 安置点 managed by the demo keeper,
// relief standards, a plan executed and received, distributions to households, and tents recovered by condition — each
// with its audit row, as the mutation it stands for writes one (D22, seeds/audited.ts; sweep 9c F3).

const QUILT = itemId('LIV-004'); // 棉被
const BLANKET = itemId('LIV-006'); // 毛毯
const COTTON_TENT = itemId('LIV-001'); // 棉帐篷
const BED = itemId('LIV-010'); // 折叠床

export async function seedDemoRelief(db: Db, clock: Clock, config: AppConfig = loadConfig({})): Promise<void> {
  const as = async (username: string) => ({ db, actor: (await loadPrincipal(db, userId(username)))!, clock });
  const dispatcher = await as('dispatcher');
  const incident = await audited(dispatcher, 'createIncident', createIncident, {
    name: '卫辉市洪涝灾害（演示）',
    type: 'FLOOD',
    occurredAt: clock.now().minus({ hours: 9 }),
    regionCode: '410781',
    location: { lat: 35.398, lng: 114.064 },
    affectedPopulation: 2400,
    responseLevel: 4,
  });
  const point = (name: string, regionCode: string, lat: number, lng: number, address: string, capacity: number) =>
    audited(dispatcher, 'openDistributionPoint', openDistributionPoint, {
      incidentId: incident.id,
      name,
      regionCode,
      lat,
      lng,
      address,
      capacity,
      managerIds: [userId('keeper')],
    });
  const jishui = await point('汲水镇第一小学安置点', '410781100000', 35.3985, 114.065, '卫辉市汲水镇第一小学操场', 1500);
  const tangzhuang = await point('唐庄镇中心学校安置点', '410781105000', 35.45, 113.97, '卫辉市唐庄镇中心学校', 900);
  const keeper = await as('keeper'); // now managing both points
  for (const s of [
    { regionCode: '410781', itemId: QUILT, perPerson: 1 },
    { regionCode: '410781', itemId: BLANKET, perPerson: 1 },
    { regionCode: '410700', itemId: BED, perHousehold: 1 },
    { regionCode: '410700', itemId: COTTON_TENT, perHousehold: 1 },
  ])
    await audited(dispatcher, 'upsertReliefStandard', upsertReliefStandard, s);

  const plan = await audited(dispatcher, 'requestDispatch', (c, input) => requestDispatch(c, config, input), {
    incidentId: incident.id,
    destinations: [
      {
        name: jishui.name,
        regionCode: jishui.regionCode,
        lat: jishui.lat,
        lng: jishui.lng,
        storeId: jishui.id,
        lines: [
          { itemId: QUILT, quantity: 300 },
          { itemId: COTTON_TENT, quantity: 40 },
          { itemId: BED, quantity: 60 },
        ],
      },
      {
        name: tangzhuang.name,
        regionCode: tangzhuang.regionCode,
        lat: tangzhuang.lat,
        lng: tangzhuang.lng,
        storeId: tangzhuang.id,
        lines: [
          { itemId: QUILT, quantity: 200 },
          { itemId: BLANKET, quantity: 150 },
          { itemId: COTTON_TENT, quantity: 20 },
        ],
      },
    ],
  });
  const approval = { planId: plan.id!, emergency: true };
  await audited(dispatcher, 'approveDispatchPlan', (c, a) => approveDispatchPlan(c, config, a.planId, a.emergency), approval, approval);
  const execution = { planId: plan.id!, idempotencyKey: 'demo-relief-execute' };
  const executed = await audited(dispatcher, 'executeDispatchPlan', (c, a) => executeDispatchPlan(c, config, a.planId, a.idempotencyKey), execution, execution);
  // The point's manager receives each shipment (D29: managers receive transfers and distribute).
  const transferIds = [...new Set(executed.lines.flatMap((l) => (l.transferId ? [l.transferId] : [])))];
  const shipped = transferIds.length ? await db.select().from(transferLines).where(inArray(transferLines.transferId, transferIds)) : [];
  for (const [n, id] of transferIds.entries()) {
    await audited(keeper, 'receiveTransfer', (c, input) => receiveTransfer(c, input, completePlanOnTransferReceipt), {
      transferId: id,
      idempotencyKey: `demo-relief-receive-${n + 1}`,
      lines: shipped.filter((l) => l.transferId === id).map((l) => ({ batchId: l.batchId, quantity: l.shipped })),
    });
  }

  const households = [
    {
      point: jishui,
      headName: '王建国',
      size: 4,
      idNumber: '410781197803152417',
      address: '汲水镇汲水村二组 8 号',
      lines: [
        [QUILT, 4],
        [COTTON_TENT, 1],
        [BED, 1],
      ],
    },
    {
      point: jishui,
      headName: '李秀英',
      size: 2,
      idNumber: '410781195511260046',
      address: '汲水镇汲水村四组 15 号',
      lines: [
        [QUILT, 2],
        [BED, 1],
      ],
    },
    {
      point: jishui,
      headName: '张志强',
      size: 5,
      idNumber: '41078119860615301X',
      address: '汲水镇南庄村一组 3 号',
      lines: [
        [QUILT, 5],
        [COTTON_TENT, 1],
        [BED, 1],
      ],
    },
    {
      point: tangzhuang,
      headName: '赵桂兰',
      size: 3,
      idNumber: '410781196904061528',
      address: '唐庄镇唐庄村五组 21 号',
      lines: [
        [QUILT, 3],
        [BLANKET, 3],
      ],
    },
    {
      point: tangzhuang,
      headName: '刘长海',
      size: 6,
      idNumber: '410781197201173317',
      address: '唐庄镇后沟村三组 6 号',
      lines: [
        [QUILT, 6],
        [BLANKET, 6],
        [COTTON_TENT, 1],
      ],
    },
  ] as const;
  for (const [n, h] of households.entries()) {
    await audited(keeper, 'distributeRelief', distributeRelief, {
      storeId: h.point.id,
      incidentId: incident.id,
      household: { headName: h.headName, size: h.size, idNumber: h.idNumber, address: h.address },
      lines: h.lines.map(([item, quantity]) => ({ itemId: item, quantity })),
      signatureRef: `QS-${String(n + 1).padStart(4, '0')}`,
      idempotencyKey: `demo-relief-distribution-${n + 1}`,
    });
  }
  // D30: tents not handed out come back — good ones to the store they were shipped from; damaged and lost ones wait
  // for approval (D27) as a pending scrap and a pending write-off.
  const tents = executed.lines.find((l) => l.itemId === COTTON_TENT && l.destinationIdx === 0 && l.batchId && l.quantity >= 8);
  if (tents) {
    await audited(dispatcher, 'recoverIncidentStock', recoverByCondition, {
      planId: plan.id!,
      idempotencyKey: 'demo-relief-recovery-1',
      lines: [{ batchId: tents.batchId!, storeId: jishui.id, good: Math.min(10, tents.quantity - 5), damaged: 2, lost: 1 }],
    });
  }
}
