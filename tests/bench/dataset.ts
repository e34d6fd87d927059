import type { Sql } from 'postgres';

// The benchmark data set, generated in bulk SQL on a migrated, seeded database:
// a bench province (99) with a 50-store city (9901) and 1,950 more stores (9902), 250 extra items (≥ 300 in all),
// one batch per store and item held, and ≥ 1,000,000 ledger movements whose balances are their sums.

export const BENCH_CITY = '990100000000';
export const NESTED_STORES = 50;
export const OTHER_STORES = 1950;
export const EXTRA_ITEMS = 250;
const ITEMS_PER_OTHER_STORE = 20;
/** Movements to generate (finance needs ≥ 10,000,000; the ledger figures ≥ 1,000,000). */
const TARGET_MOVEMENTS = Number(process.env.BENCH_MOVEMENTS ?? 10_000_000);
const HOLDINGS = NESTED_STORES * (EXTRA_ITEMS + 77) + OTHER_STORES * ITEMS_PER_OTHER_STORE;
const ISSUE_ROUNDS = Math.max(18, Math.ceil(TARGET_MOVEMENTS / HOLDINGS) - 1);
/** History spans 2025-01-01 … 2026-10-31 so that there are months to close. */
const HISTORY_START = Date.parse('2025-01-01T01:00:00Z');
const HISTORY_END = Date.parse('2026-10-31T01:00:00Z');

export interface Progress {
  (label: string, done: number, total: number): void;
}

