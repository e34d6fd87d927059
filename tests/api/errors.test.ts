import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../drizzle/client.ts';
import { userId } from '../../seeds/demo.ts';
import { buildApp } from '../../server/http/app.ts';
import { signToken } from '../../server/auth/tokens.ts';
import { fixedClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { ERROR_CODES } from '../../server/errors.ts';
import type { Logger } from '../../server/logger.ts';
import { errorCode, NOW, openTestDatabase, useTestApp, type GqlResult } from '../support/harness.ts';
import { JINCHENG, QUILT, WEIHUI } from '../support/ledger.ts';
import { MASKED_MESSAGE } from '../../server/http/errors.ts';

interface LogCall {
  level: keyof Logger;
  msg: string;
  fields?: Record<string, unknown>;
}

/** A logger that records every call. */
function recordingLogger(): Logger & { calls: LogCall[] } {
  const calls: LogCall[] = [];
  const at = (level: keyof Logger) => (msg: string, fields?: Record<string, unknown>) => void calls.push({ level, msg, fields });
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('API.md Errors: an unexpected failure is logged and masked as INTERNAL_SERVER_ERROR', () => {
  const log = recordingLogger();
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-test-secret-test-secret!', LOG_LEVEL: 'silent' });
  let database: Database;
  let app: ReturnType<typeof buildApp>;
  let token: string;
  let realError: string;

  beforeAll(async () => {
    database = await openTestDatabase({ poolMax: 2 });
    app = buildApp({ database, config, clock: fixedClock(NOW), log });
    const login = await request(app).post('/graphql').send({ query: 'mutation { login(username: "admin", password: "wrong") { token } }' });
    expect(login.body.errors[0].extensions.code).toBe('UNAUTHENTICATED'); // the app answers while the database is open
    token = (await signToken({ secret: config.jwtSecret, ttlHours: 1 }, userId('admin'))).token;
    await database.close();
    // What the database now says when asked: the internal text that must reach the log but not the client.
    realError = await database.db.execute('select 1').then(
      () => 'no error',
      (e: unknown) => String(e),
    );
  });

  const post = async (body: object, auth?: string): Promise<GqlResult> => {
    const req = request(app).post('/graphql').set('content-type', 'application/json');
    if (auth) req.set('authorization', `Bearer ${auth}`);
    return (await req.send(body)).body as GqlResult;
  };

  it('the closed database fails with an internal message', () => {
    expect(realError).not.toBe('no error');
    expect(realError.length).toBeGreaterThan(0);
  });

  it('a resolver failure (login on a closed database) → INTERNAL_SERVER_ERROR with a masked message; the logger has the real error', async () => {
    log.calls.length = 0;
    const res = await post({ query: 'mutation { login(username: "admin", password: "whatever") { token } }' });
    expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
    const error = res.errors![0];
    expect(error.message).toBe(MASKED_MESSAGE);
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' }); // no stack, no original error
    expect(JSON.stringify(res)).not.toMatch(/select|users|closed|CONNECTION|Failed query|password_hash/i);

    const logged = log.calls.filter((c) => c.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0].msg).toBe('unexpected error');
    const text = String(logged[0].fields?.error);
    expect(text).not.toBe('');
    expect(text).not.toContain(MASKED_MESSAGE);
    expect(text).toMatch(/users|closed|CONNECTION|ended/i); // the real failure, naming what went wrong
    expect(typeof logged[0].fields?.stack).toBe('string');
  });

  it('a failure while building the context (loading the signed-in user) is masked the same way', async () => {
    log.calls.length = 0;
    const res = await post({ query: '{ me { username } }' }, token);
    expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
    expect(res.errors![0].message).toBe(MASKED_MESSAGE);
    expect(log.calls.filter((c) => c.level === 'error').length).toBeGreaterThanOrEqual(1);
  });

  it('/readyz reports the database as unavailable (503) and warns in the log', async () => {
    log.calls.length = 0;
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'database unavailable' });
    expect(log.calls.filter((c) => c.level === 'warn').map((c) => c.msg)).toEqual(['readiness check failed']);
    expect((await request(app).get('/healthz')).status).toBe(200);
  });
});

