import { and, count, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { auditLog } from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import { regionsInScope } from '../auth/policy.ts';
import { forbidden } from '../errors.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { getRegionInScope } from '../regions/service.ts';
import { subtreePrefix } from '../regions/codes.ts';
import type { ServiceContext } from '../context.ts';

export type AuditRow = typeof auditLog.$inferSelect;

// D29: a household's personal data (head's name, ID number, address) is kept in its distribution record, not in the log.
const SECRET_KEYS = /password|token|secret|^idNumber$|^household$/i;
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 4;

/**
 * Text the database always accepts: NUL and lone UTF-16 surrogates become U+FFFD, and the text is cut on a
 * character (code point) boundary, never inside one — an emoji cut in half is a string PostgreSQL refuses.
 */
export function storableText(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- NUL is matched on purpose: PostgreSQL text cannot store it.
  const clean = value.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

/** A bounded, secret-free, storable copy of the input for the log. */
export function summarizeInput(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value ?? null;
  if (typeof value === 'string') return storableText(value, MAX_STRING);
  if (typeof value === 'bigint') return String(value);
  if (depth > MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const head = value.slice(0, MAX_ITEMS).map((v) => summarizeInput(v, depth + 1));
    return value.length > MAX_ITEMS ? [...head, `… ${value.length} items`] : head;
  }
  if (typeof value === 'object') {
    // Scalars parsed into objects (luxon DateTime, Date) are logged as they were sent.
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return summarizeInput(json.call(value), depth);
    return Object.fromEntries(
      Object.entries(value)
        .slice(0, MAX_ITEMS * 2)
        .map(([k, v]) => [storableText(k, 64), SECRET_KEYS.test(k) ? '***' : summarizeInput(v, depth + 1)]),
    );
  }
  return storableText(String(value), MAX_STRING);
}

export interface AuditEntry {
  at: Date;
  userId: string | null;
  username: string | null;
  role: string | null;
  regionCode: string | null;
  operation: string;
  input: unknown;
  outcome: string;
  message: string | null;
}

/**
 * D22: writes one audit row. Called in the transaction of the change it records (so a committed change always has
 * its row), or on its own for a refusal. Every string is made storable and bounded: no input can make it fail.
 */
export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.insert(auditLog).values(storableEntry(e));
}

function storableEntry(e: AuditEntry) {
  return {
    at: e.at,
    userId: e.userId,
    username: e.username === null ? null : storableText(e.username, 64),
    role: e.role,
    regionCode: e.regionCode,
    operation: storableText(e.operation, 64),
    input: summarizeInput(e.input),
    outcome: storableText(e.outcome, 32),
    message: e.message === null ? null : storableText(e.message, 500),
  };
}

/**
 * The audit row of the mutation a service runs in (D22), for a service that can write it in its own statement instead
 * of one more round trip (issue 11: a ledger post). The mutation's wrapper writes it when no service did.
 */
export interface PendingAudit {
  entry: AuditEntry;
  written: boolean;
}

/** The INSERT of an audit row, to ride in a data-modifying CTE; marks the row written. */
export function pendingAuditInsert(pending: PendingAudit): SQL {
  pending.written = true;
  const r = storableEntry(pending.entry);
  return sql`INSERT INTO audit_log (at, user_id, username, role, region_code, operation, input, outcome, message)
    VALUES (${r.at.toISOString()}::timestamptz, ${r.userId}::uuid, ${r.username}::varchar, ${r.role}::varchar, ${r.regionCode}::varchar,
            ${r.operation}::varchar, ${r.input === null ? null : JSON.stringify(r.input)}::jsonb, ${r.outcome}::varchar, ${r.message}::varchar)`;
}

/** The region an audit row belongs to: the user's region, a keeper's (first) store's, or for a login the account's. */
export async function auditRegion(db: Db, user: Principal | null, loginName: string | null): Promise<string | null> {
  if (user?.regionCode) return user.regionCode;
  if (user) {
    const [row] = await queryRows<{ region_code: string }>(
      db,
      sql`SELECT s.region_code FROM user_stores us JOIN stores s ON s.id = us.store_id WHERE us.user_id = ${user.id}::uuid ORDER BY s.code LIMIT 1`,
    );
    return row?.region_code ?? null;
  }
  return loginName ? regionOfAccount(db, loginName) : null;
}

async function regionOfAccount(db: Db, username: string): Promise<string | null> {
  if (username.length > 64) return null;
  const [row] = await queryRows<{ region_code: string | null }>(
    db,
    sql`SELECT COALESCE(u.region_code, (SELECT s.region_code FROM user_stores us JOIN stores s ON s.id = us.store_id
                                          WHERE us.user_id = u.id ORDER BY s.code LIMIT 1)) AS region_code
          FROM users u WHERE u.username = ${username}`,
  );
  return row?.region_code ?? null;
}

export interface AuditFilter {
  from?: Date | null;
  to?: Date | null;
  username?: string | null;
  operation?: string | null;
  outcome?: string | null;
  regionCode?: string | null;
}

/** Auditors and administrators read the log of actors in their region (an unscoped administrator: all). */
export async function listAuditLog(ctx: ServiceContext, f: AuditFilter, page: PageArgs) {
  const { db, actor: user } = ctx;
  if (user.role !== 'AUDITOR' && user.role !== 'ADMIN') throw forbidden('审计日志');
  const req = pageRequest(page, ['int']);
  const where: (SQL | undefined)[] = [];
  if (f.regionCode) {
    const region = await getRegionInScope(db, user, f.regionCode);
    where.push(sql`${auditLog.regionCode} LIKE ${`${subtreePrefix(region.code)}%`}`);
  }
  where.push(regionsInScope(user, auditLog.regionCode));
  if (f.from) where.push(gte(auditLog.at, f.from));
  if (f.to) where.push(lte(auditLog.at, f.to));
  if (f.username) where.push(eq(auditLog.username, f.username));
  if (f.operation) where.push(eq(auditLog.operation, f.operation));
  if (f.outcome) where.push(eq(auditLog.outcome, f.outcome));
  const [afterId] = (req.after ?? []) as number[];
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where, req.after ? lt(auditLog.id, Number(afterId)) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(req.limit + 1);
  return toPage(
    rows,
    req,
    (r) => [r.id],
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(auditLog)
        .where(and(...where));
      return r.n;
    },
  );
}