export async function generateDataset(sql: Sql, adminId: string, progress: Progress): Promise<{ movements: number; stores: number; items: number }> {
  const steps = 6 + ISSUE_ROUNDS;
  let step = 0;
  const tick = (label: string) => progress(label, ++step, steps);

  await sql`INSERT INTO regions (code, name, level, parent_code, lat, lng) VALUES
    ('990000000000', '基准测试省', 'PROVINCE', NULL, 35.0, 114.0),
    ('990100000000', '基准测试市', 'CITY', '990000000000', 35.3, 113.9),
    ('990200000000', '基准测试二市', 'CITY', '990000000000', 34.8, 114.3)`;
  await sql`INSERT INTO regions (code, name, level, parent_code, lat, lng)
    SELECT '99' || lpad(c::text, 2, '0') || lpad(d::text, 2, '0') || '000000', '基准县' || c || '-' || d, 'COUNTY',
           '99' || lpad(c::text, 2, '0') || '00000000', 35.0 + d * 0.01, 114.0 + c * 0.1
      FROM generate_series(1, 2) c, generate_series(1, 40) d`;
  tick('regions');

  // Stores: 50 in the nested-query city, the rest in the second city.
  await sql`INSERT INTO stores (id, code, name, region_code, level, kind, lat, lng)
    SELECT gen_random_uuid(), 'BS-' || lpad(n::text, 5, '0'), '基准储备库' || n,
           CASE WHEN n <= ${NESTED_STORES} THEN '9901' || lpad((1 + n % 40)::text, 2, '0') || '000000'
                ELSE '9902' || lpad((1 + n % 40)::text, 2, '0') || '000000' END,
           'COUNTY', 'GOVERNMENT', 35.0 + (n % 97) * 0.01, 114.0 + (n % 89) * 0.01
      FROM generate_series(1, ${NESTED_STORES + OTHER_STORES}) n`;
  await sql`INSERT INTO items (id, code, category_code, name, spec, unit, reference_price, storage_life_months)
    SELECT gen_random_uuid(), 'BENCH-' || lpad(n::text, 3, '0'), 'LIVING', '基准物资' || n, '规格' || n, '件', (10 + n)::numeric, 96
      FROM generate_series(1, ${EXTRA_ITEMS}) n`;
  tick('stores and items');

  // Batches: every item at each nested-city store; 20 items at each other store.
  await sql`CREATE TEMP TABLE bench_holdings AS
    SELECT s.id AS store_id, i.id AS item_id, gen_random_uuid() AS batch_id, row_number() OVER () AS rn
      FROM stores s JOIN items i ON TRUE
     WHERE s.code LIKE 'BS-%' AND s.region_code LIKE '9901%'
    UNION ALL
    SELECT s.id, i.id, gen_random_uuid(), 0
      FROM stores s JOIN LATERAL (SELECT id FROM items ORDER BY md5(s.id::text || items.id::text) LIMIT ${ITEMS_PER_OTHER_STORE}) i ON TRUE
     WHERE s.code LIKE 'BS-%' AND s.region_code LIKE '9902%'`;
  await sql`INSERT INTO batches (id, item_id, batch_no, production_date, expiry_date, unit_price, funding_source, reserve_mode, received_at)
    SELECT h.batch_id, h.item_id, 'BB-' || substr(h.batch_id::text, 1, 13), DATE '2024-01-01', DATE '2024-01-01' + (365 * 3 + (abs(hashtext(h.batch_id::text)) % 1500)),
           (5 + abs(hashtext(h.item_id::text)) % 2000)::numeric / 1, 'COUNTY', 'PHYSICAL', TIMESTAMPTZ '2025-01-05 08:00+08'
      FROM bench_holdings h`;
  tick('batches');

  // One receipt document per store, then rounds of issue documents; each line posts one movement.
  const docs = async (type: 'RECEIPT' | 'ISSUE', prefix: string, round: number) => {
    await sql`CREATE TEMP TABLE IF NOT EXISTS bench_docs (store_id uuid PRIMARY KEY, doc_id uuid)`;
    await sql`TRUNCATE bench_docs`;
    await sql`INSERT INTO bench_docs SELECT store_id, gen_random_uuid() FROM (SELECT DISTINCT store_id FROM bench_holdings) s`;
    const at = new Date(HISTORY_START + ((HISTORY_END - HISTORY_START) * round) / ISSUE_ROUNDS).toISOString();
    await sql`INSERT INTO documents (id, number, type, status, store_id, recipient, reason_code, source, actor_id, occurred_at, recorded_at,
                                     idempotency_kind, idempotency_key, request_hash)
      SELECT d.doc_id, ${prefix} || '-2025-' || lpad((${round} * 10000 + row_number() OVER ())::text, 8, '0'), ${type}, 'POSTED', d.store_id,
             CASE WHEN ${type} = 'ISSUE' THEN '基准领用单位' END, CASE WHEN ${type} = 'ISSUE' THEN 'RELIEF' END,
             CASE WHEN ${type} = 'RECEIPT' THEN 'PURCHASE'::receipt_source END,
             ${adminId}::uuid, ${at}::timestamptz, ${at}::timestamptz, 'bench', d.doc_id::text, 'bench'
        FROM bench_docs d`;
    const qty = type === 'RECEIPT' ? sql`${10 * ISSUE_ROUNDS + 100}` : sql`-(1 + abs(hashtext(h.batch_id::text || ${round})) % 10)`;
    await sql`INSERT INTO document_lines (document_id, line_no, item_id, batch_id, quantity, unit_price, reason_code)
      SELECT d.doc_id, row_number() OVER (PARTITION BY h.store_id ORDER BY h.batch_id), h.item_id, h.batch_id, ${qty}, b.unit_price,
             CASE WHEN ${type} = 'ISSUE' THEN 'RELIEF' END
        FROM bench_holdings h JOIN bench_docs d USING (store_id) JOIN batches b ON b.id = h.batch_id`;
    await sql`INSERT INTO movements (document_id, store_id, batch_id, item_id, bucket, quantity, unit_price, type, reason_code, occurred_at, recorded_at, actor_id)
      SELECT d.doc_id, h.store_id, h.batch_id, h.item_id, 'ON_HAND', ${qty}, b.unit_price, ${type},
             CASE WHEN ${type} = 'ISSUE' THEN 'RELIEF' END, ${at}::timestamptz, ${at}::timestamptz, ${adminId}::uuid
        FROM bench_holdings h JOIN bench_docs d USING (store_id) JOIN batches b ON b.id = h.batch_id`;
  };
  // Bulk history only: commits need no flush, and the per-row period trigger is off while loading (restored below).
  await sql`SET synchronous_commit = off`;
  await sql`ALTER TABLE movements DISABLE TRIGGER USER`;
  await docs('RECEIPT', 'RK', 0);
  tick('receipts');
  for (let r = 1; r <= ISSUE_ROUNDS; r++) {
    await docs('ISSUE', 'CK', r);
    tick(`issues ${r}/${ISSUE_ROUNDS}`);
  }
  // Balances are the sums of the movements, so the ledger check holds on the generated data too.
  await sql`INSERT INTO balances (store_id, batch_id, item_id, on_hand, reserved, in_transit, last_occurred_at)
    SELECT m.store_id, m.batch_id, h.item_id, sum(m.quantity), 0, 0, max(m.occurred_at)
      FROM movements m JOIN bench_holdings h ON h.store_id = m.store_id AND h.batch_id = m.batch_id
     GROUP BY m.store_id, m.batch_id, h.item_id`;
  await sql`ALTER TABLE movements ENABLE TRIGGER USER`;
  await sql`SET synchronous_commit = on`;
  tick('balances');
  await sql`ANALYZE`;
  tick('analyze');
  const [{ n }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM movements`;
  const [{ items }] = await sql<{ items: number }[]>`SELECT count(*)::int AS items FROM items`;
  const [{ stores }] = await sql<{ stores: number }[]>`SELECT count(*)::int AS stores FROM stores`;
  return { movements: n, stores, items };
}
