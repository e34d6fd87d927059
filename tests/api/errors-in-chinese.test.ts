import request from 'supertest';
import { specifiedRules } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/http/app.ts';
import { refusalInChinese, UNRECOGNISED_REFUSAL } from '../../server/http/coercion-messages.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { fieldInWords } from '../../server/field-words.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';

// API.md Errors (line 20): every refusal says what was wrong in words a keeper understands — in Chinese, with no
// English sentence and no English gloss — while the code, extensions.field, locations and the HTTP status stay as
// they were. Findings-contract #7: yoga's HTTP refusals, graphql-js's syntax and validation messages, the cursor's
// gloss and the internal path in front of validation messages.

const CHINESE = /[\u4e00-\u9fff]/;
// An English sentence of graphql-js or yoga: two lower-case words in a row outside the names a message quotes.
const ENGLISH = /\b[a-z]{2,} [a-z]{2,}\b|Syntax Error|Cannot|Unknown|Variable|Expected|Did you mean/;

describe('API.md Errors: refusals in words a keeper understands (findings-contract #7)', () => {
  const t = useTestApp();
  let token: string;
  beforeAll(async () => {
    token = await t.token('admin');
  });
  const post = async (body: unknown, app = t.app) =>
    request(app)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${token}`)
      .send(body as object);
  const chineseOnly = (message: string) => {
    expect(message).toMatch(CHINESE);
    expect(message.replace(/\$?\b[A-Za-z_][A-Za-z0-9_.!]*\b/g, (w) => (/^[A-Z]|\.|!|^\$|[a-z][A-Z]/.test(w) ? 'X' : w))).not.toMatch(ENGLISH);
    expect(message).not.toMatch(/\((?=[^)]*[a-z]{3})[^)]*\)/); // no English gloss in brackets
  };

  describe('the HTTP request (yoga), with its status and code kept', () => {
    it('a mutation over GET → 405, 修改操作只能用 POST 请求提交', async () => {
      const res = await request(t.app).get('/graphql').query({ query: 'mutation { logout }' }).set('accept', 'application/json');
      expect(res.status).toBe(405);
      expect(res.body.errors).toEqual([{ message: '修改操作只能用 POST 请求提交', extensions: { code: 'BAD_USER_INPUT' } }]);
    });

    it('a batched JSON array → 400, in Chinese', async () => {
      const res = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ message: '不支持批量请求：一次只能提交一个操作', extensions: { code: 'BAD_USER_INPUT' } }]);
    });

    it.each([
      ['no query', {}, '请求中缺少查询语句（query）'],
      ['a query that is not text', { query: 5 }, '请求参数 query 的格式错误'],
      ['an unknown parameter', { query: '{ __typename }', extra: 1 }, '请求体中有不认识的参数 extra'],
      [
        'two operations and no operationName',
        { query: 'query A { __typename } query B { __typename }' },
        '无法确定要执行哪个操作：查询中有多个操作时，须用 operationName 指明其一',
      ],
    ])('%s → in Chinese', async (_label, body, message) => {
      const res = await post(body);
      expect(res.body.errors.map((e: { message: string }) => e.message)).toEqual([message]);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('a body that is not JSON → 400, in Chinese', async () => {
      const res = await request(t.app).post('/graphql').set('content-type', 'application/json').send('{"query": ');
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ message: '请求体不是有效的 JSON', extensions: { code: 'BAD_USER_INPUT' } });
    });
  });

  it('a bad cursor → BAD_USER_INPUT naming `after`, with no English gloss', async () => {
    const res = (await post({ query: '{ stores(after: "zzz") { totalCount } }' })).body as GqlResult;
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(res.errors![0].message).toBe('分页游标无效，请从第一页重新查询');
  });

  describe('syntax and validation: Chinese, the quoted names kept, code and locations as before', () => {
    it('an unknown field, with the suggestion said in Chinese', async () => {
      const res = await post({ query: '{ me { usernam } }' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          message: '类型 User 没有字段 usernam。您是否要查询 username？',
          locations: [{ line: 1, column: 8 }],
          extensions: { code: 'BAD_USER_INPUT' }, // the edge's status hint (extensions.http) never reaches the client
        },
      ]);
    });

    it('a syntax error', async () => {
      const res = await post({ query: '{ me { ' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { message: '查询语句有语法错误：此处应为 名称，实际为 查询末尾', locations: [{ line: 1, column: 8 }], extensions: { code: 'BAD_USER_INPUT' } },
      ]);
      const quote = (await post({ query: "{ region(code: '410700') { name } }" })).body.errors[0].message;
      expect(quote).toBe('查询语句有语法错误：字符串须用双引号 " 括起，不能用单引号');
    });

    it('a fragment spread within itself', async () => {
      const res = await post({ query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }' });
      expect(res.body.errors[0].message).toBe('片段 A 不能经由 B 引用自身');
      expect(res.body.errors[0].locations).toHaveLength(2);
    });

    // Each rule of graphql-js's specifiedRules a query can break (the schema-definition rules cannot be), with the
    // name(s) its message must keep.
    const BROKEN: [string, string, string[], string?][] = [
      ['ExecutableDefinitionsRule', '{ __typename } type T { a: Int }', ['T']],
      ['UniqueOperationNamesRule', 'query A { __typename } query A { __typename }', ['A'], 'A'],
      ['LoneAnonymousOperationRule', '{ __typename } query A { __typename }', [], 'A'],
      ['SingleFieldSubscriptionsRule', 'subscription { a: __typename b: __typename }', []],
      ['KnownTypeNamesRule', 'query($x: Foo) { stores(first: 1) { totalCount } }', ['Foo']],
      ['FragmentsOnCompositeTypesRule', '{ ... on Int { __typename } }', ['Int']],
      ['VariablesAreInputTypesRule', 'query($x: User) { __typename }', ['$x', 'User']],
      ['ScalarLeafsRule', '{ me }', ['me', 'User']],
      ['FieldsOnCorrectTypeRule', '{ me { usernam } }', ['usernam', 'User', 'username']],
      ['UniqueFragmentNamesRule', '{ ...F } fragment F on Query { __typename } fragment F on Query { __typename }', ['F']],
      ['KnownFragmentNamesRule', '{ ...Nope }', ['Nope']],
      ['NoUnusedFragmentsRule', '{ __typename } fragment F on Query { __typename }', ['F']],
      ['PossibleFragmentSpreadsRule', '{ me { ... on Region { code } } }', ['User', 'Region']],
      ['NoFragmentCyclesRule', '{ ...A } fragment A on Query { ...A }', ['A']],
      ['UniqueVariableNamesRule', 'query($x: Int, $x: Int) { stores(first: $x) { totalCount } }', ['$x']],
      ['NoUndefinedVariablesRule', 'query Q { stores(first: $n) { totalCount } }', ['$n', 'Q']],
      ['NoUnusedVariablesRule', 'query($x: Int) { __typename }', ['$x']],
      ['KnownDirectivesRule', '{ __typename @nope }', ['@nope']],
      ['KnownArgumentNamesRule', '{ region(kode: "410700", code: "410700") { name } }', ['kode', 'Query.region', 'code']],
      ['UniqueArgumentNamesRule', '{ region(code: "410700", code: "410700") { name } }', ['code']],
      ['ValuesOfCorrectTypeRule', '{ stores(first: "a") { totalCount } }', ['"a"']],
      ['ProvidedRequiredArgumentsRule', '{ region { name } }', ['region', 'code', 'String!']],
      ['VariablesInAllowedPositionRule', 'query($x: String) { stores(first: $x) { totalCount } }', ['$x', 'String', 'Int']],
      ['OverlappingFieldsCanBeMergedRule', '{ me { a: username a: role } }', ['a']],
      ['UniqueInputFieldNamesRule', 'mutation { updateItem(id: "x", input: { name: "a", name: "b" }) { id } }', ['name']],
      ['MaxIntrospectionDepthRule', `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`, []],
    ];

    it('the list covers every rule of specifiedRules a query can break', () => {
      const definitionOnly = /Definition|Lone(Schema)|PossibleTypeExtensions|UniqueOperationTypes|UniqueTypeNames|UniqueEnumValueNames|UniqueDirectiveNames/;
      const rules = specifiedRules.map((r) => r.name).filter((n) => !definitionOnly.test(n) || n === 'ExecutableDefinitionsRule');
      // Two directives on one field are refused first by the edge's own limit (limits.ts, in Chinese already).
      expect([...BROKEN.map(([rule]) => rule), 'UniqueDirectivesPerLocationRule'].sort()).toEqual(rules.sort());
      expect(refusalInChinese('The directive "@skip" can only be used once at this location.')).toEqual({ message: '指令 @skip 在此处只能用一次' });
    });

    it.each(BROKEN)('%s → Chinese, keeping its names, BAD_USER_INPUT, located', async (_rule, query, names, operationName) => {
      const res = await post({ query, operationName });
      const errors = (res.body as GqlResult).errors!;
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        chineseOnly(e.message);
        expect(e.extensions.code).toBe('BAD_USER_INPUT');
      }
      const first = errors[0] as (typeof errors)[number] & { locations?: unknown[] };
      if (!_rule.startsWith('SingleField') && !_rule.startsWith('MaxIntro')) expect(first.locations?.length).toBeGreaterThan(0);
      for (const name of names) expect(errors.map((e) => e.message).join(' ')).toContain(name.replace(/^"|"$/g, ''));
    });

    it('a variable not provided, or of the wrong type → Chinese naming the argument', async () => {
      const missing = (await post({ query: 'query($x: Int!) { stores(first: $x) { totalCount } }' })).body as GqlResult;
      expect(missing.errors![0]).toMatchObject({ message: '缺少参数 first，或其值为空', extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
      const wrong = (await post({ query: 'query($x: Int) { stores(first: $x) { totalCount } }', variables: { x: 'abc' } })).body as GqlResult;
      expect(wrong.errors![0]).toMatchObject({ message: '每页条数：须为整数："abc"', extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
    });

    it('in production the Chinese suggestion is dropped too (no names guessed one at a time)', async () => {
      const prod = buildApp({
        ...appServices(t),
        config: loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'test-secret-test-secret-test-secret!', LOG_LEVEL: 'silent' }),
      });
      const res = await post({ query: '{ me { usernam } }' }, prod);
      expect(res.body.errors[0].message).toBe('类型 User 没有字段 usernam');
    });

    it('a refusal recognised nowhere gets a plain Chinese sentence, never the English (nor a stack)', () => {
      expect(refusalInChinese('Some future graphql-js rule was broken.\n    at validate (graphql.js:1:1)')).toEqual({ message: UNRECOGNISED_REFUSAL });
      expect(refusalInChinese('Syntax Error: Something new.')).toEqual({ message: '查询语句有语法错误' });
      expect(refusalInChinese('查询开销过大')).toBeNull(); // the edge's own refusals are Chinese already
    });
  });

  describe('a field in a message is said in words; extensions.field keeps the path', () => {
    it('a zod refusal: 「第 1 行 数量：…」, not 「input.lines.0.quantity：…」', async () => {
      const res = (
        await post({
          query: 'mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }',
          variables: {
            i: {
              storeId: '00000000-0000-4000-8000-000000000000',
              source: 'RECOVERY',
              idempotencyKey: 'zh-1',
              lines: [{ itemId: '00000000-0000-4000-8000-000000000000', quantity: 0 }],
            },
          },
        })
      ).body as GqlResult;
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.quantity' });
      expect(res.errors![0].message).toBe('第 1 行：数量须大于 0'); // the schema's own message names the field already
    });

    it('a GraphQL value refusal: 「第 2 行 数量：须为整数…」', async () => {
      const res = (
        await post({
          query: 'mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }',
          variables: {
            i: {
              storeId: 'x',
              source: 'PURCHASE',
              idempotencyKey: 'k',
              lines: [
                { itemId: 'x', quantity: 1 },
                { itemId: 'x', quantity: 'abc' },
              ],
            },
          },
        })
      ).body as GqlResult;
      expect(res.errors!.map((e) => [e.extensions.field, e.message])).toEqual([['input.lines.1.quantity', '第 2 行 数量：须为整数："abc"']]);
    });

    it.each([
      ['input.lines.0.quantity', '第 1 行 数量'],
      ['input.newBatch.batchNo', '新批次 批号'],
      ['input.counts.1.discrepancyReason', '第 2 行 差异原因'],
      ['regionCodes.2', '区划 第 3 项'],
      ['reason', '原因'],
      ['input.somethingNew', null],
    ])('%s → %s', (field, words) => {
      expect(fieldInWords(field)).toBe(words);
    });
  });
});

const appServices = (t: ReturnType<typeof useTestApp>) => ({ database: t.database, clock: t.clock, log: createLogger('silent') });
