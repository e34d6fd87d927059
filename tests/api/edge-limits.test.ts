import request from 'supertest';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphQLError, parse } from 'graphql';
import { buildApp } from '../../server/http/app.ts';
import { queryLimits } from '../../server/http/limits.ts';
import { loadConfig } from '../../server/config.ts';
import type { Logger } from '../../server/logger.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';

// API.md The edge: depth ≤ 12, aliases ≤ 30, one directive per field, tokens ≤ 5,000 and a cost limit, all refused
// with BAD_USER_INPUT at once, before any resolver (and so before the database) is reached.

/**
 * A time bound measured on a quiet 2-core machine, stretched by the machine's load: the timings here tell which path
 * ran — a refusal before the work, or the work itself (seconds) — not how busy the machine is. A CI run beside other
 * work (load 21 on 2 cores) took 377 ms for a refusal that takes a few ms when quiet.
 */
const quiet = (ms: number) => ms * Math.max(1, loadavg()[0] / availableParallelism());

interface Answer {
  status: number;
  body: GqlResult;
  ms: number;
}

/** A nested `region { children { parent { children … } } }` of `levels` object fields (depth levels + 1 with the leaf). */
function regionCycle(levels: number): string {
  let inner = 'name';
  for (let i = levels - 1; i >= 1; i--) inner = `${i % 2 ? 'children' : 'parent'} { code ${inner} }`;
  return `{ region(code: "410700") { ${inner} } }`;
}

/** `region { parent { parent … } } }`: as deep as asked, but each level one row. */
function parentChain(levels: number): string {
  let inner = 'code';
  for (let i = 1; i < levels; i++) inner = `code parent { ${inner} }`;
  return `{ region(code: "410781100000") { ${inner} } }`;
}

const aliases = (n: number, field: string) => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');

