// npm run bench: builds a large data set on PostgreSQL and prints each figure beside its baseline from the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { openDatabase } from '../../drizzle/client.ts';
import { buildApp } from '../../server/http/app.ts';
import { systemClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { userId } from '../../seeds/demo.ts';
import { freePort, startPostgres } from '../support/postgres-server.ts';
import { buildTemplate, TEST_PASSWORD, withDatabase } from '../support/template.ts';
import { BENCH_CITY, generateDataset, NESTED_STORES } from './dataset.ts';
import { add, measure, percentile, progressBar, table, type Rate } from './report.ts';
import { prepareReference, REFERENCE_NESTED, referenceVariables, summary } from './postgraphile.ts';
import { benchPlanner, fullLpOnSample } from './planner.ts';
import { benchGroupCommit, GROUP_SIZE, GROUPS } from './group-commit.ts';
import { DateTime } from 'luxon';
import { fixedClock } from '../../server/clock.ts';
import { closePeriod } from '../../server/audit/periods.ts';
import { valuation } from '../../server/audit/valuation.ts';
import { loadPrincipal } from '../../server/users/service.ts';
import type { Principal } from '../../server/auth/principal.ts';
import type { Db } from '../../drizzle/client.ts';
import type { Sql } from 'postgres';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
// One load generator on one address: the per-address request budget would measure the limiter, not the product;
// the nested read (50 stores × every stock line) is a report heavier than the default cost limit allows.
const BENCH_LIMITS = { RATE_LIMIT_PER_MINUTE: '10000000', RATE_LIMIT_BURST: '10000000', QUERY_MAX_COST: '10000000' };
const CLIENTS = 16;
const root = fileURLToPath(new URL('../..', import.meta.url));

async function main() {
  const pg = await startPostgres({ durable: true });
  const maintenance = postgres(pg.url, { max: 1, onnotice: () => {} });
  await maintenance.unsafe('DROP DATABASE IF EXISTS reserves_bench WITH (FORCE)');
  await maintenance.unsafe('CREATE DATABASE reserves_bench');
  await maintenance.end();
  const url = withDatabase(pg.url, 'reserves_bench');
  const template = await buildTemplate({ databaseUrl: url, poolMax: 4 });
  await template.close();

  // Generation uses temporary tables: one connection.
  const generator = postgres(url, { max: 1, onnotice: () => {} });
  const started = Date.now();
  const size = await generateDataset(generator, userId('admin'), progressBar);
  await generator.end();
  const sql = postgres(url, { max: CLIENTS, onnotice: () => {} });
  console.log(
    `\ndata set: ${size.stores} stores, ${size.items} items, ${size.movements.toLocaleString('en')} movements (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );

  // 月结 for every month of the history but the last: valuation starts from these snapshots.
  const closing = openDatabase({ databaseUrl: url, poolMax: 2 });
  const admin = (await loadPrincipal(closing.db, userId('admin')))!;
  const closeClock = fixedClock('2026-11-22T02:00:00Z');
  const closeStarted = Date.now();
  let months = 0;
  for (let m = DateTime.fromISO('2025-01-01'); m < DateTime.fromISO('2026-10-01'); m = m.plus({ months: 1 })) {
    await closePeriod({ db: closing.db, actor: admin, clock: closeClock }, m.toFormat('yyyy-LL'));
    months++;
    progressBar(`close ${m.toFormat('yyyy-LL')}`, months, 21);
  }
  console.log(`\nmonthly closes: ${months} months (${((Date.now() - closeStarted) / 1000).toFixed(0)} s)`);

  const nestedStores = await sql<{ id: string }[]>`SELECT id FROM stores WHERE region_code LIKE '9901%' ORDER BY code`;
  const otherStores = await sql<{ id: string }[]>`SELECT id FROM stores WHERE region_code LIKE '9902%' ORDER BY code`;
  const itemIds = (await sql<{ id: string }[]>`SELECT id FROM items ORDER BY code`).map((r) => r.id);
  const orders = await approvedOrders(sql, userId('admin'));

  // Baseline: raw single-row INSERTs into a plain table, 16 connections, autocommit.
  await sql`CREATE TABLE bench_plain (id bigserial PRIMARY KEY, store_id uuid, item_id uuid, quantity int, at timestamptz)`;
  await prepareReference(sql);
  const raw = await measure(SECONDS, CLIENTS, async () => {
    await sql`INSERT INTO bench_plain (store_id, item_id, quantity, at) VALUES (${nestedStores[0].id}, ${itemIds[0]}, 1, now())`;
  });

  const server = await startServer(url);
  try {
    const token = await login(server.url);
    const gql = graphqlClient(server.url, token);
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];

    // Single-line posts through GraphQL: receipts at the 1,950 stores, FEFO issues at the 50-store city.
    let flip = 0;
    const single = await measure(SECONDS, CLIENTS, async () => {
      if (flip++ % 2 === 0) {
        await gql(RECEIVE, { input: receiptInput(pick(otherStores).id, [pick(itemIds)]) });
      } else {
        const [store, item] = [pick(nestedStores).id, pick(itemIds)];
        await gql(ISSUE, { input: issueInput(store, [item], orders.single.get(`${store}|${item}`)!) });
      }
    });

    // The ceiling any post could reach here: the smallest authenticated GraphQL request, through the same HTTP stack,
    // client and machine (no database work at all).
    const trivial = await measure(SECONDS, CLIENTS, () => gql('{ __typename }', {}));

    // 100-line documents.
    let flip100 = 0;
    const hundred = await measure(SECONDS, CLIENTS, async () => {
      const lines = shuffled(itemIds).slice(0, 100);
      if (flip100++ % 2 === 0) await gql(RECEIVE, { input: receiptInput(pick(otherStores).id, lines) });
      else {
        const store = pick(nestedStores).id;
        await gql(ISSUE, { input: issueInput(store, lines, orders.whole.get(store)!) });
      }
    });

    // The group-commit lever, measured in this process without the HTTP stack (group-commit.ts).
    const lever = await benchGroupCommit(url, admin, () => receiptInput(pick(otherStores).id, [pick(itemIds)]), SECONDS, CLIENTS);

    const trips = await roundTripsPerPost(url, {
      receipt: () => receiptInput(otherStores[0].id, [itemIds[0]]),
      issue: () => issueInput(nestedStores[0].id, [itemIds[0]], orders.single.get(`${nestedStores[0].id}|${itemIds[0]}`)!),
    });
    const posting = [
      ['figure', 'measured', 'baseline (same run)', 'ratio', 'target'],
      ['round trips per single-line receiveStock / issueStock', `${trips.receipt} / ${trips.issue}`, '', '', '≤ 4'],
      [
        'P1 single-line posts/s (GraphQL, 16 clients)',
        single.rate.toFixed(0),
        `${raw.rate.toFixed(0)} raw INSERT/s`,
        (single.rate / raw.rate).toFixed(3),
        '≥ 0.3',
      ],
      [
        'ceiling: smallest GraphQL request/s (no database), 16 clients',
        trivial.rate.toFixed(0),
        `${raw.rate.toFixed(0)} raw INSERT/s`,
        (trivial.rate / raw.rate).toFixed(3),
        '',
      ],
      [
        'single-line posts/s in-process, no HTTP (a transaction each)',
        lever.perPost.rate.toFixed(0),
        `${raw.rate.toFixed(0)} raw INSERT/s`,
        (lever.perPost.rate / raw.rate).toFixed(3),
        '',
      ],
      [
        `  the same, group commit (${GROUPS} groups of ≤ ${GROUP_SIZE}, a savepoint each)`,
        lever.grouped.rate.toFixed(0),
        `${lever.perPost.rate.toFixed(0)} a transaction each`,
        (lever.grouped.rate / lever.perPost.rate).toFixed(2) + '×',
        '',
      ],
      [
        'lines/s in 100-line documents',
        (hundred.rate * 100).toFixed(0),
        `${single.rate.toFixed(0)} single-post lines/s`,
        ((hundred.rate * 100) / single.rate).toFixed(1) + '×',
        '≥ 5×',
      ],
    ];
    // BENCH_ONLY=posting: the posting figures alone (a quick run while working on P1).
    if (process.env.BENCH_ONLY === 'posting') {
      console.log('');
      table(posting);
      reportFailures([single, trivial, lever.perPost, lever.grouped, hundred]);
      return;
    }

    // Nested stock query: a city → its stores → stock lines → batch and item; beside PostGraphile on the same
    // database, the two taking turns so that both see the same machine.
    const reference = await startPostGraphile(url);
    const latencies: number[] = [];
    let nested: Rate | undefined;
    let postgraphile: Rate | undefined;
    try {
      const pgl = graphqlClient(reference.url);
      const ours = summary((await gql(NESTED, { region: BENCH_CITY, stores: NESTED_STORES })).stores as Parameters<typeof summary>[0]);
      const theirs = summary((await pgl(REFERENCE_NESTED, referenceVariables(BENCH_CITY, NESTED_STORES))).benchStoresUnder as Parameters<typeof summary>[0]);
      if (JSON.stringify(ours) !== JSON.stringify(theirs))
        throw new Error(`nested read: the API answers ${JSON.stringify(ours)}, PostGraphile ${JSON.stringify(theirs)}`);
      for (let round = 0; round < 2; round++) {
        nested = add(
          nested,
          await measure(SECONDS / 2, 4, async () => {
            const t0 = performance.now();
            await gql(NESTED, { region: BENCH_CITY, stores: NESTED_STORES });
            latencies.push(performance.now() - t0);
          }),
        );
        postgraphile = add(postgraphile, await measure(SECONDS / 2, 4, () => pgl(REFERENCE_NESTED, referenceVariables(BENCH_CITY, NESTED_STORES))));
      }
    } finally {
      reference.process.kill('SIGTERM');
    }
    const statements = await statementsPerNestedQuery(url);

    // P6: the same nested read on 2 API processes (node:cluster) against 1, in turns.
    const two = await startServer(url, 2);
    let one: Rate | undefined;
    let both: Rate | undefined;
    try {
      const gql2 = graphqlClient(two.url, token);
      for (let round = 0; round < 2; round++) {
        one = add(one, await measure(SECONDS / 2, 4, () => gql(NESTED, { region: BENCH_CITY, stores: NESTED_STORES })));
        both = add(both, await measure(SECONDS / 2, 4, () => gql2(NESTED, { region: BENCH_CITY, stores: NESTED_STORES })));
      }
    } finally {
      two.process.kill('SIGTERM');
    }

    console.log('');
    table([
      ['figure', 'measured', 'baseline (same run)', 'ratio', 'target'],
      ...posting.slice(1),
      [
        `P3 nested stock query req/s (4 clients, p95 ${percentile(latencies, 95).toFixed(0)} ms)`,
        nested!.rate.toFixed(2),
        `${postgraphile!.rate.toFixed(2)} PostGraphile v5 req/s`,
        (nested!.rate / postgraphile!.rate).toFixed(2),
        '≥ 1.5',
      ],
      ['SQL statements per nested query', `${statements.at50} (50 stores × ~327 lines)`, `${statements.at5} (5 stores)`, '', 'constant'],
      [
        'P6 nested req/s on 2 API processes',
        both!.rate.toFixed(2),
        `${one!.rate.toFixed(2)} on 1 process`,
        (both!.rate / one!.rate).toFixed(2),
        '> 1 on ≥ 4 cores',
      ],
    ]);
    if (availableParallelism() < 4)
      console.log(
        `P6 on ${availableParallelism()} cores: the API processes share them with PostgreSQL and this load generator, so a second process only takes CPU from the first and cannot grow the total; it needs cores of its own (≥ 4).`,
      );
    const finance = await benchValuation(closing.db, admin, sql);
    console.log('\nvaluation at a random instant (10 instants in 2025-02 … 2026-10)');
    table([
      ['figure', 'median', 'p95'],
      ['valuation(asOf, regionCode) — snapshot + movements after it', `${finance.valuation.median.toFixed(0)} ms`, `${finance.valuation.p95.toFixed(0)} ms`],
      ['plain full-scan SUM over the ledger up to asOf (baseline)', `${finance.scan.median.toFixed(0)} ms`, `${finance.scan.p95.toFixed(0)} ms`],
      ['ratio (target ≤ 0.2)', (finance.valuation.median / finance.scan.median).toFixed(3), ''],
    ]);
    console.log(`valuation equals the full-scan replay at every instant: ${finance.agree}`);
    console.log('\ndispatch planner (synthetic: 20 items × 10 destinations, exact LP per item vs greedy nearest-first)');
    const planner = [];
    for (const [stores, runs] of [
      [200, 10],
      [2000, 10],
      [20000, 3],
    ] as const)
      planner.push(await benchPlanner(stores, runs));
    table([
      ['stores', 'plan time median', 'p95', 'cost exact / greedy', 'target'],
      ...planner.map((p) => [
        String(p.storeCount),
        `${p.median.toFixed(0)} ms`,
        `${p.p95.toFixed(0)} ms`,
        (p.exact / p.greedy).toFixed(4),
        p.storeCount === 20000 ? '≤ 1000 ms' : '',
      ]),
    ]);
    const sample = await fullLpOnSample(20000);
    console.log(
      `exact: at ${sample.storeCount} stores, ${sample.items} items, the plan's cost ${sample.planned.toFixed(2)} equals one full LP over every source (${sample.full.toFixed(2)}, ${(sample.fullMs / 1000).toFixed(1)} s)`,
    );
    reportFailures([single, trivial, lever.perPost, lever.grouped, hundred, nested!, postgraphile!, one!, both!]);
  } finally {
    await closing.close();
    server.process.kill('SIGTERM');
    await sql.end();
    await pg.stop();
  }
}

