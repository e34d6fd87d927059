import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../support/postgres-server.ts';
import { TEMPLATE_DB, TEST_PASSWORD, withDatabase } from '../support/template.ts';

// Runs on the real PostgreSQL server only. D22 under a crash: the real server (package.json "start") is killed with
// SIGKILL while receiveStock mutations are in flight, a few times over on one database; afterwards every committed
// receipt document has its 'OK' audit row and every such audit row has its document. The audit row must therefore be
// written in the posting transaction — written after the commit, a kill between the two loses it.

const root = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = 2; // start → load → SIGKILL, on the same database (the second start also recovers after a crash)
const LOOPS = 8; // concurrent request loops
const MIN_LOAD_MS = 1_000; // load before the kill
const MAX_LOAD_MS = 2_000;
const READY_TIMEOUT_MS = 25_000; // a start takes 5–15 s on a busy machine (tsx, migrations check, reference data)
const MAX_REQUESTS_PER_LOOP = 5_000;
const JWT_SECRET = `crash-audit-${randomBytes(24).toString('hex')}`;

const serverUrl = inject('postgresUrl');
const dbName = `reserves_t_${randomBytes(6).toString('hex')}`;
const dbUrl = withDatabase(serverUrl, dbName);
let sql: postgres.Sql;
let child: ChildProcess | undefined;
let childOutput = '';

/** The package.json "start" script as [binary, ...args]; the binary from node_modules/.bin when it is there. */
function startCommand(): [string, string[]] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const script = pkg.scripts?.start;
  if (!script) throw new Error('package.json has no scripts.start');
  // `exec` replaces npm's shell with the server (sweep 23a F1, F3); spawned directly, there is no shell to replace.
  const [bin, ...args] = script
    .trim()
    .replace(/^exec\s+/, '')
    .split(/\s+/);
  const local = join(root, 'node_modules', '.bin', bin);
  if (existsSync(local)) return [local, args];
  if (bin === 'node') return [process.execPath, args];
  return [bin, args];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isAlive(p: ChildProcess | undefined): boolean {
  return !!p && p.exitCode === null && p.signalCode === null;
}

/** SIGKILL to the whole process group: tsx runs the server in a child node process that a kill of tsx alone would orphan. */
async function killHard(p: ChildProcess | undefined): Promise<void> {
  if (!p?.pid) return;
  const exited = isAlive(p) ? new Promise<void>((r) => p.once('exit', () => r())) : Promise.resolve();
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
  await Promise.race([exited, sleep(5_000)]);
}

async function startServer(port: number): Promise<ChildProcess> {
  const [bin, args] = startCommand();
  childOutput = '';
  const p = spawn(bin, args, {
    cwd: root,
    detached: true, // its own process group, so that killHard reaches every process of it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET,
      SEED_DEMO: 'false', // the template has the demo users and data; reference data is re-seeded idempotently
      LOG_LEVEL: 'error',
      NODE_ENV: 'test',
      // One API process: what is killed here is the posting transaction. Several (the default on PostgreSQL, one
      // per core) start one after the other, the primary migrating before the workers load: over READY_TIMEOUT_MS
      // on a busy machine.
      API_PROCESSES: '1',
    },
  });
  // Ours is listening once it prints the banner with its port: a /readyz answer alone may come from another test's
  // server that took the port between freePort and this start (CI of 51df63a: ready, then ECONNREFUSED).
  let listening = false;
  const keep = (chunk: Buffer) => {
    childOutput = (childOutput + chunk.toString()).slice(-4_000);
    listening ||= childOutput.includes(`http://localhost:${port}/`);
  };
  p.stdout?.on('data', keep);
  p.stderr?.on('data', keep);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isAlive(p)) throw new Error(`server exited during start-up (${p.exitCode ?? p.signalCode}):\n${childOutput}`);
    try {
      if (listening && (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200) return p;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  await killHard(p);
  throw new Error(`server not ready within ${READY_TIMEOUT_MS} ms:\n${childOutput}`);
}

async function gql<T = any>(
  port: number,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => {
    // Says whether the server had stopped, and what it wrote last (the load's loops expect this when they kill it).
    const state = isAlive(child) ? 'running' : `stopped (${child?.exitCode ?? child?.signalCode})`;
    throw new Error(`POST /graphql on port ${port} failed: ${String(error)}; the server is ${state}; its output:\n${childOutput}`, { cause: error });
  });
  return (await res.json()) as { data?: T };
}