describe('API.md The edge: limits before execution', () => {
  const t = useTestApp();
  let token: string;

  beforeAll(async () => {
    token = await t.token('dispatcher');
  });

  async function post(query: string, variables?: Record<string, unknown>): Promise<Answer> {
    const started = performance.now();
    const res = await request(t.app)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${token}`)
      .send({ query, variables });
    return { status: res.status, body: res.body as GqlResult, ms: performance.now() - started };
  }

  /** Posts and asserts a single BAD_USER_INPUT refusal of the named limit that touched no database statement. */
  async function refused(query: string, limit?: string, variables?: Record<string, unknown>) {
    t.database.stats.statements = 0;
    const answer = await post(query, variables);
    expect(errorCode(answer.body)).toBe('BAD_USER_INPUT');
    if (limit) expect(answer.body.errors![0].extensions.limit, answer.body.errors![0].message).toBe(limit);
    expect(answer.body.data ?? null).toBeNull();
    // Sweep 23b F7 (DESIGN The edge: "refusals are logged too"): a refused mutation now writes its audit rows
    // (tests/api/audit-rows-sweep23b.test.ts) — its only statements; a refused query never reaches the database.
    if (!/^\s*mutation\b/.test(query)) expect(t.database.stats.statements).toBe(0);
    return answer;
  }

  describe('depth ≤ 12', () => {
    it('the 13-level region/children/parent cycle is refused in under 100 ms and never reaches the database', async () => {
      await post('{ me { username } }'); // warm up the app and its connection
      const answer = await refused(regionCycle(13), 'depth');
      expect(answer.ms).toBeLessThan(quiet(100));
      expect(answer.body.errors![0].message).toMatch(/^查询嵌套过深（最多 12 层/);
      expect(answer.body.errors![0].extensions).toMatchObject({ max: 12, found: 14 });
    });

    it('a 12-deep chain of single objects is answered; one level more is refused', async () => {
      const ok = await post(parentChain(11)); // region + 10 parents + code = depth 12
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data.region.code).toBe('410781100000');
      await refused(parentChain(12), 'depth');
    });

    it('fragments do not hide depth', async () => {
      const probe = await post(`{ region(code: "410700") { ...A } } fragment A on Region { parent { code } }`);
      expect(probe.body.errors).toBeUndefined();
      const query = `{ region(code: "410700") { ...A } }
        fragment A on Region { parent { ...B } }
        fragment B on Region { parent { ...C } }
        fragment C on Region { ${'parent { '.repeat(10)}code${' }'.repeat(10)} }`;
      await refused(query, 'depth');
    });

    it('a 12-deep cycle that fans out through lists is refused by its cost', async () => {
      const answer = await refused(regionCycle(11), 'cost');
      expect(answer.body.errors![0].message).toMatch(/^查询开销过大/);
      expect(answer.ms).toBeLessThan(quiet(500));
    });
  });

  describe('aliases ≤ 30', () => {
    const input = '$i: DispatchRequestInput!';
    it('30 aliases pass the limit; 31 are refused', async () => {
      const ok = await post(`{ ${aliases(30, 'me { username }')} }`);
      expect(ok.body.errors).toBeUndefined();
      const answer = await refused(`{ ${aliases(31, 'me { username }')} }`, 'aliases');
      expect(answer.body.errors![0].extensions).toMatchObject({ max: 30, found: 31 });
    });

    it('1,000 aliases of suggestDispatchPlan are refused at once', async () => {
      const answer = await refused(`query(${input}) { ${aliases(1000, 'suggestDispatchPlan(input: $i) { id }')} }`, undefined, {
        i: { incidentId: '00000000-0000-4000-8000-000000000000', destinations: [] },
      });
      expect(answer.ms).toBeLessThan(quiet(500));
    });

    it('1,000 aliases of valuation are refused at once', async () => {
      const answer = await refused(`{ ${aliases(1000, 'valuation { total }')} }`);
      expect(answer.ms).toBeLessThan(quiet(500));
    });

    it('aliases of __typename count too', async () => {
      await refused(`{ ${aliases(31, '__typename')} }`, 'aliases');
    });
  });

  describe('tokens ≤ 5,000 and bounded nesting: the parser never recurses out of its stack', () => {
    it('50,000 aliased fields (0.8 MB) are refused by the token count', async () => {
      const query = `{ ${aliases(50_000, '__typename')} }`;
      expect(query.length).toBeGreaterThan(600_000);
      const answer = await refused(query, 'tokens');
      expect(answer.body.errors![0].extensions.max).toBe(5000);
      expect(answer.ms).toBeLessThan(quiet(1000));
    });

    it('a list literal nested 100,000 deep → BAD_USER_INPUT, not INTERNAL_SERVER_ERROR', async () => {
      const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
      await refused(`{ items(search: ${deep}) { totalCount } }`, 'nesting');
    });

    it('selection sets nested 5,000 deep → BAD_USER_INPUT', async () => {
      await refused(`{ ${'region(code: "410700") { '.repeat(5000)}code${' }'.repeat(5000)} }`, 'nesting');
    });

    it('a chain of 500 fragments is refused without overflowing', async () => {
      const fragments = Array.from({ length: 500 }, (_, i) => `fragment F${i} on Region { parent { ...F${i + 1} } }`).join('\n');
      const answer = await post(`{ region(code: "410700") { ...F0 } } ${fragments} fragment F500 on Region { code }`);
      expect(errorCode(answer.body)).toBe('BAD_USER_INPUT');
    });

    it('a RangeError in parsing or validating answers BAD_USER_INPUT (as a refusal, not a server fault)', () => {
      const plugin = queryLimits(t.config.queryLimits);
      let parseFn: ((source: string) => unknown) | undefined;
      (plugin.onParse as any)({
        parseFn: () => {
          throw new RangeError('Maximum call stack size exceeded');
        },
        setParseFn: (fn: typeof parseFn) => void (parseFn = fn),
      });
      let thrown: unknown;
      try {
        parseFn!('{ me { username } }');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GraphQLError);
      expect((thrown as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'complexity' });

      let validateFn: ((...args: unknown[]) => readonly GraphQLError[]) | undefined;
      (plugin.onValidate as any)({
        context: {},
        validateFn: () => {
          throw new RangeError('Maximum call stack size exceeded');
        },
        setValidationFn: (fn: typeof validateFn) => void (validateFn = fn),
      });
      const errors = validateFn!(null, parse('{ me { username } }'), []);
      expect(errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('directives: one per field, and a bound on all of them', () => {
    it('@include and @skip on one field → BAD_USER_INPUT', async () => {
      await refused('{ me { username @include(if: true) @skip(if: false) } }', 'directivesPerField');
    });

    it('one directive per field is fine', async () => {
      const ok = await post('{ me { username @include(if: true) role @skip(if: true) } }');
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data.me).toEqual({ username: 'dispatcher' });
    });

    it('more than 50 directives in one document → BAD_USER_INPUT', async () => {
      const fields = ['id', 'username', 'displayName', 'role', 'active', 'region', 'stores'];
      const selection = fields.map((f) => `${f} @include(if: true) ${/region|stores/.test(f) ? '{ code }' : ''} `.repeat(8)).join(''); // 56 directives, 8 per field
      await refused(`{ me { ${selection} } }`, 'directives');
    });

    it('a field selected more than 10 times at one place (here through fragments) → BAD_USER_INPUT, before the quadratic merge check', async () => {
      const fragments = Array.from({ length: 500 }, (_, i) => `fragment F${i} on User { username }`).join(' ');
      const answer = await refused(`{ me { ${Array.from({ length: 500 }, (_, i) => `...F${i}`).join(' ')} } } ${fragments}`, 'repeatedField');
      // graphql-js's merge check alone takes 3.0 s and 1.6 s on these two documents on a quiet 2-core machine; the
      // refusal a few ms.
      expect(answer.ms).toBeLessThan(quiet(1000));
      const plain = await refused(`{ ${'me { username } '.repeat(1200)} }`, 'repeatedField');
      expect(plain.ms).toBeLessThan(quiet(1000));
    });
  });

  describe('one mutation per request (API.md: a failed mutation changes nothing)', () => {
    const ZERO = '00000000-0000-0000-0000-000000000000';
    it('two mutation fields — aliased, or through a fragment — are refused before either runs', async () => {
      const both = await refused(
        `mutation { a: cancelDispatchPlan(planId: "${ZERO}", reason: "测试") { status } b: approveDispatchPlan(planId: "${ZERO}") { status } }`,
        'mutationsPerRequest',
      );
      expect(both.body.errors![0].message).toContain('一次请求只能提交一个操作（本次 2 个）');
      expect(both.body.errors![0].extensions).toMatchObject({ max: 1, found: 2 });
      await refused(`mutation { ...Both } fragment Both on Mutation { a: logout b: logout }`, 'mutationsPerRequest');
      // Aliased logins are one attempt each no more: the document is refused whole.
      await refused(`mutation { ${aliases(5, 'login(username: "keeper", password: "x") { token }')} }`, 'mutationsPerRequest');
    });

    it('one mutation field (with __typename beside it) runs as usual', async () => {
      const answer = await post(`mutation { __typename approveDispatchPlan(planId: "${ZERO}") { status } }`);
      expect(errorCode(answer.body)).toBe('NOT_FOUND');
    });
  });

  describe('cost: what would take seconds is refused', () => {
    it('one valuation is answered; six in one request are refused', async () => {
      const one = await post('{ valuation { total } }');
      expect(one.body.errors).toBeUndefined();
      const answer = await refused(`{ ${aliases(6, 'valuation { total }')} }`, 'cost');
      expect(answer.body.errors![0].extensions.max).toBe(t.config.queryLimits.maxCost);
      expect(answer.body.errors![0].extensions.found as number).toBeGreaterThan(t.config.queryLimits.maxCost);
    });

    it('a handful of heavy computations together are refused (planner, reconciliation, coverage)', async () => {
      const input = { incidentId: '00000000-0000-4000-8000-000000000000', destinations: [] };
      await refused(
        `query($i: DispatchRequestInput!) { ${aliases(3, 'suggestDispatchPlan(input: $i) { id }')} r1: reconciliation { ledgerVsBalance } r2: reconciliation { ledgerVsBalance } c: coverage(regionCode: "410700") { kindsHeld } }`,
        'cost',
        { i: input },
      );
    });

    it('the planner costs by the demand lines it is asked: 50 安置点 × 40 items alone is refused, untouched by the database (sweep 16a F8: 4,450 lines took 4 s a call)', async () => {
      const demand = (destinations: number, items: number) => ({
        incidentId: '00000000-0000-4000-8000-000000000000',
        destinations: Array.from({ length: destinations }, (_, d) => ({
          name: `安置点${d}`,
          regionCode: '410781',
          lat: 35.4,
          lng: 114.07,
          lines: Array.from({ length: items }, (_, i) => ({ itemId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, quantity: 1 })),
        })),
      });
      const query = `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { totalQuantity } }`;
      const big = await refused(query, 'cost', { i: demand(50, 40) });
      expect(big.body.errors![0].extensions.found as number).toBeGreaterThan(t.config.queryLimits.maxCost);
      await refused(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, 'cost', { i: demand(50, 40) });
      // A real plan's size passes the limit and reaches the planner (here: the unknown incident).
      const small = await post(query, { i: demand(3, 5) });
      expect(errorCode(small.body)).toBe('NOT_FOUND');
    });

    it('alerts run the reconciliation scan: one is answered, six in one request are refused (sweep 11b B1: 30 took 1.5 s)', async () => {
      expect((await post('{ alerts { kind } }')).body.errors).toBeUndefined();
      await refused(`{ ${aliases(6, 'alerts { kind }')} }`, 'cost');
    });

    const nested = `query($n: Int) { stores(first: $n) { edges { node { name stock(first: 500) { edges { node { onHand batch { item { name } } } } } } } } }`;
    it('`first` multiplies: the same document is answered for 5 stores and refused for 20 (the variables count)', async () => {
      const small = await post(nested, { n: 5 });
      expect(small.body.errors).toBeUndefined();
      expect(small.body.data.stores.edges.length).toBeLessThanOrEqual(5);
      await refused(nested, 'cost', { n: 20 });
      // … and again for 5, so that no verdict is reused across variables
      expect((await post(nested, { n: 5 })).body.errors).toBeUndefined();
    });

    it('a page of 500 nodes with a few nested objects each is within the limit', async () => {
      const page = await post(
        '{ stock(filter: { regionCode: "410700" }, first: 500) { totalCount edges { node { onHand store { name } batch { batchNo item { name unit } } } } } }',
      );
      expect(page.body.errors).toBeUndefined();
    });

    it('a page past 500 is refused at `first` with the range, not as a cost (sweep 13a LOW: first: 100000 had no field)', async () => {
      for (const query of [
        '{ stock(filter: { regionCode: "410700" }, first: 100000) { edges { node { onHand store { name } batch { batchNo } } } } }',
        '{ stores(first: 2) { edges { node { stock(first: 100000) { edges { node { onHand batch { item { name } } } } } } } } }',
      ]) {
        const res = await post(query);
        expect(res.body.errors?.[0], query).toMatchObject({
          message: '每页条数须为 0 到 500 之间的整数',
          extensions: { code: 'BAD_USER_INPUT', field: 'first' },
        });
      }
    });

    it('a wrongly typed variable still gets its own message (the cost step stays out of the way)', async () => {
      const res = await post('query($f: Int) { stores(first: $f) { totalCount } }', { f: 'abc' });
      expect(errorCode(res.body)).toBe('BAD_USER_INPUT');
      expect(res.body.errors![0]).toMatchObject({ message: '每页条数：须为整数："abc"', extensions: { field: 'first' } });
    });
  });

  describe('search arguments are bounded', () => {
    it('items(search:) of 64 characters is answered; 65 → BAD_USER_INPUT naming the field', async () => {
      const ok = await post('query($s: String) { items(search: $s) { totalCount } }', { s: '帐'.repeat(64) });
      expect(ok.body.errors).toBeUndefined();
      const res = await post('query($s: String) { items(search: $s) { totalCount } }', { s: 'x'.repeat(65) });
      expect(errorCode(res.body)).toBe('BAD_USER_INPUT');
      expect(res.body.errors![0].extensions).toMatchObject({ field: 'search', maxLength: 64 });
    });

    it('a 900 KB search term is refused before any search runs, quickly', async () => {
      const res = await post('query($s: String) { items(search: $s) { totalCount } }', { s: '帐篷'.repeat(150_000) });
      expect(errorCode(res.body)).toBe('BAD_USER_INPUT');
      expect(res.ms).toBeLessThan(quiet(1000));
    });
  });

  describe('the request body is bounded', () => {
    it('a body over 1 MB → 413 with a JSON error (BAD_USER_INPUT)', async () => {
      const res = await request(t.app)
        .post('/graphql')
        .set('content-type', 'application/json')
        .send({ query: '{ me { username } }', variables: { pad: 'x'.repeat(1_100_000) } });
      expect(res.status).toBe(413);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxBytes: 1024 * 1024 });
      expect(res.body.errors[0].message).toMatch(/^请求体过大/);
    });

    // The edge's one body limit (request-body.ts) also holds where no Content-Length announces the size: a chunked
    // body and a gzip body that inflates past it are cut off while read.
    it.each([
      ['chunked, without Content-Length', {}, (body: Buffer) => body],
      ['gzip, inflating past the limit', { 'content-encoding': 'gzip' }, (body: Buffer) => gzipSync(body)],
    ])('a body over 1 MB sent %s → 413 with a JSON error', async (_label, headers: Record<string, string>, encode: (b: Buffer) => Buffer) => {
      const body = encode(Buffer.from(JSON.stringify({ query: '{ me { username } }', variables: { pad: 'x'.repeat(1_100_000) } })));
      const server = t.app.listen(0);
      try {
        const { port } = server.address() as AddressInfo;
        const answer = await new Promise<{ status: number; body: GqlResult }>((resolve, reject) => {
          const req = httpRequest(
            { port, method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers } },
            (res) => {
              let text = '';
              res.on('data', (d: Buffer) => (text += d.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as GqlResult }));
            },
          );
          req.on('error', reject);
          // Several writes: node sends them chunked, with no Content-Length.
          for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
          req.end();
        });
        expect(answer.status).toBe(413);
        expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxBytes: 1024 * 1024 });
      } finally {
        server.close();
      }
    });
  });

  describe('while an abusive request is refused, others are answered', () => {
    it('/healthz and a normal query answer quickly beside a flood of abusive documents', async () => {
      const deep = `{ items(search: ${'['.repeat(100_000)}1${']'.repeat(100_000)}) { totalCount } }`;
      const abuse = Array.from({ length: 5 }, () => post(deep));
      const started = performance.now();
      const health = await request(t.app).get('/healthz');
      const healthMs = performance.now() - started;
      const normal = await post('{ me { username } }');
      const refusedAll = await Promise.all(abuse);
      expect(health.status).toBe(200);
      expect(healthMs).toBeLessThan(quiet(500));
      expect(normal.body.data.me.username).toBe('dispatcher');
      for (const a of refusedAll) expect(errorCode(a.body)).toBe('BAD_USER_INPUT');
    });
  });

  describe('refusals are not logged as server errors', () => {
    const calls: { level: string; msg: string }[] = [];
    const log: Logger = {
      debug: (msg) => void calls.push({ level: 'debug', msg }),
      info: (msg) => void calls.push({ level: 'info', msg }),
      warn: (msg) => void calls.push({ level: 'warn', msg }),
      error: (msg) => void calls.push({ level: 'error', msg }),
    };

    it('deep literals, deep selections and huge documents leave no error (and no stack) in the log', async () => {
      const app = buildApp({
        database: t.database,
        config: loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-test-secret-test-secret!' }),
        clock: t.clock,
        log,
      });
      const documents = [
        `{ items(search: ${'['.repeat(100_000)}1${']'.repeat(100_000)}) { totalCount } }`,
        `{ ${'region(code: "410700") { '.repeat(5000)}code${' }'.repeat(5000)} }`,
        `{ ${aliases(50_000, '__typename')} }`,
        regionCycle(13),
      ];
      for (const query of documents) {
        const res = await request(app).post('/graphql').set('content-type', 'application/json').send({ query });
        expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      }
      expect(calls.filter((c) => c.level === 'error')).toEqual([]);
    });
  });
});
