import { and, count, desc, eq, gt, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { documents, documentStatus, documentType as documentTypes } from '../../drizzle/schema/index.ts';
import type { ServiceContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { DOCUMENT_STATUS_NAMES, DOCUMENT_TYPE_NAMES } from '../paperwork/names.ts';
import { getStoreInScope } from '../stores/service.ts';
import { assertPeriodOrder } from '../validation.ts';
import type { DocumentRow } from './queries.ts';

// A store's stock documents (单据), whatever their status: posted, reversed, awaiting their second person (D27) or
// rejected by them. A pending or rejected document has no movements, so the ledger's list (movements) never shows it.

export type DocumentStatus = DocumentRow['status'];
export type DocumentType = DocumentRow['type'];

export interface DocumentFilter {
  storeId: string;
  /** OWN: the documents the store holds; COUNTERPART: another store's naming it the other side; none given: both. */
  side?: 'OWN' | 'COUNTERPART' | null;
  /** Any of these statuses; none given: all. */
  status?: readonly string[] | null;
  type?: string | null;
  from?: Date | null;
  to?: Date | null;
}

const STATUSES: readonly DocumentStatus[] = documentStatus.enumValues;
const TYPES: readonly DocumentType[] = documentTypes.enumValues;

function documentStatuses(values: readonly string[], field: string): DocumentStatus[] {
  values.forEach((v, i) => {
    if (!STATUSES.includes(v as DocumentStatus)) {
      throw badInput(`${field}.${i}`, `未知单据状态：${v.slice(0, 64)}（可选：${STATUSES.map((s) => DOCUMENT_STATUS_NAMES[s] ?? s).join('、')}）`, {
        value: v.slice(0, 64),
        allowed: STATUSES,
      });
    }
  });
  return [...new Set(values as DocumentStatus[])];
}

function documentType(value: string, field: string): DocumentType {
  if (!TYPES.includes(value as DocumentType)) {
    throw badInput(field, `未知单据类型：${value.slice(0, 64)}（可选：${TYPES.map((t) => DOCUMENT_TYPE_NAMES[t] ?? t).join('、')}）`, {
      value: value.slice(0, 64),
      allowed: TYPES,
    });
  }
  return value as DocumentType;
}

/** A timestamp to the microsecond, as a cursor part: a page ends exactly where the next begins. */
const microseconds = (column: typeof documents.occurredAt | typeof documents.recordedAt) =>
  sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * documents(filter): the documents of a store in the user's scope — those it holds and those of another store that name
 * it the other side (a transfer shipped to it, its cancellation, a recovery into it), as the record policy reads a
 * document from either store (mayRead.document). Whoever may read the store's movements may list them; another store
 * is refused as movements refuses it (getStoreInScope). Newest business time first, then newest recorded (D22), the
 * id last for a stable cursor.
 */
export async function listStoreDocuments(ctx: ServiceContext, f: DocumentFilter, page: PageArgs) {
  const { db, actor: user } = ctx;
  const req = pageRequest(page, 'storeDocuments', ['timestamp', 'timestamp', 'uuid']);
  const store = await getStoreInScope(db, user, f.storeId, 'filter.storeId');
  // Sweep 22a F9: one side alone narrows the list the store may read anyway (its documents and those naming it).
  const side =
    f.side === 'OWN'
      ? eq(documents.storeId, store.id)
      : f.side === 'COUNTERPART'
        ? eq(documents.counterpartStoreId, store.id)
        : or(eq(documents.storeId, store.id), eq(documents.counterpartStoreId, store.id));
  const where: (SQL | undefined)[] = [side];
  if (f.status?.length) where.push(inArray(documents.status, documentStatuses(f.status, 'filter.status')));
  if (f.type) where.push(eq(documents.type, documentType(f.type, 'filter.type')));
  assertPeriodOrder(f.from, f.to, 'filter.to');
  // D21, D22 (sweep 17b F13): a period is (from, to], as journal and movements read it (queries.ts listMovements) — a
  // document dated exactly at `from` is the previous period's, so consecutive periods share none.
  if (f.from) where.push(gt(documents.occurredAt, f.from));
  if (f.to) where.push(lte(documents.occurredAt, f.to));
  let after: SQL | undefined;
  if (req.after) {
    const [occurred, recorded, id] = req.after as [string, string, string];
    after = sql`(${documents.occurredAt}, ${documents.recordedAt}, ${documents.id}) < (${occurred}::timestamptz, ${recorded}::timestamptz, ${id}::uuid)`;
  }
  const rows = await db
    .select({ d: documents, occurred: microseconds(documents.occurredAt), recorded: microseconds(documents.recordedAt) })
    .from(documents)
    .where(and(...where, after))
    .orderBy(desc(documents.occurredAt), desc(documents.recordedAt), desc(documents.id))
    .limit(req.limit + 1);
  const keys = new Map(rows.map((r) => [r.d, [r.occurred, r.recorded, r.d.id]]));
  return toPage<DocumentRow>(
    rows.map((r) => r.d),
    req,
    (d) => keys.get(d)!,
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(documents)
        .where(and(...where));
      return r.n;
    },
  );
}