function reportFailures(rates: Rate[]) {
  const failed = rates.filter((r) => r.errors);
  if (failed.length) console.log(`\nrequests that failed: ${failed.reduce((n, r) => n + r.errors, 0)} (first: ${failed[0].firstError})`);
}

/** valuation at random instants beside a plain full-scan SUM up to the same instant; both must agree. */
async function benchValuation(db: Db, admin: Principal, sql: Sql) {
  const clock = fixedClock('2026-11-22T02:00:00Z');
  const start = Date.parse('2025-02-01T00:00:00Z');
  const end = Date.parse('2026-10-31T00:00:00Z');
  const valuationTimes: number[] = [];
  const scanTimes: number[] = [];
  let agree = true;
  for (let i = 0; i < 10; i++) {
    const asOf = new Date(start + ((end - start) * (i + 0.37)) / 10);
    let t0 = performance.now();
    const v = await valuation({ db, actor: admin, clock }, { asOf, regionCode: '990000' });
    valuationTimes.push(performance.now() - t0);
    t0 = performance.now();
    const [row] = await sql<{ total: string }[]>`SELECT COALESCE(sum(m.quantity * m.unit_price), 0)::text AS total
      FROM movements m JOIN stores s ON s.id = m.store_id WHERE m.occurred_at <= ${asOf} AND s.region_code LIKE '99%'`;
    scanTimes.push(performance.now() - t0);
    if (Number(row.total).toFixed(2) !== Number(v.total).toFixed(2)) agree = false;
  }
  return {
    valuation: { median: percentile(valuationTimes, 50), p95: percentile(valuationTimes, 95) },
    scan: { median: percentile(scanTimes, 50), p95: percentile(scanTimes, 95) },
    agree,
  };
}

