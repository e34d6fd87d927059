import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { tableCounts } from './finance.ts';
import { errorCode, type GqlResult, type TestApp } from './harness.ts';

/** The newest audit row of an operation: its outcome and the message the caller was told. */
export const lastAudit = async (t: TestApp, operation: string) =>
  (
    await queryRows<{ outcome: string; message: string | null }>(
      t.database.db,
      sql`SELECT outcome, message FROM audit_log WHERE operation = ${operation} ORDER BY id DESC LIMIT 1`,
    )
  )[0];

/**
 * A refusal that changed nothing (D22): its code, message and extensions; no row written in any table but its audit
 * row, which says the same.
 */
export async function expectRefusedUnchanged(
  t: TestApp,
  operation: string,
  run: () => Promise<GqlResult>,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
): Promise<GqlResult> {
  const before = await tableCounts(t);
  const res = await run();
  expect(errorCode(res), JSON.stringify(res.errors)).toBe(code);
  expect(res.errors![0].message).toBe(message);
  expect(res.errors![0].extensions).toMatchObject(extensions);
  expect(await tableCounts(t)).toEqual(before);
  expect(await lastAudit(t, operation)).toEqual({ outcome: code, message });
  return res;
}
