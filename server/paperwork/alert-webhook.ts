import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { listAlerts, type AlertPolicy } from './alerts.ts';

// ALERT_WEBHOOK_URL: every new alert (by its key) goes once to a 企业微信 or 钉钉 group robot — both accept
// {"msgtype":"text","text":{"content":…}}. Deliveries are recorded (alert_deliveries); a failed send is retried with a
// growing delay, up to MAX_ATTEMPTS. Each send is claimed with a lease, so that several API nodes do not send twice.

export const MAX_ATTEMPTS = 6;
const LEASE_SECONDS = 60;
const SEND_TIMEOUT_MS = 5000;
/** Sends per scan at most (the rest wait for the next scan). */
const PER_SCAN = 50;

/** The scan sees everything: alerts for the whole system go to the one configured group. */
const SCANNER: Principal = { id: '00000000-0000-0000-0000-000000000000', username: 'alert-webhook', role: 'ADMIN', regionCode: null, storeIds: [] };

export interface AlertWebhook {
  db: Db;
  clock: Clock;
  log: Logger;
  url: string;
  policy: AlertPolicy;
  send?: typeof fetch;
}

export const robotMessage = (severity: string, message: string) => ({
  msgtype: 'text',
  text: { content: `【应急物资${severity === 'CRITICAL' ? '告警' : '提醒'}】${message}` },
});

/** One scan: records alerts not seen before, then sends what is due. Returns how many were delivered now. */
export async function deliverAlerts(w: AlertWebhook): Promise<number> {
  const now = w.clock.now().toJSDate();
  const alerts = await listAlerts({ db: w.db, actor: SCANNER, clock: w.clock }, w.policy);
  for (const a of alerts) {
    await w.db.execute(
      sql`INSERT INTO alert_deliveries (key, kind, message, first_seen_at, next_attempt_at)
          VALUES (${a.key}, ${a.kind}, ${JSON.stringify(robotMessage(a.severity, a.message))}, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
          ON CONFLICT DO NOTHING`,
    );
  }
  let delivered = 0;
  for (let n = 0; n < PER_SCAN; n++) {
    // One at a time: a claim's lease outlasts the send it covers (SEND_TIMEOUT_MS), so another node never takes an
    // alert over while this one is still sending it. (Claiming a whole batch under one lease, a slow robot let the
    // lease end before the batch was through, and another node sent the rest again: sweep 5, M1.)
    const claimedAt = w.clock.now().toJSDate();
    const [d] = await queryRows<{ key: string; message: string; attempts: number }>(
      w.db,
      sql`UPDATE alert_deliveries SET next_attempt_at = ${new Date(claimedAt.getTime() + LEASE_SECONDS * 1000).toISOString()}::timestamptz
           WHERE key = (SELECT key FROM alert_deliveries
                         WHERE delivered_at IS NULL AND attempts < ${MAX_ATTEMPTS} AND next_attempt_at <= ${claimedAt.toISOString()}::timestamptz
                         ORDER BY first_seen_at, key LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING key, message, attempts`,
    );
    if (!d) break;
    const error = await post(w, d.message);
    const answeredAt = w.clock.now().toJSDate();
    if (error === null) {
      delivered++;
      await w.db.execute(
        sql`UPDATE alert_deliveries SET delivered_at = ${answeredAt.toISOString()}::timestamptz, attempts = attempts + 1, last_error = NULL WHERE key = ${d.key}`,
      );
    } else {
      // Back-off: 1, 2, 4, 8 … minutes.
      const retryAt = new Date(answeredAt.getTime() + 60_000 * 2 ** d.attempts);
      w.log.warn('alert webhook failed', { key: d.key, error });
      await w.db.execute(
        sql`UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ${error.slice(0, 500)}, next_attempt_at = ${retryAt.toISOString()}::timestamptz WHERE key = ${d.key}`,
      );
    }
  }
  return delivered;
}

/** null when the robot accepted the message (HTTP 2xx and, where the body says, errcode 0). */
async function post(w: AlertWebhook, body: string): Promise<string | null> {
  try {
    const res = await (w.send ?? fetch)(w.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
    const errcode = (() => {
      try {
        return (JSON.parse(text) as { errcode?: number }).errcode;
      } catch {
        return undefined;
      }
    })();
    return errcode === undefined || errcode === 0 ? null : `errcode ${errcode}: ${text.slice(0, 200)}`;
  } catch (error) {
    return String(error);
  }
}

/** Scans every `seconds` while the server runs (composition root); a failed scan is logged and tried again next time. */
export function startAlertWebhook(w: AlertWebhook, seconds: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    deliverAlerts(w)
      .catch((error: unknown) => w.log.error('alert scan failed', { error: String(error) }))
      .finally(() => (running = false));
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
