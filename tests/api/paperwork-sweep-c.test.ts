import ExcelJS from 'exceljs';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { JINCHENG, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok } from '../support/ledger-ops.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { download, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';

// Paperwork sweep C (findings-paperwork P1–P10): download links end with the session (README logout, TOKEN_TTL), a
// repeated groupBy, one expiry rule (D26) in exports and alerts, JSON 404s under the paperwork prefixes, one period
// check (D22) for the journal export and the journal/movements queries, the journal export's store filter answered as
// GraphQL answers it, `+08:00` typed into a URL, and the 盘点表/期初建账 uploads' row contract and replay (README).

const HEADER_ROW = 4;
const NOWHERE = '00000000-0000-0000-0000-000000000000';

describe('paperwork sweep C', () => {
  const t = useTestApp();
  afterEach(() => t.clock.set(NOW));

  const upload = async (path: string, as: string, content: Buffer, name = '盘点表.xlsx') =>
    request(t.app)
      .post(path)
      .set('authorization', `Bearer ${await t.token(as)}`)
      .attach('file', content, name);

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 20, batchNo: 'SC-EXP', productionDate: '2024-07-25', expiryDate: '2026-07-25', unitPrice: '10.00' },
      { itemId: QUILT, quantity: 30, batchNo: 'SC-ST1', productionDate: '2026-01-05', expiryDate: '2031-12-31', unitPrice: '158.00' },
      { itemId: QUILT, quantity: 40, batchNo: 'SC-ST2', productionDate: '2026-01-05', expiryDate: '2031-12-31', unitPrice: '158.00' },
    ]);
  });

  describe('P1: a repeated groupBy dimension', () => {
    it('D21: /exports/valuation.csv?groupBy=STORE,STORE answers as groupBy=STORE (the valuation query deduplicates), not 500', async () => {
      const once = await download(t, '/exports/valuation.csv', 'auditor', { groupBy: 'STORE' });
      const twice = await download(t, '/exports/valuation.csv', 'auditor', { groupBy: 'STORE,STORE' });
      expect(twice.status, twice.text).toBe(200);
      expect(parseCsv(twice.text)).toEqual(parseCsv(once.text));
      const mixed = await download(t, '/exports/valuation.csv', 'auditor', { groupBy: 'STORE,CATEGORY,STORE' });
      expect(mixed.status, mixed.text).toBe(200);
      expect(parseCsv(mixed.text)[0].slice(0, 3)).toEqual(['仓库', '类别', '在库数量']);
    });
  });

  describe('P4: D26 past its expiry date a batch is expired in the exports and alerts too', () => {
    const stateOf = (csv: string, batchNo: string) => {
      const [headings, ...rows] = parseCsv(csv);
      const row = rows.find((r) => r[headings.indexOf('批号')] === batchNo);
      return row?.[headings.indexOf('状态')];
    };

    it('D26: from 00:00 China time on 2026-07-26, the day after its expiry date 2026-07-25, SC-EXP is 已过期 in stock and rotation-due, and an EXPIRED alert — as `stock` says expired', async () => {
      t.clock.set('2026-07-25T15:59:59Z'); // 23:59:59 on the 25th in China: its last usable day
      expect(stateOf((await download(t, '/exports/stock.csv', 'keeper')).text, 'SC-EXP')).toBe('正常');
      t.clock.set('2026-07-25T16:00:00Z'); // 00:00 on the 26th in China
      const stock = ok(await t.gql(`{ stock(filter: { storeId: "${WEIHUI}" }, first: 100) { edges { node { expired batch { batchNo } } } } }`, {}, 'keeper'));
      expect(stock.stock.edges.find((e: any) => e.node.batch.batchNo === 'SC-EXP').node.expired).toBe(true);
      expect(stateOf((await download(t, '/exports/stock.csv', 'keeper')).text, 'SC-EXP')).toBe('已过期');
      expect(stateOf((await download(t, '/exports/rotation-due.csv', 'keeper', { withinMonths: '24' })).text, 'SC-EXP')).toBe('已过期');
      const alerts = ok(await t.gql(`{ alerts { kind severity message batch { batchNo } } }`, {}, 'keeper')).alerts as any[];
      const alert = alerts.find((a) => a.batch?.batchNo === 'SC-EXP');
      expect(alert).toMatchObject({ kind: 'EXPIRED', severity: 'CRITICAL' });
      expect(alert.message).toContain('有效期至 2026-07-25，已过期');
    });
  });

  describe('P10: unknown paths under /exports and /paperwork', () => {
    it.each([
      ['/exports/stock', 'GET'],
      ['/exports/stock.csv/more', 'GET'],
      ['/exports', 'GET'],
      ['/paperwork/stocktake-sheets/nothing', 'GET'],
      ['/paperwork/anything.html', 'GET'],
      ['/exports/stock.csv', 'POST'],
    ])('%s (%s) answers a JSON 404 in Chinese, not the framework’s HTML page', async (path, method) => {
      const req = method === 'GET' ? request(t.app).get(path) : request(t.app).post(path);
      const res = await req.set('authorization', `Bearer ${await t.token('auditor')}`).set('accept', 'text/html');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', field: 'path' });
      expect(res.body.error.message).toContain(`没有这个地址：${method} ${path}`);
    });
  });

  describe('P2: D22 a period whose end lies before its start is refused at `to`, one check for the export and GraphQL', () => {
    it('/exports/journal.csv?from=2026-07-20&to=2026-07-19 → 400 BAD_USER_INPUT field to; the same day twice is that day', async () => {
      const res = await download(t, '/exports/journal.csv', 'auditor', { from: '2026-07-20', to: '2026-07-19' });
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
      // Sweep 16c F1: a date-only `to` is the end of its day, 24:00 — 2026-07-19 is the instant 2026-07-20 00:00, which
      // `from=2026-07-20` also is: two dates alone are compared as the days they name (export-date-meaning.test.ts).
      expect(res.body.error.message).toBe('截止日期 2026-07-19 早于起始日期 2026-07-20，请检查期间');
      const day = await download(t, '/exports/journal.csv', 'auditor', { from: '2026-07-20', to: '2026-07-20' });
      expect(day.status).toBe(200);
      expect(parseCsv(day.text).length).toBeGreaterThan(1);
    });

    it('GraphQL journal and movements refuse it at filter.to with the same words', async () => {
      const filter = { from: '2026-07-20T00:00:00+08:00', to: '2026-07-19T00:00:00+08:00' };
      for (const [query, as] of [
        [`query($f: JournalFilter!) { journal(filter: $f) { totalCount } }`, 'auditor'],
        [`query($f: MovementFilter!) { movements(filter: $f) { totalCount } }`, 'keeper'],
      ]) {
        const res = await t.gql(query, { f: filter }, as);
        expect(errorCode(res), JSON.stringify(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].extensions.field).toBe('filter.to');
        expect(res.errors![0].message).toBe('截止时间 2026-07-19 00:00:00 早于起始时间 2026-07-20 00:00:00，请检查期间');
      }
      expect(
        ok(await t.gql(`query($f: JournalFilter!) { journal(filter: $f) { totalCount } }`, { f: { from: filter.from, to: filter.from } }, 'auditor')),
      ).toBeTruthy();
    });
  });

  describe('P5: the journal export’s storeId answers as the journal query does', () => {
    it('another region’s store is 403 FORBIDDEN and an unknown one 404 NOT_FOUND, with GraphQL’s own message', async () => {
      for (const [storeId, code, status] of [
        [JINCHENG, 'FORBIDDEN', 403],
        [NOWHERE, 'NOT_FOUND', 404],
      ] as const) {
        const gql = await t.gql(`query($s: ID!) { journal(filter: { storeId: $s }) { totalCount } }`, { s: storeId }, 'auditor');
        expect(errorCode(gql)).toBe(code);
        const res = await download(t, '/exports/journal.csv', 'auditor', { storeId });
        expect(res.status, res.text).toBe(status);
        expect(res.body.error).toMatchObject({ code, message: gql.errors![0].message });
      }
      const own = await download(t, '/exports/journal.csv', 'auditor', { storeId: WEIHUI });
      expect(own.status).toBe(200);
    });
  });

  describe('P9: `+08:00` typed into an export URL', () => {
    it('asOf=…T09:30:00+08:00 unencoded (its + read as a space) is the same instant as %2B08:00', async () => {
      const token = await t.token('auditor');
      const raw = await request(t.app).get('/exports/valuation.csv?asOf=2026-07-20T09:30:00+08:00').set('authorization', `Bearer ${token}`);
      const encoded = await request(t.app).get('/exports/valuation.csv?asOf=2026-07-20T09:30:00%2B08:00').set('authorization', `Bearer ${token}`);
      expect(raw.status, raw.text).toBe(200);
      expect(encoded.status).toBe(200);
      expect(raw.text).toBe(encoded.text);
      expect(raw.headers['content-disposition']).toContain('valuation-20260720-0930');
      // A space elsewhere is still a format error.
      const bad = await request(t.app).get('/exports/valuation.csv?asOf=2026-07-20%2009:30:00').set('authorization', `Bearer ${token}`);
      expect(bad.status).toBe(400);
    });
  });

  describe('P6, P7: the 盘点表 upload', () => {
    /** The store's 盘点表 with `counts` (batch number → [实盘数, 原因]) filled in. */
    async function countedSheet(counts: Record<string, [number, string | null]>): Promise<Buffer> {
      const ws = await openWorkbook((await download(t, `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`, 'keeper')).body as Buffer);
      const rows = sheetValues(ws, HEADER_ROW + 1);
      for (const [batchNo, [counted, reason]] of Object.entries(counts)) {
        const at = HEADER_ROW + 1 + rows.findIndex((r) => r[5] === batchNo);
        ws.getCell(at, 10).value = counted;
        ws.getCell(at, 11).value = reason;
      }
      return Buffer.from(await ws.workbook.xlsx.writeBuffer());
    }
    const rowOf = async (file: Buffer, batchNo: string) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(file as unknown as ArrayBuffer);
      let found = 0;
      wb.worksheets[0].eachRow((row, n) => {
        if (row.getCell(6).value === batchNo) found = n;
      });
      return found;
    };
    const SHEET = `/paperwork/stocktake-sheets/${WEIHUI}`;

    it('P7 README: the same file uploaded by another user of the store answers 200 with the first stocktake (replayed), nothing posted', async () => {
      const file = await countedSheet({ 'SC-ST1': [30, null] });
      const first = await upload(SHEET, 'keeper', file);
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      const before = await ledgerCounts(t);
      for (const as of ['dispatcher', 'keeper', 'admin']) {
        const again = await upload(SHEET, as, file);
        expect(again.status, JSON.stringify(again.body)).toBe(200);
        expect(again.body).toEqual({ ...first.body, replayed: true });
      }
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('P6 D9, D27: counting batches whose count awaits approval is a 400 naming each of their rows, nothing posted', async () => {
      const lossFile = await countedSheet({ 'SC-ST1': [29, 'DAMAGED'], 'SC-ST2': [39, 'DAMAGED'] });
      const loss = await upload(SHEET, 'keeper', lossFile);
      expect(loss.status, JSON.stringify(loss.body)).toBe(201);
      expect(loss.body.status).toBe('PENDING_APPROVAL');
      const before = await ledgerCounts(t);
      const file = await countedSheet({ 'SC-ST1': [28, 'DAMAGED'], 'SC-ST2': [38, 'DAMAGED'] });
      const res = await upload(SHEET, 'keeper', file);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });
      expect(res.body.error.errors).toEqual([
        { row: await rowOf(file, 'SC-ST1'), column: '批次编号', message: `已有待审批的盘点 ${loss.body.number}，审批后再盘` },
        { row: await rowOf(file, 'SC-ST2'), column: '批次编号', message: `已有待审批的盘点 ${loss.body.number}，审批后再盘` },
      ]);
      expect(await ledgerCounts(t)).toEqual(before);
      // The first file again is still its replay, whoever uploads it.
      const replay = await upload(SHEET, 'dispatcher', lossFile);
      expect(replay.status, JSON.stringify(replay.body)).toBe(200);
      expect(replay.body).toMatchObject({ documentId: loss.body.documentId, replayed: true });
    });
  });

  describe('P8: the upload’s row limit counts data rows', () => {
    it('README: an opening balance with 1,001 data rows under a title block is refused with the reader’s message, not a GraphQL path', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('台账');
      ws.addRow(['卫辉市救灾物资储备库 期初库存']);
      ws.addRow([]);
      ws.addRow(['物资编码', '物资名称', '规格', '批号', '生产日期', '有效期至', '数量', '单价（元）', '资金来源', '产权单位']);
      for (let i = 0; i <= 1000; i++) ws.addRow(['LIV-004', null, null, `BIG-${i}`, null, '2031-12-31', 1, 1, null, null]);
      const before = await ledgerCounts(t);
      const res = await upload(`/paperwork/opening-balances/${WEIHUI}`, 'keeper', Buffer.from(await wb.xlsx.writeBuffer()), '台账.xlsx');
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', message: '行数超过上限：一次最多导入 1000 行，请分成多个文件' });
      expect(await ledgerCounts(t)).toEqual(before);
    });
  });

  // Last: these end sessions.
  describe('P3: a download link dies with the session it was minted in (README logout, TOKEN_TTL)', () => {
    const LINK = `mutation($p: String!) { createDownloadLink(path: $p) { url } }`;
    let seq = 0;
    async function probe() {
      const username = `dlprobe${++seq}`;
      const res = await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username, displayName: `下载探针${seq}`, password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '410700' } },
        'admin',
      );
      const id = ok(res).createUser.id as string;
      const token = ok(await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: username, p: TEST_PASSWORD }))
        .login.token as string;
      const gql = async (query: string, variables: Record<string, unknown> = {}) =>
        (await request(t.app).post('/graphql').set('authorization', `Bearer ${token}`).send({ query, variables })).body;
      return { id, username, token, gql };
    }
    const mint = async (gql: (q: string, v?: Record<string, unknown>) => Promise<any>, path: string) =>
      ok(await gql(LINK, { p: path })).createDownloadLink.url as string;

    it('logout: links minted before it answer 401 (export and 盘点表 alike), spent or not; one minted after a new login works', async () => {
      const user = await probe();
      const stock = await mint(user.gql, '/exports/stock.csv');
      const sheet = await mint(user.gql, `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`);
      expect(ok(await user.gql(`mutation { logout }`)).logout).toBe(true);
      for (const url of [stock, sheet]) {
        const res = await request(t.app).get(url);
        expect(res.status, url).toBe(401);
        // Words and reason of a refused session as GraphQL tells them (one rule: server/auth/session-refusal.ts); the
        // link said 「下载链接已失效：生成它的登录已退出或密码已重置…」 before, without the reason the console reacts to.
        expect(res.body.error).toEqual({ code: 'UNAUTHENTICATED', message: '登录已失效，请重新登录', reason: 'SESSION_ENDED' });
      }
      const again = await probe().then(async () => {
        const token = ok(
          await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: user.username, p: TEST_PASSWORD }),
        ).login.token as string;
        return mint(
          async (q, v) => (await request(t.app).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: q, variables: v })).body,
          '/exports/stock.csv',
        );
      });
      expect((await request(t.app).get(again)).status).toBe(200);
    });

    it('a password reset by an administrator ends the links of the sessions before it', async () => {
      const user = await probe();
      const url = await mint(user.gql, '/exports/stock.csv');
      ok(
        await t.gql(
          `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }`,
          { id: user.id, i: { password: 'NewPass@2026y' } },
          'admin',
        ),
      );
      expect((await request(t.app).get(url)).status).toBe(401);
    });
  });
});
