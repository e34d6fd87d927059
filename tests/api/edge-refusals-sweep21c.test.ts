import { sql } from 'drizzle-orm';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { buildApp } from '../../server/http/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { tableCounts } from '../support/finance.ts';
import { QUILT, WEIHUI } from '../support/ledger.ts';

// Sweep 21c: what the edge tells a client, and what it records.
// F2 (D22, DESIGN.md The edge: "refusals are logged too, and no input can make the audit write fail"): a mutation refused
//    for a character in its text (a control character, NUL, a lone surrogate, a direction control — input-guard.ts)
//    gets its audit row as every other refusal does, the character shown as U+FFFD in the row.
// F3: those refusals say the place in words (「第 1 行 批号：…」), not the path; extensions.field keeps it.
// F4: an enum written in the query as a string ("PURCHASE") is told to be written bare, at its field; a null for a
//    required argument says which (「筛选条件：不能为空」), not 「不是 StockFilter! 可接受的值：null」.
// F5: an operationName that names no operation is told so, not "several operations".
// F9: an Accept header yoga answers nothing for gets 406 with a short Chinese JSON refusal, not an empty body.

const t = useTestApp();
const RECEIVE = 'mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }';
const receipt = (batchNo: string, key = 'edge-21c') => ({
  storeId: WEIHUI,
  source: 'DONATION',
  idempotencyKey: key,
  lines: [{ itemId: QUILT, quantity: 1, batchNo }],
});

let keeperToken: string;
const post = (body: object, app = t.app, token: string | null = keeperToken) => {
  const req = request(app).post('/graphql').set('content-type', 'application/json');
  if (token) req.set('authorization', `Bearer ${token}`);
  return req.send(body);
};

type AuditRow = {
  id: number;
  operation: string;
  outcome: string;
  username: string | null;
  message: string | null;
  input: Record<string, any>;
};
const auditRows = async (after: number) =>
  queryRows<AuditRow>(t.database.db, sql`SELECT id::int AS id, operation, outcome, username, message, input FROM audit_log WHERE id > ${after} ORDER BY id`);
