import { and, count, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import { Kind, valueFromASTUntyped, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { auditLog } from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import type { Context } from '../context.ts';
import { forbidden } from '../errors.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { getRegionInScope } from '../regions/service.ts';
import { subtreePrefix } from '../regions/codes.ts';

export type AuditRow = typeof auditLog.$inferSelect;

const SECRET_KEYS = /password|token|secret/i;

/** A bounded, secret-free copy of the input for the log. */
export function summarizeInput(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return value.length > 20 ? [...value.slice(0, 20).map((v) => summarizeInput(v, depth + 1)), `… ${value.length} items`] : value.map((v) => summarizeInput(v, depth + 1));
  if (value && typeof value === 'object') {
    if (depth > 4) return '…';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '***' : summarizeInput(v, depth + 1)]));
  }
  if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}…`;
  return value;
}

function operationOf(document: DocumentNode, name?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name ? ops.find((o) => o.name?.value === name) : ops[0];
}

/**
 * D22: every mutation is logged — who, role, when, operation, a summary of the input, and the outcome
 * (refusals too) — after it ran, in the append-only audit_log.
 */
export function auditPlugin(): Plugin<Context> {
  return {
    onExecute({ args }) {
      const op = operationOf(args.document, args.operationName);
      if (op?.operation !== 'mutation') return;
      return {
        onExecuteDone: async ({ result }) => {
          const ctx = args.contextValue as Context;
          // Keepers are scoped by store: their entries carry the store's region, so regional auditors see them.
          const keeperStore = ctx.user?.role === 'KEEPER' && ctx.user.storeIds[0] ? await ctx.loaders.store.load(ctx.user.storeIds[0]) : null;
          const errors = (result as ExecutionResult).errors ?? [];
          const rows = op.selectionSet.selections.flatMap((sel) => {
            if (sel.kind !== Kind.FIELD) return [];
            const responseKey = sel.alias?.value ?? sel.name.value;
            const fieldErrors = errors.filter((e) => e.path?.[0] === responseKey);
            // Literal arguments count as much as variables (closePeriod(month: "2026-05"), login(username: "…")).
            const argumentValues = Object.fromEntries(
              sel.arguments?.map((a) => [a.name.value, valueFromASTUntyped(a.value, args.variableValues ?? undefined)]) ?? [],
            );
            const user = ctx.user;
            const loginName = sel.name.value === 'login' ? String(argumentValues.username ?? '') : null;
            return [
              {
                at: ctx.clock.now().toJSDate(),
                userId: user?.id ?? null,
                username: user?.username ?? loginName,
                role: user?.role ?? null,
                regionCode: user?.regionCode ?? keeperStore?.regionCode ?? null,
                operation: sel.name.value,
                input: summarizeInput(argumentValues) as object,
                outcome: fieldErrors.length ? String(fieldErrors[0].extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'OK',
                message: fieldErrors[0]?.message.slice(0, 500) ?? null,
              },
            ];
          });
          // A login attempt (failed ones included) belongs to the named account's region, when the account exists.
          for (const row of rows) {
            if (row.operation === 'login' && !row.userId && row.username) row.regionCode = await regionOfAccount(ctx.db, row.username);
          }
          if (rows.length) await ctx.db.insert(auditLog).values(rows);
        },
      };
    },
  };
}

async function regionOfAccount(db: Db, username: string): Promise<string | null> {
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
export async function listAuditLog(db: Db, user: Principal, f: AuditFilter, page: PageArgs) {
  if (user.role !== 'AUDITOR' && user.role !== 'ADMIN') throw forbidden('审计日志');
  const req = pageRequest(page);
  const where: (SQL | undefined)[] = [];
  if (f.regionCode) {
    const region = await getRegionInScope(db, user, f.regionCode);
    where.push(sql`${auditLog.regionCode} LIKE ${`${subtreePrefix(region.code)}%`}`);
  } else if (user.regionCode) {
    where.push(sql`${auditLog.regionCode} LIKE ${`${subtreePrefix(user.regionCode)}%`}`);
  }
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
  return toPage(rows, req, (r) => [r.id], async () => {
    const [r] = await db.select({ n: count() }).from(auditLog).where(and(...where));
    return r.n;
  });
}