describe("API.md Errors: the client's own mistakes come back with an API.md code, never INTERNAL_SERVER_ERROR", () => {
  const t = useTestApp();

  it('a GraphQL syntax error → BAD_USER_INPUT with the parser message (in Chinese)', async () => {
    const res = await t.gql('{ regions { code ', {}, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/^查询语句有语法错误/);
  });

  it('an unknown field → BAD_USER_INPUT naming the field', async () => {
    const res = await t.gql('{ regions { code nope } }', {}, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain('nope');
  });

  it('an unknown argument and a missing required one → BAD_USER_INPUT for each', async () => {
    const res = await t.gql('{ region(kode: "410700") { name } }', {}, 'admin');
    expect(res.errors!.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(res.errors!.map((e) => e.message).join(' ')).toMatch(/kode[\s\S]*code/);
  });

  it.each([
    ['an Int given a string', 'query($f: Int) { stores(first: $f) { totalCount } }', { f: 'abc' }, 'first'],
    ['an Int given 1.5', 'query($f: Int) { stores(first: $f) { totalCount } }', { f: 1.5 }, 'first'],
    ['a required String given null', 'query($c: String!) { region(code: $c) { name } }', { c: null }, 'code'],
    ['an enum given an unknown value', 'query($k: StoreKind) { stores(kind: $k) { totalCount } }', { k: 'PRIVATE' }, 'kind'],
    [
      'Money given 3 decimals',
      'mutation($i: UpdateItemInput!) { updateItem(id: "00000000-0000-4000-8000-000000000000", input: $i) { id } }',
      { i: { referencePrice: '1.234' } },
      'input.referencePrice',
    ],
  ])('a wrongly typed variable (%s) → BAD_USER_INPUT, in Chinese, naming the argument', async (_label, query, variables, field) => {
    const res = await t.gql(query, variables, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const [e] = res.errors!;
    expect(e.message).toMatch(/[\u4e00-\u9fff]/);
    expect(e.message).not.toMatch(/cannot represent|was not provided|does not exist|Expected/);
    expect(e.extensions.field).toBe(field);
  });

  it('GraphQL refusals of values inside an input name their field, one error each (a form shows each next to its field)', async () => {
    const res = await t.gql(
      'mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }',
      {
        input: {
          storeId: '00000000-0000-4000-8000-000000000000',
          source: 'PURCHASE',
          idempotencyKey: 'k',
          lines: [{ itemId: '00000000-0000-4000-8000-000000000000', quantity: 99999999999 }, { quantity: 'abc' }],
        },
      },
      'admin',
    );
    expect(res.errors!.map((e) => [e.extensions.code, e.extensions.field, e.message])).toEqual([
      // Sweep 22c F4: a quantity past GraphQL's Int is said as the console says a quantity too large; a missing field
      // is named in words only (no 「itemId」 after them).
      ['BAD_USER_INPUT', 'input.lines.0.quantity', '第 1 行：数量过大（最多 100,000,000）'],
      ['BAD_USER_INPUT', 'input.lines.1.itemId', '第 2 行 物资：缺少必填项'],
      ['BAD_USER_INPUT', 'input.lines.1.quantity', '第 2 行 数量：须为整数："abc"'],
    ]);
  });

  it("a refused variable is named by the argument it was passed as, not by the client's variable name", async () => {
    const lines = [{ itemId: '00000000-0000-4000-8000-000000000000', quantity: 1.5 }];
    const named = await t.gql(
      'mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }',
      { i: { storeId: 'x', source: 'PURCHASE', idempotencyKey: 'k', lines } },
      'admin',
    );
    expect(named.errors![0]).toMatchObject({
      message: '第 1 行 数量：须为整数：1.5',
      extensions: { code: 'BAD_USER_INPUT', field: 'input.lines.0.quantity' },
    });
    const nested = await t.gql(
      'mutation($l: [ReceiptLineInput!]!) { receiveStock(input: { storeId: "x", source: PURCHASE, idempotencyKey: "k", lines: $l }) { id } }',
      { l: lines },
      'admin',
    );
    expect(nested.errors![0].extensions.field).toBe('input.lines.0.quantity');
    const missing = await t.gql('mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }', {}, 'admin');
    expect(missing.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input' } });
    expect(missing.errors![0].message).toMatch(/^缺少参数 input，/);
  });

  it('a value refused inside the query text itself is said in Chinese only', async () => {
    const res = await t.gql('{ stores(first: 99999999999) { totalCount } }', {}, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    // Named by its argument, as the same value in a variable is (finance sweep #7).
    // Sweep 22c F4: in the page size's own range, not the Int's.
    expect(res.errors![0].message).toBe('每页条数须为 0 到 500 之间的整数');
    expect(res.errors![0].extensions.field).toBe('first');
    const date = await t.gql('{ agreements(activeOn: "2026-02-30") { edges { node { id } } } }', {}, 'admin');
    expect(errorCode(date)).toBe('BAD_USER_INPUT');
    expect(date.errors![0].message).toMatch(/^生效日期：日期不存在：2026-02-30/);
    expect(date.errors![0].extensions.field).toBe('activeOn');
    expect(date.errors![0].message).not.toMatch(/Expected|found/);
  });

  it('messages are Chinese only: no English gloss after a refusal (FORBIDDEN, UNAUTHENTICATED)', async () => {
    const forbidden = await t.gql('query($id: ID!) { store(id: $id) { name } }', { id: JINCHENG }, 'keeper');
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.errors![0].message).toMatch(/^无权访问：.*超出您的权限范围$/);
    const anonymous = await t.gql('{ me { id } }');
    expect(anonymous.errors![0].message).toBe('请先登录');
  });

  it('a token that is sent and refused — forged, or from another key — says the session ended, not "请先登录" (sweep L16)', async () => {
    const token = await t.token('keeper');
    const [head, body] = token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(43)}`;
    const foreign = (await signToken({ secret: new TextEncoder().encode('x'.repeat(32)), ttlHours: 1 }, userId('keeper'))).token;
    for (const bad of [forged, foreign]) {
      const res = await request(t.app)
        .post('/graphql')
        .set('content-type', 'application/json')
        .set('authorization', `Bearer ${bad}`)
        .send({ query: '{ me { id } }' });
      expect(errorCode(res.body as GqlResult)).toBe('UNAUTHENTICATED');
      expect((res.body as GqlResult).errors![0].message).toBe('登录已失效，请重新登录');
    }
  });

  it('a mutation’s own argument is named by itself: reverseDocument’s reason is `reason`', async () => {
    const res = await t.gql(
      'mutation($d: ID!) { reverseDocument(documentId: $d, reason: "   ", idempotencyKey: "k-reverse-blank") { id } }',
      { d: '00000000-0000-4000-8000-000000000000' },
      'admin',
    );
    expect(res.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'reason' } });
    expect(res.errors![0].message).toBe('须填写冲销原因');
  });

  it('a Money literal with 3 decimals → BAD_USER_INPUT with the scalar message', async () => {
    const res = await t.gql(
      'mutation { createItem(input: { code: "X-1", categoryCode: "LIVING", name: "x", unit: "个", referencePrice: "1.234" }) { id } }',
      {},
      'admin',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain('金额格式错误');
  });

  it('a line quantity past the limit says the limit (sweep 14b F5: "数量过大" alone)', async () => {
    const res = await t.gql(
      'mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }',
      {
        i: {
          storeId: WEIHUI,
          source: 'PURCHASE',
          reference: 'ZFCG-LIMIT-1',
          idempotencyKey: 'limit-1',
          lines: [{ itemId: QUILT, quantity: 100_000_001, batchNo: 'LIMIT-1', unitPrice: '1.00' }],
        },
      },
      'admin',
    );
    expect(res.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.lines.0.quantity' } });
    expect(res.errors![0].message).toContain('数量过大：每行最多 100,000,000');
  });

  it('domain errors keep their message and details', async () => {
    const res = await t.gql('{ items(categoryCode: "NOPE") { totalCount } }', {}, 'admin');
    expect(res.errors![0]).toMatchObject({ message: '物资类别不存在：NOPE', extensions: { code: 'NOT_FOUND', field: 'categoryCode', id: 'NOPE' } });
  });

  it("every code the API answered with in this file is one of API.md's", async () => {
    const queries = ['{ regions { code ', '{ regions { nope } }', '{ store(id: "x") { name } }', '{ stores(first: -1) { totalCount } }'];
    for (const q of queries) {
      const res = await t.gql(q, {}, 'admin');
      for (const e of res.errors ?? []) expect(ERROR_CODES as readonly string[]).toContain(e.extensions.code);
    }
  });
});