/** Waits until no other session is connected to the test database: every statement the dead server sent has ended. */
async function waitForSessionsToEnd(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [{ n }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${dbName} AND pid <> pg_backend_pid()`;
    if (n === 0) return;
    await sleep(100);
  }
  throw new Error('sessions of the killed server still open after 10 s');
}

/** Whether a receipt of this round has committed while its audit row is not (yet) there. */
async function receiptWithoutAuditVisible(round: number): Promise<boolean> {
  const [{ gap }] = await sql<{ gap: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM documents d
                    WHERE d.type = 'RECEIPT' AND d.idempotency_key LIKE ${`crash-${round}-%`}
                      AND NOT EXISTS (SELECT 1 FROM audit_log a
                                       WHERE a.operation = 'receiveStock'
                                         AND a.input->'input'->>'idempotencyKey' = d.idempotency_key)) AS gap`;
  return gap;
}

const RECEIVE = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id number } }`;

beforeAll(async () => {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${dbName} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await killHard(child);
  await sql?.end();
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
});

describe('audit log under a crash (PostgreSQL, real server process)', () => {
  it(
    'after SIGKILLs under receiveStock load, every committed receipt has its OK audit row and every OK audit row its receipt',
    { timeout: 60_000 },
    async () => {
      const started = Date.now();
      const sent: number[] = [];
      const committed: number[] = []; // receipts of the load (the probe aside) per round
      for (let round = 0; round < ROUNDS; round++) {
        const port = await freePort();
        child = await startServer(port);

        const login = await gql(port, `mutation($u:String!,$p:String!){ login(username:$u,password:$p){ token } }`, { u: 'keeper', p: TEST_PASSWORD });
        const token: string = login.data?.login?.token;
        expect(token, JSON.stringify(login.errors)).toBeTruthy();
        const ctx = await gql(port, `{ me { stores { id } } items(first: 5) { edges { node { id } } } }`, undefined, token);
        const storeId: string = ctx.data?.me?.stores?.[0]?.id;
        const itemId: string = ctx.data?.items?.edges?.[0]?.node?.id;
        expect(storeId, JSON.stringify(ctx.errors)).toBeTruthy();
        expect(itemId, JSON.stringify(ctx.errors)).toBeTruthy();

        // A probe before the load: the mutation really posts (a refused input would make the load prove nothing).
        const probe = await gql(
          port,
          RECEIVE,
          {
            input: {
              storeId,
              source: 'DONATION',
              sourceName: '崩溃测试捐赠方',
              idempotencyKey: `crash-${round}-probe`,
              lines: [{ itemId, quantity: 1, unitPrice: '10.00' }],
            },
          },
          token,
        );
        expect(probe.errors, JSON.stringify(probe.errors)).toBeUndefined();

        let killed = false;
        let requests = 0;
        let seq = 0;
        const loop = async (l: number) => {
          for (let i = 0; i < MAX_REQUESTS_PER_LOOP && !killed; i++) {
            const n = seq++;
            requests++;
            try {
              await gql(
                port,
                RECEIVE,
                {
                  input: {
                    storeId,
                    source: 'DONATION',
                    sourceName: '崩溃测试捐赠方',
                    idempotencyKey: `crash-${round}-${l}-${n}`,
                    lines: [{ itemId, quantity: 1, unitPrice: '10.00' }],
                  },
                },
                token,
              );
            } catch {
              if (killed || !isAlive(child)) return; // the connection died with the server
              await sleep(10);
            }
          }
        };
        const loops = Array.from({ length: LOOPS }, (_, l) => loop(l));
        // The kill comes after MIN_LOAD_MS of load, at the first moment a committed receipt is seen without its audit row
        // (a crash may come at any instant; this one is the instant that tells), else at MAX_LOAD_MS. When the audit row
        // is written in the posting transaction no such moment exists and the kill comes at MAX_LOAD_MS.
        const loadStart = Date.now();
        await sleep(MIN_LOAD_MS);
        while (Date.now() - loadStart < MAX_LOAD_MS) if (await receiptWithoutAuditVisible(round)) break;
        killed = true;
        await killHard(child);
        expect(isAlive(child)).toBe(false);
        await Promise.all(loops);
        sent.push(requests);
        await waitForSessionsToEnd();
        const [{ n }] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM documents
         WHERE type = 'RECEIPT' AND idempotency_key LIKE ${`crash-${round}-%`} AND idempotency_key <> ${`crash-${round}-probe`}`;
        committed.push(n);
      }

      const missingAudit = await sql<{ idempotency_key: string; number: string }[]>`
      SELECT d.idempotency_key, d.number FROM documents d
       WHERE d.type = 'RECEIPT' AND d.idempotency_key LIKE 'crash-%'
         AND NOT EXISTS (SELECT 1 FROM audit_log a
                          WHERE a.operation = 'receiveStock' AND a.outcome = 'OK'
                            AND a.input->'input'->>'idempotencyKey' = d.idempotency_key)
       ORDER BY d.idempotency_key`;
      const auditWithoutDocument = await sql<{ key: string }[]>`
      SELECT a.input->'input'->>'idempotencyKey' AS key FROM audit_log a
       WHERE a.operation = 'receiveStock' AND a.outcome = 'OK' AND a.input->'input'->>'idempotencyKey' LIKE 'crash-%'
         AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.type = 'RECEIPT' AND d.idempotency_key = a.input->'input'->>'idempotencyKey')`;

      console.log(
        `crash-audit: ${ROUNDS} kills, ${sent.join('+')} requests sent, ${committed.join('+')} load receipts committed (+${ROUNDS} probes), ` +
          `${missingAudit.length} without audit row, ${auditWithoutDocument.length} audit rows without receipt, ${Date.now() - started} ms`,
      );
      // The load really ran: every round committed receipts of its own before the kill.
      for (const n of committed) expect(n).toBeGreaterThan(0);
      expect(
        missingAudit.map((r) => `${r.number} (${r.idempotency_key})`),
        'committed receipts without their audit row',
      ).toEqual([]);
      expect(
        auditWithoutDocument.map((r) => r.key),
        'OK audit rows without their receipt',
      ).toEqual([]);
    },
  );
});