const lastAuditId = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT coalesce(max(id), 0)::int AS n FROM audit_log`))[0].n);

beforeAll(async () => {
  keeperToken = await t.token('keeper');
});

describe('sweep 21c F2, F3: a character refused at the edge — its place in words, and its audit row', () => {
  const LINE = 'input.lines.0.batchNo';
  const CONTROL = '第 1 行 批号：输入含有不可见的控制字符（U+0001），请删除后重新输入';
  const UNSTORABLE = '第 1 行 批号：输入含有无法保存的字符（空字符或不成对的代理字符）';
  const DIRECTION = '第 1 行 批号：输入含有改变文字显示方向的控制字符（如 U+202E，会使文字颠倒或错乱显示），请删除后重新输入';
  const literal = (batchNo: string) =>
    `mutation { receiveStock(input: { storeId: "${WEIHUI}", source: DONATION, idempotencyKey: "edge-21c-lit", lines: [{ itemId: "${QUILT}", quantity: 1, batchNo: "${batchNo}" }] }) { id } }`;
  const cases: [string, object, string][] = [
    ['a control character in a variable', { query: RECEIVE, variables: { i: receipt('a\u0001b') } }, CONTROL],
    ['NUL in a variable', { query: RECEIVE, variables: { i: receipt('a\u0000b') } }, UNSTORABLE],
    ['a lone surrogate in a variable', { query: RECEIVE, variables: { i: receipt('a\ud800b') } }, UNSTORABLE],
    ['a direction control in a variable', { query: RECEIVE, variables: { i: receipt('a\u202eb') } }, DIRECTION],
    ['NUL written as an escape in the query', { query: literal('a\\u0000b') }, UNSTORABLE],
    ['a direction control written as an escape in the query', { query: literal('a\\u202eb') }, DIRECTION],
    ['a control character written as such in the query', { query: literal('a\u0001b') }, CONTROL],
  ];

  it.each(cases)(
    '%s → BAD_USER_INPUT in words at input.lines.0.batchNo; one audit row (BAD_USER_INPUT, the same message, U+FFFD for the character); nothing else changes',
    async (_label, body, message) => {
      const before = await tableCounts(t);
      const after = await lastAuditId();
      const res = await post(body);
      expect(res.status).toBe(400);
      expect((res.body as GqlResult).errors).toEqual([{ message, extensions: { code: 'BAD_USER_INPUT', field: LINE } }]);
      const rows = await auditRows(after);
      expect(rows.map(({ operation, outcome, username, message: said }) => ({ operation, outcome, username, message: said }))).toEqual([
        { operation: 'receiveStock', outcome: 'BAD_USER_INPUT', username: 'keeper', message },
      ]);
      expect(rows[0].input.input.lines[0].batchNo).toBe('a\ufffdb');
      expect(rows[0].input.input.storeId).toBe(WEIHUI);
      expect(await tableCounts(t)).toEqual(before);
    },
  );

  it('the same refused query text again is audited again (not answered from the parser cache unaudited)', async () => {
    const after = await lastAuditId();
    for (let i = 0; i < 2; i++) expect((await post({ query: literal('a\\u0000b') })).status).toBe(400);
    expect((await auditRows(after)).map((r) => r.operation)).toEqual(['receiveStock', 'receiveStock']);
  });

  it('a refused login (NUL in the username) is audited masked, as a refused login is; a refused query writes no row', async () => {
    const after = await lastAuditId();
    const login = await post(
      { query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'adm\u0000in', p: 'x' } },
      t.app,
      null,
    );
    expect(login.body.errors[0]).toMatchObject({ message: '用户名：输入含有无法保存的字符（空字符或不成对的代理字符）', extensions: { field: 'username' } });
    const query = await post({ query: 'query($s: String) { items(search: $s) { totalCount } }', variables: { s: 'a\u0001' } });
    expect(query.body.errors[0]).toMatchObject({ message: '搜索词：输入含有不可见的控制字符（U+0001），请删除后重新输入', extensions: { field: 'search' } });
    const rows = await auditRows(after);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ operation: 'login', outcome: 'BAD_USER_INPUT', input: { password: '***' } });
    expect(JSON.stringify(rows[0])).not.toMatch(/\\u0000|admin/); // JSON spells a NUL as \u0000
  });
});

describe('sweep 21c F4: an enum written as a string, and a null for a required argument', () => {
  it('receiveStock(input: { source: "PURCHASE" }) → 入库来源 is written bare, at input.source; stores(kind: "GOVERNMENT") likewise at kind', async () => {
    const receive = await post({
      query: `mutation { receiveStock(input: { storeId: "${WEIHUI}", source: "PURCHASE", idempotencyKey: "x", lines: [] }) { id } }`,
    });
    expect(receive.status).toBe(400);
    expect(receive.body.errors).toHaveLength(1);
    expect(receive.body.errors[0]).toMatchObject({
      message: '入库来源：须为可选的取值之一，直接写出、不加引号：写作 PURCHASE，而不是 "PURCHASE"',
      extensions: { code: 'BAD_USER_INPUT', field: 'input.source' },
    });
    const stores = await post({ query: '{ stores(kind: "GOVERNMENT") { totalCount } }' });
    expect(stores.body.errors[0]).toMatchObject({
      message: '类型：须为可选的取值之一，直接写出、不加引号：写作 GOVERNMENT，而不是 "GOVERNMENT"',
      extensions: { code: 'BAD_USER_INPUT', field: 'kind' },
    });
    // Chinese text in the string is no reason to pass graphql-js's English through.
    const chinese = await post({ query: '{ stores(kind: "政府") { totalCount } }' });
    expect(chinese.body.errors[0]).toMatchObject({ message: '类型：须为可选的取值之一，直接写出、不加引号："政府"', extensions: { field: 'kind' } });
    const number = await post({ query: '{ stores(kind: 1) { totalCount } }' });
    expect(number.body.errors[0]).toMatchObject({ message: '类型：须为可选的取值之一，直接写出、不加引号：1', extensions: { field: 'kind' } });
    // In a variable the value is JSON text: a number there is told so.
    const variable = await post({ query: 'query($k: StoreKind) { stores(kind: $k) { totalCount } }', variables: { k: 1 } });
    expect(variable.body.errors[0]).toMatchObject({ message: '类型：须为可选的取值之一（写作文本）：1', extensions: { field: 'kind' } });
  });

  it('stock(filter: null) → 筛选条件：不能为空 at filter; receiveStock(input: null) → 参数 input：不能为空', async () => {
    const stock = await post({ query: '{ stock(filter: null) { totalCount } }' });
    expect(stock.status).toBe(400);
    expect(stock.body.errors).toEqual([expect.objectContaining({ message: '筛选条件：不能为空', extensions: { code: 'BAD_USER_INPUT', field: 'filter' } })]);
    const receive = await post({ query: 'mutation { receiveStock(input: null) { id } }' });
    expect(receive.body.errors).toEqual([expect.objectContaining({ message: '参数 input：不能为空', extensions: { code: 'BAD_USER_INPUT', field: 'input' } })]);
  });
});

describe('sweep 21c F5: the operation to run', () => {
  it('an operationName that names no operation of a one-operation document → 查询中没有名为 Z 的操作', async () => {
    const res = await post({ query: 'query A { me { id } }', operationName: 'Z' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: '查询中没有名为 Z 的操作（operationName 须是查询中某个操作的名称）', extensions: { code: 'BAD_USER_INPUT' } }]);
    // Of several operations, too; and the name it does name runs.
    const several = await post({ query: 'query A { me { id } } query B { me { username } }', operationName: 'C' });
    expect(several.body.errors[0].message).toBe('查询中没有名为 C 的操作（operationName 须是查询中某个操作的名称）');
    expect((await post({ query: 'query A { me { id } } query B { me { username } }', operationName: 'B' })).body).toEqual({
      data: { me: { username: 'keeper' } },
    });
  });

  it('a document of fragments only → 请求中没有可执行的操作; several unnamed choices keep their own sentence', async () => {
    const res = await post({ query: 'fragment F on Query { me { id } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: '请求中没有可执行的操作', extensions: { code: 'BAD_USER_INPUT' } }]);
    const several = await post({ query: 'query A { me { id } } query B { me { id } }' });
    expect(several.body.errors[0].message).toBe('无法确定要执行哪个操作：查询中有多个操作时，须用 operationName 指明其一');
  });
});

describe('sweep 21c F9: an Accept header yoga answers nothing for', () => {
  let prod: ReturnType<typeof buildApp>;
  beforeAll(() => {
    prod = buildApp({
      database: t.database,
      clock: t.clock,
      log: createLogger('silent'),
      config: loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'test-secret-test-secret-test-secret!', LOG_LEVEL: 'silent' }),
    });
  });
  const JSON_ONLY = '接口只以 JSON 答复：请求头 Accept 须接受 application/json 或 application/graphql-response+json';

  it('production: GET /graphql as a browser asks (text/html) → 406 with a Chinese JSON refusal saying GraphiQL is not served', async () => {
    const res = await request(prod).get('/graphql').set('accept', 'text/html,application/xhtml+xml');
    expect(res.status).toBe(406);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.errors).toEqual([
      {
        message: `${JSON_ONLY}；生产环境不提供 GraphiQL 页面`,
        extensions: { code: 'BAD_USER_INPUT', accept: 'text/html,application/xhtml+xml', accepted: expect.arrayContaining(['application/json']) },
      },
    ]);
  });

  it.each(['text/html', 'application/xml'])('POST with Accept: %s → 406 with a Chinese JSON refusal (production and not); nothing runs', async (accept) => {
    for (const app of [prod, t.app]) {
      const res = await request(app).post('/graphql').set('content-type', 'application/json').set('accept', accept).send({ query: '{ __typename }' });
      expect(res.status).toBe(406);
      expect(res.body.errors).toEqual([
        { message: JSON_ONLY, extensions: { code: 'BAD_USER_INPUT', accept, accepted: expect.arrayContaining(['application/json']) } },
      ]);
    }
    // A client that takes JSON is answered as ever.
    const fine = await request(prod)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('accept', 'application/json')
      .send({ query: '{ __typename }' });
    expect(fine.body).toEqual({ data: { __typename: 'Query' } });
  });
});
