import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import type { GqlResult, TestApp } from './harness.ts';
import { DOC_FIELDS, key, TRANSFER_FIELDS } from './ledger.ts';
import { approveDocument, withOrder } from './authority.ts';

// GraphQL helpers for the ledger API tests (tests/api/ledger-*.test.ts). They return the raw result, so that
// a test can check either the data or the error.

export const ok = <T = any>(res: GqlResult<T>): T => {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
};

export const receiveRaw = (t: TestApp, as: string, input: Record<string, unknown>, fields = DOC_FIELDS) =>
  t.gql(`mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { ${fields} } }`, { input: { idempotencyKey: key(), ...input } }, as);

/** A purchase input with the D7 fields filled in. */
export const purchase = (storeId: string, lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  storeId,
  source: 'PURCHASE',
  contractNo: 'HT-2026-001',
  inspectionReportNo: 'YS-2026-001',
  lines,
  ...extra,
});

/** D23: the order's purpose is the one the issue's reason says (a drill issue executes a drill order). */
const purposeOfReason = (reason: unknown) => (reason === 'DRILL' || reason === 'LOAN' ? reason : 'RELIEF');

export const issueRaw = (t: TestApp, as: string, input: Record<string, unknown>, fields = DOC_FIELDS) =>
  withOrder(t, as, input, { storeId: input.storeId, purpose: purposeOfReason(input.reason), recipient: input.recipient ?? '受灾群众' }, (i) =>
    t.gql(`mutation($input: IssueStockInput!) { issueStock(input: $input) { ${fields} } }`, { input: { idempotencyKey: key(), ...i } }, as),
  );

/**
 * D23, API.md (scrapStock's orderId is required for government-owned stock): a scrap executes a SCRAP order requested
 * for exactly its batches by `as` and approved by a second person, so it posts at once (pass an `orderId` to use one
 * of your own, or `orderId: null` for the company's own stock in its agreement store, whose scrap waits for a second
 * person's approval — D27 — and is approved here). A batch the database does not know is scrapped without an order,
 * for scrapStock itself to refuse.
 */
export const scrapRaw = async (t: TestApp, as: string, input: Record<string, unknown>, fields = DOC_FIELDS) => {
  const all = `${fields} approvalRef reason { code }`;
  const run = (i: Record<string, unknown>) =>
    t.gql(`mutation($input: ScrapStockInput!) { scrapStock(input: $input) { ${all} } }`, { input: { idempotencyKey: key(), ...i } }, as);
  const lines = Array.isArray(input.lines) ? (input.lines as { batchId: string; quantity: number }[]) : [];
  const items = await itemsOfBatches(t, lines);
  const res =
    'orderId' in input || lines.some((l) => !items.has(l.batchId))
      ? await run(input)
      : // The order's lines name each batch's item; the scrap's name the batch only.
        await withOrder(
          t,
          as,
          { ...input, lines: lines.map((l) => ({ ...l, itemId: items.get(l.batchId) })) },
          { storeId: input.storeId, purpose: 'SCRAP' },
          (i) => run({ ...i, lines: input.lines }),
        );
  return approveDocument(t, as, res, 'scrapStock', 'SCRAP', all);
};

/** The item of each line's batch that the database knows, by batch id. */
async function itemsOfBatches(t: TestApp, lines: readonly { batchId: unknown }[]): Promise<Map<string, string>> {
  const ids = lines.map((l) => l.batchId).filter((id): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id));
  if (!ids.length) return new Map();
  const list = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
  const rows = await queryRows<{ id: string; item_id: string }>(t.database.db, sql`SELECT id::text, item_id::text FROM batches WHERE id::text IN (${list})`);
  return new Map(rows.map((r) => [r.id, r.item_id]));
}

export const shipRaw = (t: TestApp, as: string, input: Record<string, unknown>, fields = TRANSFER_FIELDS) =>
  withOrder(t, as, input, { storeId: input.fromStoreId, purpose: 'TRANSFER', toStoreId: input.toStoreId }, (i) =>
    t.gql(`mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { ${fields} } }`, { input: { idempotencyKey: key(), ...i } }, as),
  );

