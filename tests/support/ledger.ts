import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { checkLedger } from '../../server/inventory/ledger-check.ts';
import { itemId } from '../../seeds/reference.ts';
import { storeId } from '../../seeds/demo.ts';
import type { TestApp } from './harness.ts';
import { withOrder } from './authority.ts';

export const WEIHUI = storeId('S-410781-01'); // 卫辉市救灾物资储备库 — the demo keeper's store
export const XINXIANG = storeId('S-410700-01'); // 新乡市救灾物资储备库
export const XINXIANG_COUNTY = storeId('S-410721-01'); // 新乡县
export const TANGZHUANG = storeId('S-410781100-01'); // a township store of 卫辉市
export const JINCHENG = storeId('S-140500-01'); // outside the demo dispatcher's region
export const COTTON_TENT = itemId('LIV-001');
export const QUILT = itemId('LIV-004');
export const SANDBAG = itemId('FLD-001');

export const key = () => randomUUID();

export const DOC_FIELDS = `id number type status occurredAt recordedAt store { id name } lines { lineNo quantity unitPrice value item { id name } batch { id batchNo expiryDate unitPrice } reason { code } bookQuantity countedQuantity }`;
export const TRANSFER_FIELDS = `id number status fromStore { id } toStore { id } lines { batch { id batchNo } item { id } shipped received lost cancelled inTransit discrepancyReason { code } }`;

/** D7 receipt through GraphQL; returns the document. */
export async function receive(t: TestApp, as: string, store: string, lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const res = await t.gql(
    `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { ${DOC_FIELDS} } }`,
    { input: { storeId: store, source: 'PURCHASE', contractNo: 'HT-2026-001', inspectionReportNo: 'YS-2026-001', idempotencyKey: key(), lines, ...extra } },
    as,
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.receiveStock;
}

/** 出库 against an approved order (D23): requested with these lines by `as`, approved by a second person. */
export async function issue(t: TestApp, as: string, store: string, lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const input = { storeId: store, recipient: '唐庄镇安置点', reason: 'RELIEF', lines, ...extra };
  return withOrder(t, as, input, { storeId: store, purpose: 'RELIEF', recipient: input.recipient }, (i) =>
    t.gql(`mutation($input: IssueStockInput!) { issueStock(input: $input) { ${DOC_FIELDS} } }`, { input: { idempotencyKey: key(), ...i } }, as),
  );
}

export async function stockAt(t: TestApp, store: string, item?: string) {
  const res = await t.gql(
    `query($f: StockFilter!) { stock(filter: $f, first: 500) { totalCount edges { node { onHand reserved available inTransit value batch { id batchNo expiryDate } item { id } } } } }`,
    { f: { storeId: store, itemId: item } },
    'admin',
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.stock.edges.map((e: any) => e.node);
}

export const onHandOf = async (t: TestApp, store: string, item: string) => (await stockAt(t, store, item)).reduce((s: number, l: any) => s + l.onHand, 0);

/** DESIGN: the ledger check (balances recomputed from movements) agrees with the balance table. */
export async function expectLedgerConsistent(t: TestApp) {
  expect(await checkLedger(t.database.db)).toEqual([]);
}
