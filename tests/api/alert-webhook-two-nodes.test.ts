import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { deliverAlerts, type AlertWebhook } from '../../server/paperwork/alert-webhook.ts';
import { createLogger } from '../../server/logger.ts';
import { useTestApp } from '../support/harness.ts';

// README: with ALERT_WEBHOOK_URL set, the server sends each new alert once — with several API nodes scanning too
// (server/paperwork/alert-webhook.ts). Sweep 5, M1: a node claimed 50 alerts under one 60-second lease; with a robot
// answering in 2.5 s the lease ended half-way through, and a second node sent the rest again (15 of 40 twice).

const t = useTestApp();
const START = '2026-07-22T03:00:00Z';
const WAITING = 40;
const ROBOT_SECONDS = 2.5;

describe('alert webhook on two nodes', () => {
  it('a robot slow to answer: each alert reaches it once, though a second node scans while the first is a minute into its sends', async () => {
    t.clock.set(START);
    for (let i = 0; i < WAITING; i++) {
      await t.database.db.execute(
        sql`INSERT INTO alert_deliveries (key, kind, message, first_seen_at, next_attempt_at)
            VALUES (${`two-nodes-${i}`}, 'TEST', ${JSON.stringify({ msgtype: 'text', text: { content: `第 ${i} 条` } })}, ${START}::timestamptz, ${START}::timestamptz)`,
      );
    }
    const sent: string[] = [];
    let second: Promise<number> | null = null;
    const node = (name: string): AlertWebhook => ({
      db: t.database.db,
      clock: t.clock,
      log: createLogger('silent'),
      url: 'http://robot.invalid/send',
      policy: { expiryDays: 90, approvalWarnHours: 12, approvalWaitHours: 24 },
      send: async (_url: string | URL | Request, init?: RequestInit) => {
        sent.push(String(init?.body));
        t.clock.advance(ROBOT_SECONDS / 3600);
        // A minute into the first node's sends, the second node's scan comes round (and runs to its end).
        if (name === 'A' && !second && t.clock.now().toMillis() - Date.parse(START) > 61_000) {
          second = deliverAlerts(node('B'));
          await second;
        }
        return new Response(JSON.stringify({ errcode: 0, errmsg: 'ok' }), { status: 200 });
      },
    });
    const byA = await deliverAlerts(node('A'));
    const byB = await (second ?? Promise.resolve(0));
    expect(second).not.toBeNull();
    expect(byB).toBeGreaterThan(0);
    const twice = sent.filter((body, i) => sent.indexOf(body) !== i);
    expect(twice).toEqual([]);
    const [{ n }] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM alert_deliveries WHERE key LIKE 'two-nodes-%' AND delivered_at IS NOT NULL AND attempts = 1`,
    );
    expect(n).toBe(WAITING);
    expect(byA + byB).toBe(sent.length);
  });
});