export const receiveTransferRaw = (t: TestApp, as: string, input: Record<string, unknown>, fields = TRANSFER_FIELDS) =>
  t.gql(`mutation($input: ReceiveTransferInput!) { receiveTransfer(input: $input) { ${fields} } }`, { input: { idempotencyKey: key(), ...input } }, as);

export const cancelTransferRaw = (t: TestApp, as: string, transferId: string, fields = TRANSFER_FIELDS) =>
  t.gql(
    `mutation($id: ID!, $k: String!) { cancelTransfer(transferId: $id, reason: "调拨计划取消", idempotencyKey: $k) { ${fields} } }`,
    { id: transferId, k: key() },
    as,
  );

/** D27: a stocktake with differences is approved by a second person (pass `approve: false` to leave it pending). */
export const stocktakeRaw = async (t: TestApp, as: string, input: Record<string, unknown>, fields = DOC_FIELDS, approve = true) => {
  const res = await t.gql(
    `mutation($input: StocktakeInput!) { submitStocktake(input: $input) { ${fields} } }`,
    { input: { idempotencyKey: key(), ...input } },
    as,
  );
  return approve ? approveDocument(t, as, res, 'submitStocktake', 'STOCKTAKE', fields) : res;
};

export const REVERSAL_FIELDS = `${DOC_FIELDS} note reverses { id number status } reversedBy { id number }`;

/** D24: a reversal posts once a second person approves it (pass `approve: false` to leave it pending). */
export const reverseRaw = async (t: TestApp, as: string, documentId: string, idempotencyKey = key(), approve = true) => {
  const res = await t.gql(
    `mutation($id: ID!, $k: String!) { reverseDocument(documentId: $id, reason: "录入错误", idempotencyKey: $k) { ${REVERSAL_FIELDS} } }`,
    { id: documentId, k: idempotencyKey },
    as,
  );
  return approve ? approveDocument(t, as, res, 'reverseDocument', 'REVERSAL', REVERSAL_FIELDS) : res;
};

export const documentById = async (t: TestApp, id: string, as = 'admin') =>
  ok(await t.gql(`query($id: ID!) { document(id: $id) { ${REVERSAL_FIELDS} } }`, { id }, as)).document;

export const transferById = async (t: TestApp, id: string, as = 'admin') =>
  ok(await t.gql(`query($id: ID!) { transfer(id: $id) { ${TRANSFER_FIELDS} } }`, { id }, as)).transfer;

/** One balance line (store × batch) as the stock query shows it, or undefined when the store holds none of it. */
export async function lineOf(t: TestApp, storeId: string, itemId: string, batchId: string) {
  const res = ok(
    await t.gql(
      `query($f: StockFilter!) { stock(filter: $f, first: 500) { edges { node { onHand reserved available inTransit value inTransitValue batch { id } } } } }`,
      { f: { storeId, itemId } },
      'admin',
    ),
  );
  return res.stock.edges.map((e: any) => e.node).find((n: any) => n.batch.id === batchId) as
    { onHand: number; reserved: number; available: number; inTransit: number; value: string; inTransitValue: string } | undefined;
}

/** Row counts straight from the database (what a failed mutation must leave unchanged). */
export async function ledgerCounts(t: TestApp) {
  const [r] = await queryRows<{ documents: number; movements: number; lines: number; batches: number; transfers: number }>(
    t.database.db,
    sql`SELECT (SELECT count(*)::int FROM documents) AS documents, (SELECT count(*)::int FROM movements) AS movements,
               (SELECT count(*)::int FROM document_lines) AS lines, (SELECT count(*)::int FROM batches) AS batches,
               (SELECT count(*)::int FROM transfers) AS transfers`,
  );
  return { documents: Number(r.documents), movements: Number(r.movements), lines: Number(r.lines), batches: Number(r.batches), transfers: Number(r.transfers) };
}

/** The sequence part of a document number (RK-2026-000042 → 42). */
export const seqOf = (number: string) => Number(number.split('-')[2]);
