import { asc, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { stores } from '../drizzle/schema/index.ts';
import type { Db } from '../drizzle/client.ts';
import type { Clock } from '../server/clock.ts';
import { loadConfig, type AppConfig } from '../server/config.ts';
import type { ServiceContext } from '../server/context.ts';
import { issueStock } from '../server/inventory/issues.ts';
import { receiveStock } from '../server/inventory/receipts.ts';
import { submitStocktake } from '../server/inventory/stocktakes.ts';
import { shipTransfer } from '../server/inventory/transfers.ts';
import { requestOutboundOrder } from '../server/authority/orders.ts';
import { decideApproval } from '../server/authority/decide.ts';
import { pendingApprovalsOf } from '../server/authority/queue.ts';
import { loadPrincipal } from '../server/users/service.ts';
import { batchIdOf } from '../server/inventory/batch-ids.ts';
import { storeId, userId } from './demo.ts';
import { itemId } from './reference.ts';
import { audited } from './audited.ts';

// Demo stock, posted through the ledger services so that documents, movements and balances agree.
// Quantities follow the plans' emphasis: 新乡 (flood), 卫辉 (its county store and townships), 珲春 (entrusted stores).

type Line = [itemCode: string, quantity: number, batchNo: string, productionDate: string, unitPrice?: string];

interface DemoReceipt {
  store: string;
  occurredAt: string;
  source?: 'PURCHASE' | 'DONATION';
  donor?: string;
  lines: Line[];
}

const receipts: DemoReceipt[] = [
  {
    store: 'S-410700-01', // 新乡市救灾物资储备库
    occurredAt: '2025-04-10T09:00:00+08:00',
    lines: [
      ['LIV-001', 600, 'XX-MZP-1904', '2019-04-01'], // 棉帐篷, rotation due
      ['LIV-001', 400, 'XX-MZP-2403', '2024-03-15'],
      ['LIV-004', 5000, 'XX-MB-2302', '2023-02-20'],
      ['LIV-010', 1200, 'XX-ZDC-2401', '2024-01-10'],
      ['LIV-012', 3000, 'XX-JTB-2405', '2024-05-06'],
      ['FLD-001', 80000, 'XX-BZD-2501', '2025-01-08'],
      ['FLD-009', 1500, 'XX-JSY-2010', '2020-10-12'], // 救生衣, rotation due
      ['FLD-012', 8, 'XX-CFZ-2303', '2023-03-01'], // 冲锋舟
    ],
  },
  {
    store: 'S-410781-01', // 卫辉市救灾物资储备库 (the demo keeper's store)
    occurredAt: '2025-05-20T10:00:00+08:00',
    lines: [
      ['LIV-001', 150, 'WH-MZP-2005', '2020-05-10'],
      ['LIV-002', 200, 'WH-DZP-2205', '2022-05-10'],
      ['LIV-004', 1800, 'WH-MB-2204', '2022-04-02'],
      ['LIV-006', 900, 'WH-MT-2303', '2023-03-18'],
      ['LIV-010', 300, 'WH-ZDC-2402', '2024-02-21'],
      ['FLD-001', 30000, 'WH-BZD-2501', '2025-01-15'],
      ['FLD-009', 400, 'WH-JSY-2104', '2021-04-09'],
    ],
  },
  {
    store: 'S-410781-01',
    occurredAt: '2025-07-28T15:00:00+08:00',
    source: 'DONATION',
    donor: '新乡市红十字会',
    lines: [['LIV-006', 500, 'WH-JZ-MT-2507', '2025-06-30', '85.00']],
  },
  {
    store: 'S-410781100-01',
    occurredAt: '2025-06-03T09:30:00+08:00',
    lines: [
      ['FLD-001', 3000, 'TZ-BZD-2505', '2025-05-01'],
      ['FLD-009', 60, 'TZ-JSY-2405', '2024-05-01'],
      ['LIV-004', 120, 'TZ-MB-2405', '2024-05-01'],
    ],
  },
  {
    store: 'S-410781101-01',
    occurredAt: '2025-06-03T11:00:00+08:00',
    lines: [
      ['FLD-001', 2000, 'TG-BZD-2505', '2025-05-01'],
      ['LIV-004', 80, 'TG-MB-2405', '2024-05-01'],
    ],
  },
  {
    store: 'S-410721-01',
    occurredAt: '2025-03-12T09:00:00+08:00',
    lines: [
      ['LIV-001', 120, 'XXX-MZP-2303', '2023-03-01'],
      ['LIV-004', 1500, 'XXX-MB-2303', '2023-03-01'],
      ['FLD-001', 25000, 'XXX-BZD-2412', '2024-12-01'],
    ],
  },
  {
    store: 'S-410782-01',
    occurredAt: '2025-03-18T09:00:00+08:00',
    lines: [
      ['LIV-001', 180, 'HX-MZP-2206', '2022-06-01'],
      ['LIV-004', 2000, 'HX-MB-2301', '2023-01-05'],
      ['FOR-001', 40, 'HX-FLMHJ-2309', '2023-09-01'],
    ],
  },
  {
    store: 'S-140500-01',
    occurredAt: '2025-02-25T09:00:00+08:00',
    lines: [
      ['LIV-001', 300, 'JC-MZP-2110', '2021-10-01'],
      ['MIN-001', 20, 'JC-QSB-2304', '2023-04-01'],
      ['FIR-001', 60, 'JC-KQHXQ-2303', '2023-03-01'],
    ],
  },
  {
    store: 'S-140800-01',
    occurredAt: '2025-02-26T09:00:00+08:00',
    lines: [
      ['LIV-001', 260, 'YC-MZP-2108', '2021-08-01'],
      ['LIV-004', 2500, 'YC-MB-2310', '2023-10-01'],
    ],
  },
  {
    store: 'S-222404-01',
    occurredAt: '2025-04-01T09:00:00+08:00',
    lines: [
      ['LIV-001', 200, 'HC-MZP-2205', '2022-05-01'],
      ['LIV-004', 1500, 'HC-MB-2211', '2022-11-01'],
      ['FLD-001', 20000, 'HC-BZD-2504', '2025-04-01'],
    ],
  },
];

/** Posts the demo stock once, as the demo administrator; deterministic ids follow from the idempotency keys. */
export async function seedDemoStock(db: Db, clock: Clock, config: AppConfig = loadConfig({})): Promise<void> {
  const admin = (await loadPrincipal(db, userId('admin')))!;
  const entrusted = await entrustedStoreCodes(db);
  const all: DemoReceipt[] = [
    ...receipts,
    ...entrusted.map((code, i) => ({
      store: code,
      occurredAt: '2025-05-08T09:00:00+08:00',
      lines: [
        ['LIV-004', 800 + 200 * i, `DC-MB-25${i}`, '2025-03-01'],
        ['LIV-001', 100, `DC-MZP-25${i}`, '2025-03-01'],
      ] as Line[],
    })),
  ];
  for (const [n, r] of all.entries()) {
    await audited({ db, actor: admin, clock }, 'receiveStock', receiveStock, {
      storeId: storeId(r.store),
      source: r.source ?? 'PURCHASE',
      sourceName: r.donor ?? '河南省应急物资供应有限公司',
      contractNo: r.source === 'DONATION' ? null : `ZFCG-2025-${String(n + 1).padStart(4, '0')}`,
      inspectionReportNo: r.source === 'DONATION' ? null : `YS-2025-${String(n + 1).padStart(4, '0')}`,
      occurredAt: DateTime.fromISO(r.occurredAt, { setZone: true }),
      idempotencyKey: `demo-receipt-${n + 1}`,
      lines: r.lines.map(([code, quantity, batchNo, productionDate, unitPrice]) => ({ itemId: itemId(code), quantity, batchNo, productionDate, unitPrice })),
    });
  }
  // D23, D24: a relief issue and a transfer, each requested, approved by a second person and executed; a transfer
  // still on its way; a stocktake that found damage, approved (D27); orders pending and rejected for the queue.
  const decide = (ctx: ServiceContext, input: unknown) => decideApproval(ctx, config, input);
  const keeper = (await loadPrincipal(db, userId('keeper')))!;
  const dispatcher = (await loadPrincipal(db, userId('dispatcher')))!;
  const director = (await loadPrincipal(db, userId('director')))!;
  // D23: an order is executed only after its approval, so the executed orders were requested and approved that morning.
  const on = (iso: string): Clock => ({ now: () => DateTime.fromISO(iso, { setZone: true }).toUTC() });
  const approve = (approvalId: string | null, approvalRef?: string, at: Clock = clock) =>
    audited({ db, actor: director, clock: at }, 'decideApproval', decide, { approvalId, decision: 'APPROVE', approvalRef: approvalRef ?? null });
  const issueMorning = on('2025-08-02T09:00:00+08:00');
  const issueOrder = await audited({ db, actor: keeper, clock: issueMorning }, 'requestOutboundOrder', requestOutboundOrder, {
    storeId: storeId('S-410781-01'),
    purpose: 'RELIEF',
    recipient: '唐庄镇临时安置点',
    note: '唐庄镇受灾群众生活保障',
    idempotencyKey: 'demo-order-1',
    lines: [
      { itemId: itemId('LIV-004'), quantity: 200 },
      { itemId: itemId('LIV-006'), quantity: 150 },
    ],
  });
  await approve(issueOrder.approvalId, undefined, issueMorning);
  await audited({ db, actor: keeper, clock }, 'issueStock', issueStock, {
    storeId: storeId('S-410781-01'),
    orderId: issueOrder.id,
    reason: 'RELIEF',
    occurredAt: DateTime.fromISO('2025-08-02T14:00:00+08:00', { setZone: true }),
    idempotencyKey: 'demo-issue-1',
    lines: [
      { itemId: itemId('LIV-004'), quantity: 200 },
      { itemId: itemId('LIV-006'), quantity: 150 },
    ],
  });
  const transferLines = [
    { itemId: itemId('LIV-001'), quantity: 50 },
    { itemId: itemId('FLD-001'), quantity: 10000 },
  ];
  const transferMorning = on('2025-08-03T07:00:00+08:00');
  const transferOrder = await audited({ db, actor: dispatcher, clock: transferMorning }, 'requestOutboundOrder', requestOutboundOrder, {
    storeId: storeId('S-410700-01'),
    purpose: 'TRANSFER',
    toStoreId: storeId('S-410781-01'),
    note: '汛期前置卫辉',
    idempotencyKey: 'demo-order-2',
    lines: transferLines,
  });
  await approve(transferOrder.approvalId, undefined, transferMorning);
  await audited({ db, actor: dispatcher, clock }, 'shipTransfer', shipTransfer, {
    fromStoreId: storeId('S-410700-01'),
    toStoreId: storeId('S-410781-01'),
    orderId: transferOrder.id,
    occurredAt: DateTime.fromISO('2025-08-03T08:00:00+08:00', { setZone: true }),
    idempotencyKey: 'demo-transfer-1',
    lines: transferLines,
  });
  const count = await audited({ db, actor: keeper, clock }, 'submitStocktake', submitStocktake, {
    storeId: storeId('S-410781-01'),
    occurredAt: DateTime.fromISO('2025-09-30T16:00:00+08:00', { setZone: true }),
    idempotencyKey: 'demo-stocktake-1',
    counts: [
      { batchId: await batchIdOf(db, itemId('LIV-002'), 'WH-DZP-2205'), countedQuantity: 196, reason: 'DAMAGED' },
      { batchId: await batchIdOf(db, itemId('FLD-009'), 'WH-JSY-2104'), countedQuantity: 400 },
    ],
  });
  const [countApproval] = await pendingApprovalsOf(db, count.documentId, 'STOCKTAKE');
  await approve(countApproval.id, '新应急〔2025〕31号');
  // A drill order waits in the queue for director.
  await audited({ db, actor: keeper, clock }, 'requestOutboundOrder', requestOutboundOrder, {
    storeId: storeId('S-410781-01'),
    purpose: 'DRILL',
    recipient: '卫辉市防汛抢险演练指挥部',
    idempotencyKey: 'demo-order-3',
    lines: [{ itemId: itemId('FLD-001'), quantity: 500 }],
  });
  const loan = await audited({ db, actor: keeper, clock }, 'requestOutboundOrder', requestOutboundOrder, {
    storeId: storeId('S-410781-01'),
    purpose: 'LOAN',
    recipient: '卫辉市某商贸公司',
    note: '商业活动借用帐篷',
    idempotencyKey: 'demo-order-4',
    lines: [{ itemId: itemId('LIV-001'), quantity: 20 }],
  });
  await audited({ db, actor: director, clock }, 'decideApproval', decide, {
    approvalId: loan.approvalId,
    decision: 'REJECT',
    reason: '储备物资不得借给企业用于商业活动',
  });
}

async function entrustedStoreCodes(db: Db): Promise<string[]> {
  const rows = await db.select({ code: stores.code }).from(stores).where(eq(stores.kind, 'ENTRUSTED')).orderBy(asc(stores.code));
  return rows.map((r) => r.code);
}
