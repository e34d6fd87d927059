import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { NOW, type GqlResult, type TestApp } from './harness.ts';
import { withOrder } from './authority.ts';
import { reverseRaw, stocktakeRaw } from './ledger-ops.ts';
import { COTTON_TENT, JINCHENG, key, QUILT, SANDBAG, TANGZHUANG, WEIHUI, XINXIANG, XINXIANG_COUNTY } from './ledger.ts';

// Helpers for the finance tests (tests/api/finance-*.test.ts, D21/D22): an independent replay of the ledger in
// exact fen arithmetic, a seeded random source, and one ledger history spread over 2026-03 … 07.

export const ENTRUSTED_XX = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）, kind ENTRUSTED
export const BLANKET = itemId('LIV-006');
export const LIFE_JACKET = itemId('FLD-009');
export const SHANGHAI = 'Asia/Shanghai';

// ---- exact money, written here rather than imported, so that the tests do not share the server's arithmetic

export function fen(yuan: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(yuan).trim());
  if (!m) throw new Error(`not a money value: ${yuan}`);
  const v = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}

export function yuan(f: bigint): string {
  const neg = f < 0n;
  const a = neg ? -f : f;
  return `${neg ? '-' : ''}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
}

/** A small seeded PRNG (mulberry32): the "random" instants are the same on every run. */
export function seededRandom(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** n seeded instants (whole milliseconds) in [from, to]. */
export function randomInstants(seed: number, n: number, from: string, to: string): Date[] {
  const rnd = seededRandom(seed);
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Array.from({ length: n }, () => new Date(a + Math.floor(rnd() * (b - a))));
}

/** The asOf day in China, as the fees are counted. */
export const dayInChina = (d: Date) => DateTime.fromJSDate(d).setZone(SHANGHAI).toISODate()!;

// ---- the replay

export interface LedgerRow {
  quantity: number;
  unitPrice: string;
  bucket: 'ON_HAND' | 'IN_TRANSIT';
  occurredAt: Date;
  storeId: string;
  batchId: string;
  regionCode: string;
  categoryCode: string;
  itemId: string;
  reserveMode: string;
  fundingSource: string;
}

/** Every movement at a store whose region code starts with the prefix ('' = everywhere), straight from SQL. */
export async function ledgerRows(t: TestApp, prefix: string): Promise<LedgerRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    t.database.db,
    sql`SELECT m.quantity, m.unit_price::text AS unit_price, m.bucket::text AS bucket, m.occurred_at, m.store_id::text AS store_id,
               m.batch_id::text AS batch_id, s.region_code, i.category_code, m.item_id::text AS item_id,
               b.reserve_mode::text AS reserve_mode, b.funding_source::text AS funding_source
          FROM movements m JOIN stores s ON s.id = m.store_id JOIN batches b ON b.id = m.batch_id JOIN items i ON i.id = m.item_id
         WHERE s.region_code LIKE ${`${prefix}%`}`,
  );
  return rows.map((r) => ({
    quantity: Number(r.quantity),
    unitPrice: String(r.unit_price),
    bucket: r.bucket as LedgerRow['bucket'],
    occurredAt: new Date(r.occurred_at as string),
    storeId: String(r.store_id),
    batchId: String(r.batch_id),
    regionCode: String(r.region_code),
    categoryCode: String(r.category_code),
    itemId: String(r.item_id),
    reserveMode: String(r.reserve_mode),
    fundingSource: String(r.funding_source),
  }));
}

export interface Replay {
  onHand: string;
  inTransit: string;
  total: string;
  onHandQuantity: number;
  inTransitQuantity: number;
}

/** D21 by hand: Σ quantity × unit price of the movements dated up to asOf, in fen. */
export function replay(rows: LedgerRow[], asOf: Date): Replay {
  let onHand = 0n;
  let inTransit = 0n;
  let onHandQuantity = 0;
  let inTransitQuantity = 0;
  for (const r of rows) {
    if (r.occurredAt.getTime() > asOf.getTime()) continue;
    const v = BigInt(r.quantity) * fen(r.unitPrice);
    if (r.bucket === 'ON_HAND') {
      onHand += v;
      onHandQuantity += r.quantity;
    } else {
      inTransit += v;
      inTransitQuantity += r.quantity;
    }
  }
  return { onHand: yuan(onHand), inTransit: yuan(inTransit), total: yuan(onHand + inTransit), onHandQuantity, inTransitQuantity };
}

export type Dimension = 'REGION' | 'STORE' | 'CATEGORY' | 'ITEM' | 'RESERVE_MODE' | 'FUNDING_SOURCE';
export const DIMENSIONS: Dimension[] = ['REGION', 'STORE', 'CATEGORY', 'ITEM', 'RESERVE_MODE', 'FUNDING_SOURCE'];

export interface Group {
  key: string[];
  quantity: number;
  value: string;
  inTransitQuantity: number;
  inTransitValue: string;
}

/** The groups a valuation should show, replayed: (store, batch) holdings at asOf, then grouped. */
export function replayGroups(rows: LedgerRow[], asOf: Date, groupBy: Dimension[], regionKeyLength: number): Group[] {
  const keyOf = (r: LedgerRow, d: Dimension) =>
    ({
      REGION: r.regionCode.slice(0, regionKeyLength).padEnd(12, '0'),
      STORE: r.storeId,
      CATEGORY: r.categoryCode,
      ITEM: r.itemId,
      RESERVE_MODE: r.reserveMode,
      FUNDING_SOURCE: r.fundingSource,
    })[d];
  const groups = new Map<string, { key: string[]; q: number; v: bigint; tq: number; tv: bigint }>();
  for (const r of rows) {
    if (r.occurredAt.getTime() > asOf.getTime()) continue;
    const k = groupBy.map((d) => keyOf(r, d));
    const id = JSON.stringify(k);
    const g = groups.get(id) ?? { key: k, q: 0, v: 0n, tq: 0, tv: 0n };
    groups.set(id, g);
    const v = BigInt(r.quantity) * fen(r.unitPrice);
    if (r.bucket === 'ON_HAND') {
      g.q += r.quantity;
      g.v += v;
    } else {
      g.tq += r.quantity;
      g.tv += v;
    }
  }
  const all = [...groups.values()].filter((g) => g.q !== 0 || g.tq !== 0);
  const tq = all.reduce((s, g) => s + g.tq, 0);
  const tv = all.reduce((s, g) => s + g.tv, 0n);
  // D21: stock in transit is a group of its own, 在途, so that the groups add up to the total.
  const inTransit = tq || tv ? [{ key: groupBy.map(() => '在途'), quantity: tq, value: yuan(tv), inTransitQuantity: 0, inTransitValue: '0.00' }] : [];
  return [...all.map((g) => ({ key: g.key, quantity: g.q, value: yuan(g.v), inTransitQuantity: g.tq, inTransitValue: yuan(g.tv) })), ...inTransit].sort(
    (a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1),
  );
}

export const sortGroups = (gs: Group[]) => [...gs].sort((a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1));

// ---- the API

export const VALUATION_FIELDS = `asOf total onHand inTransit contingentAgreementValue contingentCapacityValue feesAccrued feesFrom snapshotMonth
  groups { key quantity value inTransitQuantity inTransitValue }`;

export async function valuationRaw(
  t: TestApp,
  as: string,
  args: { asOf?: Date | string; regionCode?: string; groupBy?: Dimension[]; feesFrom?: string } = {},
): Promise<GqlResult> {
  return t.gql(
    `query($asOf: DateTime, $regionCode: String, $groupBy: [ValuationDimension!], $feesFrom: Date) {
       valuation(asOf: $asOf, regionCode: $regionCode, groupBy: $groupBy, feesFrom: $feesFrom) { ${VALUATION_FIELDS} } }`,
    { ...args, asOf: args.asOf instanceof Date ? args.asOf.toISOString() : args.asOf },
    as,
  );
}

export async function valuationOf(t: TestApp, as: string, args: Parameters<typeof valuationRaw>[2] = {}) {
  const res = await valuationRaw(t, as, args);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.valuation as Replay & {
    asOf: string;
    contingentAgreementValue: string;
    contingentCapacityValue: string;
    feesAccrued: string;
    feesFrom: string;
    snapshotMonth: string | null;
    groups: Group[];
  };
}

// ---- one history, 2026-03 … 07, in 新乡市 (4107) with one store outside it (晋城, 140500)

const ok = (res: GqlResult, field: string) => {
  expect(res.errors, `${field}: ${JSON.stringify(res.errors)}`).toBeUndefined();
  return res.data[field];
};

export interface HistoryEvent {
  /** Business time (Asia/Shanghai offset). */
  at: string;
  label: string;
}

export interface FinanceHistory {
  batches: Record<string, string>;
  documents: Record<string, { id: string; number: string }>;
  transfers: Record<string, string>;
  events: HistoryEvent[];
}

const DOC = `id number lines { batch { id batchNo } }`;

/**
 * Posts the history at explicit business times; the clock stands an hour after each event while it is posted
 * (so the post is backdated by an hour), and returns to NOW at the end.
 * E11, a May receipt at 卫辉 (3 × 1999.99), is reversed on 2026-06-20 unless `reverseMayReceipt` is false.
 */
export async function buildFinanceHistory(t: TestApp, opts: { reverseMayReceipt?: boolean } = {}): Promise<FinanceHistory> {
  const h: FinanceHistory = { batches: {}, documents: {}, transfers: {}, events: [] };
  const at = (iso: string, label: string) => {
    h.events.push({ at: iso, label });
    t.clock.set(DateTime.fromISO(iso, { setZone: true }).plus({ hours: 1 }).toUTC().toISO()!);
    return iso;
  };
  const receipt = async (label: string, as: string, store: string, iso: string, lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) => {
    const doc = ok(
      await t.gql(
        `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { ${DOC} } }`,
        {
          input: {
            storeId: store,
            source: 'PURCHASE',
            contractNo: `HT-${label}`,
            inspectionReportNo: `YS-${label}`,
            idempotencyKey: key(),
            occurredAt: at(iso, label),
            lines,
            ...extra,
          },
        },
        as,
      ),
      'receiveStock',
    );
    h.documents[label] = { id: doc.id, number: doc.number };
    for (const l of doc.lines) h.batches[l.batch.batchNo] = l.batch.id;
    return doc;
  };
  const issueOf = async (label: string, as: string, store: string, iso: string, lines: Record<string, unknown>[]) => {
    const input = { storeId: store, recipient: '唐庄镇临时安置点', reason: 'RELIEF', idempotencyKey: key(), occurredAt: at(iso, label), lines };
    const doc = ok(
      await withOrder(t, as, input, { storeId: store, purpose: 'RELIEF', recipient: input.recipient }, (i) =>
        t.gql(`mutation($input: IssueStockInput!) { issueStock(input: $input) { ${DOC} } }`, { input: i }, as),
      ),
      'issueStock',
    );
    h.documents[label] = { id: doc.id, number: doc.number };
  };
  const ship = async (label: string, from: string, to: string, iso: string, lines: Record<string, unknown>[]) => {
    const input = { fromStoreId: from, toStoreId: to, idempotencyKey: key(), occurredAt: at(iso, label), lines };
    const tr = ok(
      await withOrder(t, 'admin', input, { storeId: from, purpose: 'TRANSFER', toStoreId: to }, (i) =>
        t.gql(`mutation($input: ShipTransferInput!) { shipTransfer(input: $input) { id number } }`, { input: i }, 'admin'),
      ),
      'shipTransfer',
    );
    h.transfers[label] = tr.id;
    h.documents[label] = { id: tr.id, number: tr.number };
  };
  const receiveTransfer = async (label: string, as: string, transferId: string, iso: string, lines: Record<string, unknown>[]) => {
    ok(
      await t.gql(
        `mutation($input: ReceiveTransferInput!) { receiveTransfer(input: $input) { id } }`,
        {
          input: { transferId, idempotencyKey: key(), occurredAt: at(iso, label), lines },
        },
        as,
      ),
      'receiveTransfer',
    );
  };
  try {
    await receipt('E1', 'admin', XINXIANG, '2026-03-02T09:00:00+08:00', [
      { itemId: COTTON_TENT, quantity: 40, batchNo: 'VA-T1', unitPrice: '2180.00', fundingSource: 'CENTRAL' },
      { itemId: QUILT, quantity: 500, batchNo: 'VA-Q1', unitPrice: '158.35', fundingSource: 'PROVINCE' },
    ]);
    await receipt('E2', 'keeper', WEIHUI, '2026-03-15T10:30:00+08:00', [
      { itemId: SANDBAG, quantity: 10000, batchNo: 'VA-S1', unitPrice: '1.15' },
      { itemId: QUILT, quantity: 120, batchNo: 'VA-Q2', unitPrice: '12.35' },
    ]);
    await receipt('E3', 'admin', ENTRUSTED_XX, '2026-03-28T14:00:00+08:00', [{ itemId: QUILT, quantity: 800, batchNo: 'VA-Q3', unitPrice: '149.99' }]);
    await receipt('E4', 'admin', TANGZHUANG, '2026-04-03T08:15:00+08:00', [{ itemId: BLANKET, quantity: 300, batchNo: 'VA-B1', unitPrice: '85.05' }], {
      source: 'DONATION',
      sourceName: '新乡市红十字会',
      contractNo: null,
      inspectionReportNo: null,
    });
    await issueOf('E5', 'keeper', WEIHUI, '2026-04-10T16:00:00+08:00', [{ itemId: QUILT, quantity: 20, batchId: h.batches['VA-Q2'] }]);
    await ship('E6', XINXIANG, WEIHUI, '2026-04-22T09:00:00+08:00', [{ itemId: COTTON_TENT, quantity: 10, batchId: h.batches['VA-T1'] }]);
    await receiveTransfer('E7', 'keeper', h.transfers.E6, '2026-05-06T11:00:00+08:00', [{ batchId: h.batches['VA-T1'], quantity: 10 }]);
    const st = ok(
      await stocktakeRaw(
        t,
        'keeper',
        {
          storeId: WEIHUI,
          idempotencyKey: key(),
          occurredAt: at('2026-05-12T10:00:00+08:00', 'E8'),
          counts: [{ batchId: h.batches['VA-S1'], countedQuantity: 9990, reason: 'DAMAGED' }],
        },
        'id number status',
      ),
      'submitStocktake',
    );
    h.documents.E8 = st;
    await ship('E9', XINXIANG, JINCHENG, '2026-05-20T09:30:00+08:00', [{ itemId: COTTON_TENT, quantity: 5, batchId: h.batches['VA-T1'] }]);
    await receiveTransfer('E10', 'admin', h.transfers.E9, '2026-05-25T15:00:00+08:00', [{ batchId: h.batches['VA-T1'], quantity: 5 }]);
    await receipt('E11', 'keeper', WEIHUI, '2026-05-27T09:00:00+08:00', [{ itemId: COTTON_TENT, quantity: 3, batchNo: 'VA-T2', unitPrice: '1999.99' }]);
    await receipt('E12', 'keeper', WEIHUI, '2026-06-05T09:00:00+08:00', [{ itemId: LIFE_JACKET, quantity: 37, batchNo: 'VA-L1', unitPrice: '0.07' }]);
    await issueOf('E13', 'admin', XINXIANG, '2026-06-18T15:00:00+08:00', [{ itemId: QUILT, quantity: 50, batchId: h.batches['VA-Q1'] }]);
    if (opts.reverseMayReceipt !== false) {
      // 冲销 is dated when it is posted (the clock): 2026-06-20 10:00 in China.
      at('2026-06-20T10:00:00+08:00', 'E14');
      t.clock.set('2026-06-20T02:00:00Z');
      const rev = ok(await reverseRaw(t, 'keeper', h.documents.E11.id), 'reverseDocument');
      expect(Date.parse(rev.occurredAt)).toBe(Date.parse('2026-06-20T02:00:00Z'));
      h.documents.E14 = rev;
    }
    await ship('E15', XINXIANG, XINXIANG_COUNTY, '2026-07-01T08:00:00+08:00', [{ itemId: QUILT, quantity: 100, batchId: h.batches['VA-Q1'] }]);
    await receipt('E16', 'admin', JINCHENG, '2026-07-10T10:00:00+08:00', [{ itemId: COTTON_TENT, quantity: 12, batchNo: 'VA-J1', unitPrice: '2050.50' }]);
  } finally {
    t.clock.set(NOW);
  }
  return h;
}

/**
 * Row counts of every table but the audit log (which grows with every refusal, by design) and the failed logins (a
 * wrong password is counted there, by design: the back-off, server/http/login-attempts.ts).
 */
export async function tableCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = await queryRows<{ name: string }>(
    t.database.db,
    sql`SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('audit_log', 'login_failures') ORDER BY 1`,
  );
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    const [r] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM ${sql.identifier(name)}`);
    out[name] = Number(r.n);
  }
  return out;
}

/** A supertest parser that keeps the body as a Buffer (for XLSX). */
export const binary = (res: { on(event: string, listener: (...args: any[]) => void): unknown }, cb: (err: Error | null, body: any) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
