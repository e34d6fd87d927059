import { sql } from 'drizzle-orm';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { buildApp } from '../../server/http/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { expectLedgerConsistent, key, QUILT, receive, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ledgerCounts, lineOf, ok, purchase, receiveRaw } from '../support/ledger-ops.ts';

// Findings of sweep 11b (findings-sweep11b.md): B2 store names, B3 the fields two refusals name, B4 the wait told to
// the losers of a login lock, B5 a balance past the database's integer.

const CREATE = `mutation($i: CreateStoreInput!) { createStore(input: $i) { id code name } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateStoreInput!) { updateStore(id: $id, input: $i) { id code name region { code } } }`;
const WEIHUI_AT = { lat: 35.398, lng: 114.064 }; // in 卫辉市 (410781)
const HUIXIAN_AT = { lat: 35.4743, lng: 113.8059 }; // in 辉县市 (410782)

type T = ReturnType<typeof useTestApp>;
const first = (res: GqlResult) => res.errors?.[0] ?? { message: '', extensions: {} as Record<string, unknown> };
const storeCount = async (t: T) => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM stores`))[0].n);
const newStore = (code: string, name: string, regionCode = '410781', location = WEIHUI_AT) => ({ code, name, regionCode, kind: 'GOVERNMENT', location });

describe('sweep 11b fixes', () => {
  const t = useTestApp();

  describe('B2 (D2): a store is told apart from the others of its region by its name', () => {
    it.each([
      ['the demo store’s name exactly', '卫辉市救灾物资储备库'],
      ['with a zero-width space inside', '卫辉市救灾\u200b物资储备库'],
      ['with an ideographic space after it', '卫辉市救灾物资储备库\u3000'],
      ['with an ideographic space inside', '卫辉市\u3000救灾物资储备库'],
      ['with a BOM and a no-break space', '\ufeff卫辉市救灾物资\u00a0储备库'],
    ])(
      'createStore: a name that reads as an existing store’s of the region (%s) → BAD_USER_INPUT at input.name naming that store’s code; nothing created',
      async (_label, name) => {
        const before = await storeCount(t);
        const res = await t.gql(CREATE, { i: newStore('S-B2-DUP', name) }, 'admin');
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(first(res).extensions).toMatchObject({ field: 'input.name', storeCode: 'S-410781-01' });
        expect(first(res).message).toBe(
          '本区划已有同名仓库「卫辉市救灾物资储备库」（代码 S-410781-01）：同一区划的仓库名称不能相同，请换一个名称（如加上地点）',
        );
        expect(await storeCount(t)).toBe(before);
      },
    );

    it('a name is kept as shown — zero-width characters dropped, spaces one plain space, full-width brackets as typed — and found by a search', async () => {
      const created = ok(await t.gql(CREATE, { i: newStore('S-B2-NEW', '卫辉市\u200b第三\u3000\u3000储备点（东区）\u200d') }, 'admin')).createStore;
      expect(created.name).toBe('卫辉市第三 储备点（东区）');
      const found = ok(await t.gql(`query { stores(search: "卫辉市第三", first: 10) { edges { node { code } } } }`, {}, 'admin')).stores;
      expect(found.edges.map((e: any) => e.node.code)).toEqual(['S-B2-NEW']);
      // Width, spaces and case do not make another name: ( ) is （ ）.
      const twin = await t.gql(CREATE, { i: newStore('S-B2-TWIN', '卫辉市第三储备点(东区)') }, 'admin');
      expect(first(twin).extensions).toMatchObject({ field: 'input.name', storeCode: 'S-B2-NEW' });
    });

    it('updateStore: renamed to, or moved into a region holding, a name that reads the same → BAD_USER_INPUT at input.name; its own name again is no new name, nor one of another region', async () => {
      const store = ok(await t.gql(CREATE, { i: newStore('S-B2-UPD', '卫辉市改名测试储备点') }, 'admin')).createStore;
      const renamed = await t.gql(UPDATE, { id: store.id, i: { name: '卫辉市救灾物资储备库\u200b' } }, 'admin');
      expect(errorCode(renamed)).toBe('BAD_USER_INPUT');
      expect(first(renamed).extensions).toMatchObject({ field: 'input.name', storeCode: 'S-410781-01' });
      // The form sends the name it shows with every change.
      expect(ok(await t.gql(UPDATE, { id: store.id, i: { name: '卫辉市改名测试储备点', address: '卫辉市某路 1 号' } }, 'admin')).updateStore.name).toBe(
        '卫辉市改名测试储备点',
      );
      // The same name in another region is another store's; named as a store of 卫辉市, it may not move into 卫辉市.
      const huixian = ok(await t.gql(CREATE, { i: newStore('S-B2-MOVE', '卫辉市救灾物资储备库', '410782', HUIXIAN_AT) }, 'admin')).createStore;
      expect(huixian.name).toBe('卫辉市救灾物资储备库');
      ok(await t.gql(UPDATE, { id: huixian.id, i: { name: '卫辉市改名测试储备点' } }, 'admin'));
      const moved = await t.gql(UPDATE, { id: huixian.id, i: { regionCode: '410781', location: WEIHUI_AT } }, 'admin');
      expect(errorCode(moved)).toBe('BAD_USER_INPUT');
      expect(first(moved).extensions).toMatchObject({ field: 'input.name', storeCode: 'S-B2-UPD' });
      const read = ok(await t.gql(`query($id: ID!) { store(id: $id) { name region { code } } }`, { id: huixian.id }, 'admin')).store;
      expect(read).toEqual({ name: '卫辉市改名测试储备点', region: { code: '410782000000' } });
    });
  });

  describe('B3: a refusal names the input field the console shows it at', () => {
    it('a direction control in a variable or a literal → input.name (not the client’s variable name, nor "query"); in a line, input.lines.0.batchNo', async () => {
      const viaVariable = await t.gql(CREATE, { i: newStore('S-B3-RTL', '卫辉市\u202e库备储') }, 'admin');
      expect(errorCode(viaVariable)).toBe('BAD_USER_INPUT');
      expect(first(viaVariable).extensions.field).toBe('input.name');
      // Sweep 21c F3: the place is said in words in front (名称：…), as every refusal says it — not the path at the end.
      expect(first(viaVariable).message).toMatch(/^名称：输入含有改变文字显示方向的控制字符/);
      expect(first(viaVariable).message).not.toMatch(/input\.name/);
      const inner = await t.gql(
        `mutation($n: String!) { createStore(input: { code: "S-B3-RTL", name: $n, regionCode: "410781", kind: GOVERNMENT, location: { lat: 35.398, lng: 114.064 } }) { id } }`,
        { n: '卫辉市\u202e库备储' },
        'admin',
      );
      expect(first(inner).extensions.field).toBe('input.name');
      const literal = await t.gql(
        `mutation { createStore(input: { code: "S-B3-RTL", name: "卫辉市\\u202e库备储", regionCode: "410781", kind: GOVERNMENT, location: { lat: 35.398, lng: 114.064 } }) { id } }`,
        {},
        'admin',
      );
      expect(errorCode(literal)).toBe('BAD_USER_INPUT');
      expect(first(literal).extensions.field).toBe('input.name');
      const before = await ledgerCounts(t);
      const line = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'WH-\u202eMB', expiryDate: '2031-01-01' }]));
      expect(first(line).extensions.field).toBe('input.lines.0.batchNo');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('IDEMPOTENCY_CONFLICT names input.idempotencyKey, as a blank key is named; reverseDocument’s key is its own argument: idempotencyKey', async () => {
      const k = key();
      const receipt = (quantity: number) =>
        receiveRaw(t, 'keeper', { ...purchase(WEIHUI, [{ itemId: QUILT, quantity, batchNo: 'B3-IDEM', expiryDate: '2031-01-01' }]), idempotencyKey: k });
      const doc = ok(await receipt(1)).receiveStock;
      const conflict = await receipt(2);
      expect(errorCode(conflict)).toBe('IDEMPOTENCY_CONFLICT');
      expect(first(conflict).extensions).toMatchObject({ field: 'input.idempotencyKey', documentId: doc.id });
      const blank = await receiveRaw(t, 'keeper', {
        ...purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'B3-IDEM', expiryDate: '2031-01-01' }]),
        idempotencyKey: ' ',
      });
      expect(first(blank).extensions.field).toBe('input.idempotencyKey');
      const reverse = (documentId: string, rk: string) =>
        t.gql(
          `mutation($id: ID!, $k: String!) { reverseDocument(documentId: $id, reason: "录入错误", idempotencyKey: $k) { id } }`,
          { id: documentId, k: rk },
          'keeper',
        );
      const other = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'B3-IDEM-2', expiryDate: '2031-01-01' }]);
      const rk = key();
      ok(await reverse(doc.id, rk));
      const reversal = await reverse(other.id, rk);
      expect(errorCode(reversal)).toBe('IDEMPOTENCY_CONFLICT');
      expect(first(reversal).extensions.field).toBe('idempotencyKey');
    });
  });

  describe('B4 (API.md The edge: retryAfterSeconds says when to try again)', () => {
    let app: ReturnType<typeof buildApp>;
    beforeAll(() => {
      // The default back-off (5 failures lock a username for 30 s); each test its own client address.
      const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-test-secret-test-secret!', TRUST_PROXY: 'loopback' });
      app = buildApp({ database: t.database, config, clock: t.clock, log: createLogger('silent') });
    });
    const send = async (from: string, query: string, variables: Record<string, unknown>, token?: string) => {
      const req = request(app).post('/graphql').set('content-type', 'application/json').set('x-forwarded-for', from);
      if (token) req.set('authorization', `Bearer ${token}`);
      return (await req.send({ query, variables })).body as GqlResult;
    };

    it('12 wrong passwords for one username at once: the 5 checked fail, the 7 refused are told the lock’s 30 s, not 1 s', async () => {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          send('203.0.113.111', 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: 'director', p: `b4-${i}` }),
        ),
      );
      expect(answers.filter((a) => errorCode(a) === 'UNAUTHENTICATED')).toHaveLength(5);
      const limited = answers.filter((a) => errorCode(a) === 'RATE_LIMITED');
      expect(limited).toHaveLength(7);
      for (const a of limited) {
        expect(first(a).extensions.retryAfterSeconds).toBe(30);
        expect(first(a).message).toBe('登录失败次数过多，请 30 秒后再试');
      }
      // The lock holds that long: the right password is refused until then.
      expect(
        errorCode(
          await send('203.0.113.112', 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
            u: 'director',
            p: TEST_PASSWORD,
          }),
        ),
      ).toBe('RATE_LIMITED');
    });

    it('12 wrong current passwords at 修改密码 at once: the 7 refused are told the lock’s 30 s', async () => {
      const token = await t.token('auditor');
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          send(
            '203.0.113.113',
            'mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) { token } }',
            { o: `b4-${i}`, n: 'B4-New-Pass-2026' },
            token,
          ),
        ),
      );
      expect(answers.filter((a) => errorCode(a) === 'BAD_USER_INPUT')).toHaveLength(5);
      const limited = answers.filter((a) => errorCode(a) === 'RATE_LIMITED');
      expect(limited).toHaveLength(7);
      for (const a of limited) expect(first(a).extensions.retryAfterSeconds).toBe(30);
    });
  });

  describe('B5 (API.md Errors): a balance past the database’s integer is refused saying so, at the line’s quantity; nothing changes', () => {
    const LIMIT = '2,147,483,647';
    const lines = (n: number, batchNo: string) =>
      Array.from({ length: n }, () => ({ itemId: QUILT, quantity: 100_000_000, batchNo, unitPrice: '0.01', expiryDate: '2031-01-01' }));

    it('a receipt into a batch holding 2,000,000,000: the line that passes the limit is named, with what the batch holds', async () => {
      const big = await receive(t, 'admin', XINXIANG_COUNTY, lines(20, 'B5-BIG'));
      const batchId = big.lines[0].batch.id as string;
      expect((await lineOf(t, XINXIANG_COUNTY, QUILT, batchId))?.onHand).toBe(2_000_000_000);
      const before = await ledgerCounts(t);
      const res = await receiveRaw(
        t,
        'admin',
        purchase(XINXIANG_COUNTY, [{ itemId: QUILT, quantity: 5, batchNo: 'B5-SMALL', unitPrice: '1.00', expiryDate: '2031-01-01' }, ...lines(2, 'B5-BIG')]),
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(first(res).message).toBe(`第 3 行：入库后批次 B5-BIG 的结存将超过上限 ${LIMIT}（现有 2,000,000,000）`);
      expect(first(res).extensions).toMatchObject({ field: 'input.lines.2.quantity', batchId, onHand: 2_000_000_000, limit: 2_147_483_647 });
      expect(await ledgerCounts(t)).toEqual(before);
      expect((await lineOf(t, XINXIANG_COUNTY, QUILT, batchId))?.onHand).toBe(2_000_000_000);
      // One more line of 100,000,000 still fits.
      ok(await receiveRaw(t, 'admin', purchase(XINXIANG_COUNTY, lines(1, 'B5-BIG'))));
      await expectLedgerConsistent(t);
    });

    it('the lines of one receipt alone passing the limit: the line is named', async () => {
      const before = await ledgerCounts(t);
      const res = await receiveRaw(t, 'admin', purchase(XINXIANG_COUNTY, lines(22, 'B5-NEW')));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(first(res).message).toBe(`第 22 行：入库后该批次的结存将超过上限 ${LIMIT}`);
      expect(first(res).extensions.field).toBe('input.lines.21.quantity');
      expect(await ledgerCounts(t)).toEqual(before);
    });
  });
});
