import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { PLAN_STATUS_CHANNEL } from '../../server/dispatch/events.ts';
import { receive, WEIHUI } from '../support/ledger.ts';
import { planStatusStream } from '../support/plan-status-stream.ts';
import { useTestApp } from '../support/harness.ts';
import { createIncident, requestPlan } from '../support/relief.ts';

// Runs on the real PostgreSQL server only. DESIGN "Growing past one machine" (sweep 5, H1): what another process
// changes is heard through LISTEN/NOTIFY, and a notification sent while this process's listening connection is down is
// lost. The connection is cut here (its backend terminated) and, before it can listen again, a change is made and
// notified as another process would — a notification nobody hears. Before, the reference cache went on answering from
// what it held (a token refused everywhere else still worked here) and a plan's subscribers never heard the change;
// now DOWN drops the cache, and once listening again the plans followed here are read again.

const t = useTestApp();
const LAMP = itemId('LIV-015'); // 场地照明灯
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cuts this database's listening connection and, while nobody can listen again (the database takes no new connection
 * for a moment), runs `change`: its NOTIFY is lost. Then lets connections in again.
 */
async function cutListenerAnd(change: ReturnType<typeof sql>) {
  const db = t.database.db;
  const [{ name }] = await queryRows<{ name: string }>(db, sql`SELECT current_database() AS name`);
  // From the server's own database: a database's connections cannot refuse newcomers to it themselves.
  const admin = postgres(inject('postgresUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
  try {
    const [cut] = await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%') killed`,
    );
    expect(cut.n).toBe(1);
    await db.execute(change);
    // The process notices the loss and tries to listen again, in vain.
    await sleep(300);
  } finally {
    await admin.unsafe(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
    await admin.end();
  }
}

let server: Server;
let url: string;

beforeAll(async () => {
  server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  // The listener is in place once the app has served a request.
  await t.gql('{ me { username } }', {}, 'auditor');
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(() => r(undefined)));
});

describe('a lost listening connection loses nothing that was changed meanwhile', () => {
  it('a session ended while nobody listened is refused here too (the cached principal is dropped)', async () => {
    expect((await t.gql('{ me { username } }', {}, 'auditor')).data?.me?.username).toBe('auditor');
    // What a password reset on another process does to the auditor's earlier sessions.
    await cutListenerAnd(sql`UPDATE users SET credentials_version = credentials_version + 1 WHERE username = 'auditor'`);
    const res = await t.gql('{ me { username } }', {}, 'auditor');
    expect(res.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('D18: a plan cancelled on another process while nobody listened here is told to its subscribers once listening again', async () => {
    const incidentId = await createIncident(t, { name: '监听中断复核' });
    await receive(t, 'admin', WEIHUI, [{ itemId: LAMP, quantity: 5, batchNo: 'LISTEN-LP-1', expiryDate: '2032-01-01', unitPrice: '800.00' }]);
    const planId = (await requestPlan(t, incidentId, LAMP, 1)).id as string;
    const abort = new AbortController();
    const stream = await planStatusStream(url, planId, await t.token('dispatcher'), abort.signal);
    try {
      expect(await stream.readUntil((text) => text.includes('PROPOSED'))).toBe(true);
      await cutListenerAnd(
        sql`WITH changed AS (UPDATE dispatch_plans SET status = 'CANCELLED' WHERE id = ${planId} RETURNING id)
            SELECT pg_notify(${PLAN_STATUS_CHANNEL}, json_build_object('planId', id, 'status', 'CANCELLED')::text) FROM changed`,
      );
      const timeout = setTimeout(() => abort.abort(), 10_000);
      expect(await stream.readUntil((text) => text.includes('CANCELLED')).catch(() => false)).toBe(true);
      clearTimeout(timeout);
    } finally {
      abort.abort();
    }
  });
});
