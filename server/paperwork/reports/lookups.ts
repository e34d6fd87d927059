import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../../drizzle/client.ts';
import { uuidList } from '../../../drizzle/uuid-list.ts';

// Names for the ids that services return, looked up once per list (no query per row).

const idList = (ids: Iterable<string>) => uuidList([...new Set(ids)]);

export type ItemLabel = {
  id: string;
  code: string;
  name: string;
  spec: string | null;
  unit: string;
};

export async function itemLabels(db: Db, ids: Iterable<string>): Promise<Map<string, ItemLabel>> {
  const list = [...ids];
  if (!list.length) return new Map();
  const rows = await queryRows<ItemLabel>(db, sql`SELECT id::text, code, name, spec, unit FROM items WHERE id IN (${idList(list)})`);
  return new Map(rows.map((r) => [r.id, r]));
}

export async function storeNames(db: Db, ids: Iterable<string>): Promise<Map<string, string>> {
  const list = [...ids];
  if (!list.length) return new Map();
  const rows = await queryRows<{ id: string; name: string }>(db, sql`SELECT id::text, name FROM stores WHERE id IN (${idList(list)})`);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A store's name and code (仓库编码): two stores of one name stay apart in a list. */
export async function storeLabels(db: Db, ids: Iterable<string>): Promise<Map<string, { name: string; code: string }>> {
  const list = [...ids];
  if (!list.length) return new Map();
  const rows = await queryRows<{ id: string; name: string; code: string }>(db, sql`SELECT id::text, name, code FROM stores WHERE id IN (${idList(list)})`);
  return new Map(rows.map((r) => [r.id, { name: r.name, code: r.code }]));
}

/** A 安置点 (or any store): its name and the region it lies in (a township's name, 小冀镇), for lists per 安置点. */
export async function storePlaces(db: Db, ids: Iterable<string>): Promise<Map<string, { name: string; regionName: string }>> {
  const list = [...ids];
  if (!list.length) return new Map();
  const rows = await queryRows<{ id: string; name: string; region_name: string }>(
    db,
    sql`SELECT s.id::text, s.name, r.name AS region_name FROM stores s JOIN regions r ON r.code = s.region_code WHERE s.id IN (${idList(list)})`,
  );
  return new Map(rows.map((r) => [r.id, { name: r.name, regionName: r.region_name }]));
}

export type BatchLabel = {
  id: string;
  itemId: string;
  batchNo: string;
  productionDate: string | null;
  expiryDate: string | null;
  unitPrice: string;
};

export async function batchLabels(db: Db, ids: Iterable<string>): Promise<Map<string, BatchLabel>> {
  const list = [...ids];
  if (!list.length) return new Map();
  const rows = await queryRows<BatchLabel>(
    db,
    sql`SELECT id::text, item_id::text AS "itemId", batch_no AS "batchNo", production_date::text AS "productionDate", expiry_date::text AS "expiryDate",
               unit_price::text AS "unitPrice"
          FROM batches WHERE id IN (${idList(list)})`,
  );
  return new Map(rows.map((r) => [r.id, r]));
}

export async function regionNames(db: Db, codes: Iterable<string>): Promise<Map<string, string>> {
  const list = [...new Set(codes)];
  if (!list.length) return new Map();
  const rows = await queryRows<{ code: string; name: string }>(
    db,
    sql`SELECT code, name FROM regions WHERE code IN (${sql.join(
      list.map((c) => sql`${c}`),
      sql`, `,
    )})`,
  );
  return new Map(rows.map((r) => [r.code, r.name]));
}
