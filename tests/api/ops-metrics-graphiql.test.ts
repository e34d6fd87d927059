import { createRequire } from 'node:module';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../drizzle/client.ts';
import { schema } from '../../schema/index.ts';
import { buildApp } from '../../server/http/app.ts';
import { fixedClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { GRAPHIQL_EXAMPLES } from '../../server/http/graphiql.ts';
import { createLogger } from '../../server/logger.ts';
import { NOW, openTestDatabase, useTestApp } from '../support/harness.ts';
import { issueRaw, ok, scrapRaw } from '../support/ledger-ops.ts';
import { COTTON_TENT, receive, WEIHUI } from '../support/ledger.ts';
import { createIncident, executedPlan } from '../support/relief.ts';
import { storeId } from '../../seeds/demo.ts';

// The schema is built on graphql's CommonJS copy (Pothos requires it); validate with the same copy.
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）
const { parse, validate } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

// Issue 12 "Metrics" and "GraphiQL offline": Prometheus text at /metrics, counting what happened; GraphiQL's page
// carries its own assets; GET / says where things are.

type Samples = Map<string, number>;

/**
 * Parses the Prometheus text exposition format strictly: every line a comment or `name{labels} value` (values as Go's
 * ParseFloat reads them: prom-client writes NaN as `Nan`).
 */
function parsePrometheus(text: string): Samples {
  const samples: Samples = new Map();
  const label = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"`;
  const sample = new RegExp(String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:${label})(?:,${label})*\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$`);
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) continue;
    const m = sample.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

describe('Issue 12 metrics: GET /metrics in the Prometheus format', () => {
  const t = useTestApp();
  const scrape = async () => {
    const res = await request(t.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(res.text);
  };

  it('parses as Prometheus text, with process metrics and the database pool', async () => {
    const m = await scrape();
    expect(m.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(m.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(m.get('db_pool_max')).toBe(t.database.kind === 'postgres' ? 10 : 1);
    expect(m.has('db_queries_in_flight')).toBe(true);
    if (t.database.kind === 'postgres') expect(m.get('db_pool_connections{state="active"}')).toBeGreaterThanOrEqual(1);
  });

  it('a posted receipt counts under ledger_documents_posted_total{type="RECEIPT"}, with its lines', async () => {
    const before = await scrape();
    await receive(t, 'keeper', WEIHUI, [
      { itemId: COTTON_TENT, quantity: 3, batchNo: 'M-1', unitPrice: '10.00' },
      { itemId: COTTON_TENT, quantity: 4, batchNo: 'M-2', unitPrice: '10.00' },
    ]);
    const after = await scrape();
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(delta('ledger_documents_posted_total{type="RECEIPT"}')).toBe(1);
    expect(delta('ledger_document_lines_posted_total{type="RECEIPT"}')).toBe(2);
    expect(delta('db_query_duration_seconds_count{outcome="ok"}')).toBeGreaterThan(0);
  });

  // README "/metrics": documents by type, whichever path posts them — a dispatch plan's execution (its shipments), a
  // scrap posted when a second person approves it — once committed; a refused post counts nothing.
  it('a dispatch execution and a scrap posted on approval count under their types; a refused issue counts nothing', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 10, batchNo: 'M-3', unitPrice: '10.00' }]); // what the plan ships
    const incidentId = await createIncident(t, { name: '指标测试：调运' });
    const before = await scrape();
    const plan = await executedPlan(t, incidentId, [
      { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: COTTON_TENT, quantity: 3 }] },
    ]);
    const shipments = new Set(plan.lines.map((l: { transfer: { id: string } }) => l.transfer.id)).size;
    // D23, API.md: 卫辉's government stock is scrapped only under an approved order (it posts at once); the scrap that
    // posts on a second person's approval (D27) is of the company's own stock in its agreement store.
    const own = await receive(t, 'admin', AGREEMENT_STORE, [{ itemId: COTTON_TENT, quantity: 5, batchNo: 'M-3-AG', unitPrice: '10.00' }]);
    const scrap = ok(
      await scrapRaw(t, 'admin', {
        storeId: AGREEMENT_STORE,
        orderId: null,
        approvalRef: '卫应急〔2026〕21号 鉴定意见',
        reason: 'MOULDY',
        lines: [{ batchId: own.lines[0].batch.id, quantity: 2 }],
      }),
    ).scrapStock;
    expect(scrap.status).toBe('POSTED'); // approved by the director (scrapRaw)
    const refused = await issueRaw(t, 'keeper', { storeId: WEIHUI, reason: 'RELIEF', lines: [{ itemId: COTTON_TENT, quantity: 1_000_000 }] });
    expect(refused.errors?.[0].extensions?.code).toBeTruthy();
    const after = await scrape();
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(shipments).toBeGreaterThanOrEqual(1);
    expect(delta('ledger_documents_posted_total{type="TRANSFER_OUT"}')).toBe(shipments);
    expect(delta('ledger_document_lines_posted_total{type="TRANSFER_OUT"}')).toBeGreaterThanOrEqual(shipments);
    expect(delta('ledger_documents_posted_total{type="SCRAP"}')).toBe(1);
    expect(delta('ledger_document_lines_posted_total{type="SCRAP"}')).toBe(1);
    expect(delta('ledger_documents_posted_total{type="ISSUE"}')).toBe(0);
  });

  it('requests and latency per operation, and errors by code', async () => {
    const before = await scrape();
    const token = await t.token('dispatcher');
    for (let i = 0; i < 3; i++) {
      await request(t.app).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: 'query MetricsProbe { me { username } }' });
    }
    await request(t.app).post('/graphql').send({ query: 'query MetricsBroken { nope }' });
    const after = await scrape();
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(delta('graphql_requests_total{operation="MetricsProbe",type="query"}')).toBe(3);
    expect(delta('graphql_request_duration_seconds_count{operation="MetricsProbe",type="query"}')).toBe(3);
    expect(after.get('graphql_request_duration_seconds_bucket{le="+Inf",operation="MetricsProbe",type="query"}')).toBe(3);
    expect(delta('graphql_errors_total{code="BAD_USER_INPUT"}')).toBe(1);
  });

  it('planner solve time is observed for a suggested dispatch plan', async () => {
    const before = await scrape();
    const incident = await t.gql(
      'mutation { createIncident(input: { name: "指标测试", type: FLOOD, regionCode: "410781", location: { lat: 35.398, lng: 114.064 } }) { id } }',
      {},
      'dispatcher',
    );
    const res = await t.gql(
      `query($incidentId: ID!, $itemId: ID!) { suggestDispatchPlan(input: { incidentId: $incidentId, destinations: [
        { name: "唐庄镇安置点", regionCode: "410781105000", lat: 35.45, lng: 113.97, lines: [{ itemId: $itemId, quantity: 2 }] }] }) { totalQuantity } }`,
      { incidentId: incident.data.createIncident.id, itemId: COTTON_TENT },
      'dispatcher',
    );
    expect(res.errors).toBeUndefined();
    const after = await scrape();
    expect((after.get('dispatch_planner_solve_seconds_count') ?? 0) - (before.get('dispatch_planner_solve_seconds_count') ?? 0)).toBe(1);
  });
});

describe('Issue 12 metrics: METRICS_TOKEN protects /metrics', () => {
  let database: Database;
  let app: ReturnType<typeof buildApp>;
  const token = 'metrics-token-0123456789';
  beforeAll(async () => {
    database = await openTestDatabase({ poolMax: 2 });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', METRICS_TOKEN: token });
    app = buildApp({ database, config, clock: fixedClock(NOW), log: createLogger('silent') });
  });
  afterAll(() => database.close());

  it('401 without the token or with another one; 200 with it', async () => {
    expect((await request(app).get('/metrics')).status).toBe(401);
    expect((await request(app).get('/metrics').set('authorization', 'Bearer metrics-token-wrong-000')).status).toBe(401);
    const ok = await request(app).get('/metrics').set('authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(parsePrometheus(ok.text).size).toBeGreaterThan(10);
  });
});

describe('Issue 12 GraphiQL offline, and GET / (the console) says where it is', () => {
  const t = useTestApp();

  it('GraphiQL is served with its assets: the page references no external URL', async () => {
    const res = await request(t.app).get('/graphql').set('accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const html = res.text;
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).toContain('应急物资储备与调度');
    // Nothing loaded from elsewhere: no src/href/url()/@import/import()/fetch to another origin or a protocol-relative one.
    const external =
      /(?:src|href)\s*=\s*["']?(?:https?:)?\/\/|url\(\s*["']?(?:https?:)?\/\/|@import\s+["'](?:https?:)?\/\/|import\(\s*["'](?:https?:)?\/\/|fetch\(\s*["']https?:/gi;
    expect(html.match(external) ?? []).toEqual([]);
    for (const cdn of ['unpkg.com', 'jsdelivr', 'cdnjs', 'esm.sh', 'fonts.googleapis', 'fonts.gstatic']) expect(html).not.toContain(cdn);
  });

  it('opens with Chinese examples (log in, stock, receipt, dispatch plan, valuation), each valid against the schema', async () => {
    expect(GRAPHIQL_EXAMPLES.map((e) => e.title)).toEqual(['登录', '仓库库存', '入库', '调度方案', '估值']);
    const html = (await request(t.app).get('/graphql').set('accept', 'text/html')).text;
    for (const e of GRAPHIQL_EXAMPLES) {
      expect(validate(schema, parse(e.query)).map((x) => x.message)).toEqual([]);
      expect(e.query).toMatch(/[\u4e00-\u9fff]/);
      expect(html).toContain(JSON.stringify(e.query).slice(1, 40));
    }
  });

  it('the stock example answers the keeper with their store', async () => {
    const example = GRAPHIQL_EXAMPLES.find((e) => e.title === '仓库库存')!;
    const res = await t.gql(example.query, {}, 'keeper');
    expect(res.errors).toBeUndefined();
    expect(res.data.me.stores[0].name).toBe('卫辉市救灾物资储备库');
  });

  it('GET / answers with a page that says where GraphiQL is, without external references', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('href="/graphql"');
    expect(res.text).toContain('GraphiQL');
    expect(res.text).not.toMatch(/https?:\/\//);
  });
});
