import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { robotMessage } from '../../server/paperwork/alert-webhook.ts';
import { itemId } from '../../seeds/reference.ts';
import { startApiProcess, templateCopy, type ApiProcess } from '../support/api-process.ts';
import { JINCHENG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { freePort } from '../support/postgres-server.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Runs on the real PostgreSQL server only. Sweep 17c F7: with API_PROCESSES=2 the alerts (issue 13, D19's stock below
// quota here) reach the ALERT_WEBHOOK_URL robot from one worker; once that worker was killed, its replacement never
// sent again. Each original worker is SIGKILLed in turn (so the sender surely is); after each replacement, a new
// alert still reaches the robot exactly once, and nothing sent before is sent again.

const POOL = 3;
const SCAN_SECONDS = 10; // ALERT_SCAN_SECONDS' least
const ARRIVAL_MS = 60_000; // a replacement's start (tsx, a busy machine) and two scans

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: ApiProcess;
let robot: Server;
let sql: postgres.Sql;
let dropDatabase = async () => {};
let banners = () => 0;
const received: string[] = [];

/** The API's worker processes: those of the server's process group that node:cluster started (whether or not tsx runs the primary). */
function workerPids(): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,pgid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  return rows
    .filter(([, pgid]) => pgid === server.child.pid)
    .map(([pid]) => pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .some((v) => v.startsWith('NODE_UNIQUE_ID='));
      } catch {
        return false; // gone meanwhile
      }
    });
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms; received ${JSON.stringify(received)}\n${server.output()}`);
    await sleep(250);
  }
}

async function gql(query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

/** Both workers serve: the summed /metrics counts both pools (a worker still starting makes the scrape fail). */
const bothServing = () =>
  until('two workers serving', ARRIVAL_MS, async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    const text = res?.status === 200 ? await res.text() : '';
    return text.split('\n').includes(`db_pool_max ${2 * POOL}`) ? true : undefined;
  });

/** D19: a quota far above the stock of a pair that has none yet — a new BELOW_QUOTA alert; returns the robot's text. */
async function newAlert(token: string, storeId: string, item: string): Promise<string> {
  const quota = (await gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, { i: { itemId: itemId(item), storeId, quantity: 999_999 } }, token))
    .upsertQuota.id as string;
  const key = `BELOW_QUOTA:${quota}`;
  const [{ known }] = await sql<{ known: boolean }[]>`SELECT EXISTS (SELECT 1 FROM alert_deliveries WHERE key = ${key}) AS known`;
  expect(known, `${key} is not a new alert`).toBe(false);
  const alert = ((await gql(`{ alerts { key severity message } }`, {}, token)).alerts as { key: string; severity: string; message: string }[]).find(
    (a) => a.key === key,
  );
  expect(alert, key).toBeDefined();
  return robotMessage(alert!.severity, alert!.message).text.content;
}

beforeAll(async () => {
  robot = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push((JSON.parse(body) as { text: { content: string } }).text.content);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve));
  const database = await templateCopy(inject('postgresUrl'));
  dropDatabase = database.drop;
  sql = postgres(database.url, { max: 1, onnotice: () => {} });
  const port = await freePort();
  server = await startApiProcess(
    port,
    {
      DATABASE_URL: database.url,
      JWT_SECRET: `alerts-${randomBytes(24).toString('hex')}`,
      API_PROCESSES: '2',
      DB_POOL_MAX: String(POOL),
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(robot.address() as AddressInfo).port}/cgi-bin/webhook/send?key=test`,
      ALERT_SCAN_SECONDS: String(SCAN_SECONDS),
    },
    90_000,
  );
  // Counted from the start: the banner may be printed only once, also when the worker that printed it is replaced.
  const url = `console at http://localhost:${port}/ `;
  const atStart = server.output().split(url).length - 1;
  let later = '';
  server.child.stdout?.on('data', (c: Buffer) => (later += c.toString()));
  banners = () => atStart + later.split(url).length - 1;
}, 180_000);

afterAll(async () => {
  server?.kill();
  await sql?.end();
  await new Promise((r) => setTimeout(r, 500));
  await dropDatabase();
  await new Promise<void>((resolve) => (robot ? robot.close(() => resolve()) : resolve()));
});

describe('sweep 17c F7: the alert webhook with several API processes', () => {
  it('D19 alerts still reach the robot, each once, after each original worker is killed and replaced', { timeout: 300_000 }, async () => {
    await bothServing();
    const token = (await gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: 'admin', p: TEST_PASSWORD })).login
      .token as string;
    const arrives = (content: string) => until(`「${content}」 did not reach the robot`, ARRIVAL_MS, () => (received.includes(content) ? true : undefined));

    // Before any kill: the webhook works (and whatever alerts the database had are sent with it).
    const first = await newAlert(token, WEIHUI, 'LIV-006');
    await arrives(first);
    await until('every recorded alert delivered', ARRIVAL_MS, async () => {
      const [{ n }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM alert_deliveries WHERE delivered_at IS NULL`;
      return n === 0 ? true : undefined;
    });

    const originals = workerPids();
    expect(originals).toHaveLength(2);
    const expected = [first];
    for (const [pid, storeId, item] of [
      [originals[0], XINXIANG, 'FLD-001'],
      [originals[1], JINCHENG, 'LIV-006'],
    ] as const) {
      const sentBefore = received.length;
      process.kill(pid, 'SIGKILL');
      await until(`worker ${pid} replaced`, ARRIVAL_MS, () => {
        const now = workerPids();
        return now.length === 2 && !now.includes(pid) ? true : undefined;
      });
      await bothServing();
      const content = await newAlert(token, storeId, item);
      expected.push(content);
      await arrives(content);
      // Nothing sent before the kill is sent again by the new sender.
      expect(received.slice(sentBefore).filter((c) => received.indexOf(c) < sentBefore)).toEqual([]);
    }

    // One more scan after the last: still each alert once, and one message per recorded delivery.
    await sleep((SCAN_SECONDS + 2) * 1000);
    for (const content of expected) expect(received.filter((c) => c === content)).toHaveLength(1);
    expect(received.filter((c, i) => received.indexOf(c) !== i)).toEqual([]);
    const [{ delivered, retried }] = await sql<{ delivered: number; retried: number }[]>`
      SELECT count(*) FILTER (WHERE delivered_at IS NOT NULL)::int AS delivered, count(*) FILTER (WHERE attempts > 1)::int AS retried FROM alert_deliveries`;
    expect(received).toHaveLength(delivered);
    expect(retried).toBe(0);
    expect(banners()).toBe(1);
  });
});