const RECEIVE = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id number } }`;
const ISSUE = `mutation($input: IssueStockInput!) { issueStock(input: $input) { id number } }`;
const NESTED = `query($region: String!, $stores: Int!) { stores(regionCode: $region, first: $stores) { edges { node { name
  stock(first: 400) { totalCount edges { node { onHand available value batch { batchNo expiryDate unitPrice } item { name unit category { name } } } } } } } } }`;

const receiptInput = (storeId: string, items: string[]) => ({
  storeId,
  source: 'PURCHASE',
  contractNo: 'HT-BENCH',
  inspectionReportNo: 'YS-BENCH',
  idempotencyKey: randomUUID(),
  lines: items.map((itemId) => ({ itemId, quantity: 20, unitPrice: '12.50' })),
});
const issueInput = (storeId: string, items: string[], orderId: string) => ({
  storeId,
  orderId,
  recipient: '基准安置点',
  reason: 'RELIEF',
  idempotencyKey: randomUUID(),
  lines: items.map((itemId) => ({ itemId, quantity: 1 })),
});

/**
 * D23: issues from government stores execute approved orders — one per store and item for the single-line posts, one
 * per store naming every item for the 100-line documents — approved for more than the run can take.
 */
async function approvedOrders(sql: Sql, adminId: string) {
  // One statement: the pool's connections do not share temporary tables.
  const rows = await sql<{ id: string; store_id: string; item_id: string | null }[]>`
    WITH o AS (SELECT gen_random_uuid() AS id, s.id AS store_id, i.id AS item_id FROM stores s CROSS JOIN items i WHERE s.region_code LIKE '9901%'
               UNION ALL SELECT gen_random_uuid(), s.id, NULL FROM stores s WHERE s.region_code LIKE '9901%'),
         orders AS (INSERT INTO outbound_orders (id, number, status, store_id, purpose, recipient, requested_by, requested_at)
                    SELECT id, 'SQ-B-' || lpad((row_number() OVER ())::text, 8, '0'), 'APPROVED', store_id, 'RELIEF', '基准安置点', ${adminId}::uuid, now() FROM o),
         lines AS (INSERT INTO outbound_order_lines (order_id, line_no, item_id, quantity)
                   SELECT o.id, row_number() OVER (PARTITION BY o.id ORDER BY i.code), i.id, 100000000 FROM o JOIN items i ON i.id = o.item_id OR o.item_id IS NULL)
    SELECT id, store_id, item_id FROM o`;
  return {
    single: new Map(rows.filter((r) => r.item_id).map((r) => [`${r.store_id}|${r.item_id}`, r.id])),
    whole: new Map(rows.filter((r) => !r.item_id).map((r) => [r.store_id, r.id])),
  };
}

function shuffled<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** The product as deployed: its own process (or processes), on the same machine as the database. */
const startServer = (databaseUrl: string, processes = 1) =>
  startProcess('server/http/main.ts', 'GraphQL at', {
    API_PROCESSES: String(processes),
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
    DB_POOL_MAX: '24',
    ...BENCH_LIMITS,
  });

/** P3's reference in its own process too. */
const startPostGraphile = (databaseUrl: string) =>
  startProcess('tests/bench/postgraphile-server.ts', 'PostGraphile at', { DATABASE_URL: databaseUrl, GRAPHILE_ENV: 'production' });

async function startProcess(script: string, banner: string, env: Record<string, string>): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes(banner) && resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/graphql`, process: child };
}

async function login(url: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation($p:String!){ login(username:"admin", password:$p){ token } }', variables: { p: TEST_PASSWORD } }),
  });
  const body = (await res.json()) as { data: { login: { token: string } } };
  return body.data.login.token;
}

/**
 * The load generator's client: node:http on kept-alive connections, one per client loop. It shares the machine with
 * what it measures, so it should cost little: global fetch (undici) spent 0.4–0.5 ms of CPU per request here, this
 * 0.15–0.2 (like the postgres.js client of the raw baseline, it takes as little of the 2 cores as it can).
 */
function graphqlClient(url: string, token?: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const post = (body: string) =>
    new Promise<string>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString()));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return async (query: string, variables: Record<string, unknown>) => {
    const body = JSON.parse(await post(JSON.stringify({ query, variables }))) as { data?: Record<string, unknown>; errors?: { message: string }[] };
    if (body.errors) throw new Error(body.errors[0].message);
    return body.data!;
  };
}

/** Round trips to the database of one single-line receiveStock and issueStock each, the second of two (an in-process app counting them). */
async function roundTripsPerPost(url: string, inputs: { receipt: () => Record<string, unknown>; issue: () => Record<string, unknown> }) {
  const database = openDatabase({ databaseUrl: url, poolMax: 2 });
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'bench-secret-bench-secret-bench-secret', LOG_LEVEL: 'silent', ...BENCH_LIMITS });
  const app = buildApp({ database, config, clock: systemClock, log: createLogger('silent') });
  const server = app.listen(0);
  const port = (server.address() as { port: number }).port;
  const gql = graphqlClient(`http://127.0.0.1:${port}/graphql`, await login(`http://127.0.0.1:${port}/graphql`));
  // The first post of each kind fills this process's reference cache.
  const count = async (query: string, input: () => Record<string, unknown>) => {
    await gql(query, { input: input() });
    const before = database.stats.roundTrips;
    await gql(query, { input: input() });
    return database.stats.roundTrips - before;
  };
  const receipt = await count(RECEIVE, inputs.receipt);
  const issue = await count(ISSUE, inputs.issue);
  server.close();
  await database.close();
  return { receipt, issue };
}

/** Statements sent for the nested query with 5 and with 50 stores (an in-process app counting its SQL). */
async function statementsPerNestedQuery(url: string) {
  const database = openDatabase({ databaseUrl: url, poolMax: 2 });
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'bench-secret-bench-secret-bench-secret', LOG_LEVEL: 'silent', ...BENCH_LIMITS });
  const app = buildApp({ database, config, clock: systemClock, log: createLogger('silent') });
  const server = app.listen(0);
  const port = (server.address() as { port: number }).port;
  const gql = graphqlClient(`http://127.0.0.1:${port}/graphql`, await login(`http://127.0.0.1:${port}/graphql`));
  const count = async (stores: number) => {
    const before = database.stats.statements;
    await gql(NESTED, { region: BENCH_CITY, stores });
    return database.stats.statements - before;
  };
  // The first request of a process also loads its principal into the reference cache: not counted.
  await gql(NESTED, { region: BENCH_CITY, stores: 5 });
  const at5 = await count(5);
  const at50 = await count(50);
  server.close();
  await database.close();
  return { at5, at50 };
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
