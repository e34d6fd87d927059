import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { organizationId, storeId } from '../../seeds/demo.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, JINCHENG, key, QUILT, receive, SANDBAG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ledgerCounts, ok, purchase, receiveRaw } from '../support/ledger-ops.ts';
import { withOrder } from '../support/authority.ts';

// Sweep A #10, #11, #14.
// D3 owner ≠ holder: the owner of goods received is the store's own government (the default), a superior government
// whose region covers the store, or — in a company's AGREEMENT/ENTRUSTED store — that company (server/inventory/owners.ts),
// for receiveStock and the opening-balance import alike. D7/D10: a rotation's new batch, like a receipt, may not carry a
// production date in the future (server/inventory/expiry.ts assertMadeBy). 月结: the first close may not lie before the
// earliest movement's month, nor — with nothing booked — more than 12 months back. Today is 2026-07-20 (test clock).

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const HUIMIN = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）, AGREEMENT, 牧野区
const HUIMIN_CO = organizationId('新乡市惠民百货配送有限公司');
const OTHER_CO = organizationId('新乡县中原物流仓储有限公司'); // runs another store (新乡县)
const BATCH_OWNER = `id lines { batch { batchNo owner { name } } }`;

const closeRaw = (month: string) => t.gql(`mutation($m: String!) { closePeriod(month: $m) { month } }`, { m: month }, 'admin');
const closedMonths = async () => ok(await t.gql(`{ periodCloses { month } }`, {}, 'auditor')).periodCloses.map((c: { month: string }) => c.month);
const orgIdOf = async (name: string) => (await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM organizations WHERE name = ${name}`))[0].id;

// First, while the test database holds no movement at all.
describe('the first month close starts the books (sweep A #14)', () => {
  it('D22: with nothing booked, a first close more than 12 months back is BAD_USER_INPUT at month; nothing is closed', async () => {
    const res = await closeRaw('2025-06');
    expect([errorCode(res), res.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'month']);
    expect(res.errors![0].message).toContain('2025-07');
    expect(await closedMonths()).toEqual([]);
  });

  it('D22: a first close more than 12 months before the earliest movement’s month (a typo such as 1999-01) is refused naming both; a month just before the books begin closes', async () => {
    await receive(t, 'admin', XINXIANG, [{ itemId: SANDBAG, quantity: 5, batchNo: 'FC-MAR' }], { occurredAt: '2026-03-10T10:00:00+08:00' });
    for (const month of ['1999-01', '2025-02']) {
      const res = await closeRaw(month);
      expect([errorCode(res), res.errors![0].extensions.field, res.errors![0].message]).toEqual([
        'BAD_USER_INPUT',
        'month',
        '最早业务月份为 2026-03，首次月结不能早于 2025-03（最多往前 12 个月）',
      ]);
    }
    expect(await closedMonths()).toEqual([]);
    expect((await closeRaw('2026-02')).errors).toBeUndefined();
    expect(await closedMonths()).toEqual(['2026-02']);
  });
});

describe('the owner of received goods (D3, sweep A #10)', () => {
  let jincheng = '';
  let xinxiang = '';
  let weihui = '';

  beforeAll(async () => {
    // Registers each region's government, as the default owner of a first receipt there.
    await receive(t, 'admin', JINCHENG, [{ itemId: SANDBAG, quantity: 1, batchNo: 'OWN-JC-0' }]);
    await receive(t, 'admin', XINXIANG, [{ itemId: SANDBAG, quantity: 1, batchNo: 'OWN-XX-0' }]);
    await receive(t, 'keeper', WEIHUI, [{ itemId: SANDBAG, quantity: 1, batchNo: 'OWN-WH-0' }]);
    [jincheng, xinxiang, weihui] = await Promise.all(['晋城市人民政府', '新乡市人民政府', '卫辉市人民政府'].map(orgIdOf));
  });

  const donation = (store: string, lines: Record<string, unknown>[]) => ({
    storeId: store,
    source: 'DONATION',
    sourceName: '爱心人士',
    idempotencyKey: key(),
    lines: lines.map((l, i) => ({ itemId: QUILT, quantity: 10, batchNo: `OWN-${key().slice(0, 8)}-${i}`, unitPrice: '56.00', ...l })),
  });

  it('D3: another province’s government or an unrelated company as owner is BAD_USER_INPUT at input.lines.N.ownerOrgId, naming neither; nothing is written', async () => {
    for (const [owner, as] of [
      [jincheng, 'keeper'],
      [HUIMIN_CO, 'keeper'],
      [OTHER_CO, 'admin'],
    ]) {
      const before = await ledgerCounts(t);
      const res = await receiveRaw(t, as, donation(WEIHUI, [{}, { ownerOrgId: owner }]));
      expect([errorCode(res), res.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.lines.1.ownerOrgId']);
      expect(res.errors![0].message).toMatch(/^产权单位只能是本库所在地政府或其上级政府/);
      expect(res.errors![0].message).not.toMatch(/晋城|惠民|中原/);
      expect(await ledgerCounts(t)).toEqual(before);
    }
  });

  it('D3: the store’s own government (the default) or a superior one covering the store may own the goods', async () => {
    const doc = ok(await receiveRaw(t, 'keeper', donation(WEIHUI, [{}, { ownerOrgId: weihui }, { ownerOrgId: xinxiang }]), BATCH_OWNER)).receiveStock;
    expect(doc.lines.map((l: any) => l.batch.owner.name)).toEqual(['卫辉市人民政府', '卫辉市人民政府', '新乡市人民政府']);
  });

  it('D3: in a company’s agreement store its operator may own the goods; another company or a government not covering it may not', async () => {
    const doc = ok(await receiveRaw(t, 'admin', purchase(HUIMIN, [{ itemId: SANDBAG, quantity: 3, ownerOrgId: HUIMIN_CO }]), BATCH_OWNER)).receiveStock;
    expect(doc.lines[0].batch.owner.name).toBe('新乡市惠民百货配送有限公司');
    for (const owner of [OTHER_CO, weihui]) {
      const res = await receiveRaw(t, 'admin', purchase(HUIMIN, [{ itemId: SANDBAG, quantity: 3, ownerOrgId: owner }]));
      expect([errorCode(res), res.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.lines.0.ownerOrgId']);
    }
  });

  it('D3: the opening-balance import’s 产权单位 follows the same rule: another government or a company is refused at that cell; nothing is posted', async () => {
    const head = ['物资编码', '物资名称', '规格', '批号', '生产日期', '有效期至', '数量', '单价（元）', '资金来源', '产权单位'];
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('台账');
    ws.addRow(['卫辉市救灾物资储备库 期初库存']);
    ws.addRow(head);
    ws.addRow(['LIV-004', null, null, 'OPEN-OWN-1', null, null, 5, 150, null, '新乡市人民政府']);
    ws.addRow(['LIV-004', null, null, 'OPEN-OWN-2', null, null, 5, 150, null, '晋城市人民政府']);
    ws.addRow(['LIV-004', null, null, 'OPEN-OWN-3', null, null, 5, 150, null, '新乡市惠民百货配送有限公司']);
    const upload = async () =>
      request(t.app)
        .post(`/paperwork/opening-balances/${WEIHUI}`)
        .set('authorization', `Bearer ${await t.token('keeper')}`)
        .attach('file', Buffer.from(await wb.xlsx.writeBuffer()), '台账.xlsx');
    const before = await ledgerCounts(t);
    const res = await upload();
    expect(res.status).toBe(400);
    expect(res.body.error.errors.map((e: any) => [e.row, e.column])).toEqual([
      [4, '产权单位'],
      [5, '产权单位'],
    ]);
    expect(res.body.error.errors[0].message).toContain('产权单位只能是本库所在地政府或其上级政府');
    expect(await ledgerCounts(t)).toEqual(before);
  });
});

describe('a rotation’s new batch is not made in the future (D7, D10, sweep A #11)', () => {
  let batchId = '';
  beforeAll(async () => {
    const old = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 30, batchNo: 'FUT-OLD', expiryDate: '2027-01-01' }]);
    batchId = old.lines[0].batch.id as string;
  });
  const rotate = (newBatch: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    withOrder(
      t,
      'keeper',
      { storeId: WEIHUI, lines: [{ itemId: QUILT, batchId, quantity: 4 }] },
      { storeId: WEIHUI, purpose: 'ROTATION_SALE', recipient: '某回收公司' },
      ({ lines: _lines, ...i }) =>
        t.gql(
          `mutation($input: RotateStockInput!) { rotateStock(input: $input) { ${DOC_FIELDS} } }`,
          { input: { ...i, batchId, quantity: 4, disposal: 'SALE', counterpart: '某回收公司', idempotencyKey: key(), newBatch, ...extra } },
          'keeper',
        ),
    );

  it('D7/D10: a production date in the future is BAD_USER_INPUT at input.newBatch.productionDate, as for receipts; nothing is written', async () => {
    const before = await ledgerCounts(t);
    const res = await rotate({ batchNo: 'FUT-NEW-1', productionDate: '2027-11-01', unitPrice: '130.00' });
    expect([errorCode(res), res.errors![0].extensions.field, res.errors![0].message]).toEqual([
      'BAD_USER_INPUT',
      'input.newBatch.productionDate',
      '生产日期不能晚于今天：2027-11-01',
    ]);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D7: a rotation dated back before the new batch’s production date is refused at input.occurredAt; made by then, it posts', async () => {
    const back = await rotate({ batchNo: 'FUT-NEW-2', productionDate: '2026-07-10' }, { occurredAt: '2026-07-05T10:00:00+08:00' });
    expect([errorCode(back), back.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.occurredAt']);
    const done = ok(await rotate({ batchNo: 'FUT-NEW-3', productionDate: '2026-07-10' }));
    expect(done.rotateStock.lines.map((l: any) => l.batch.batchNo)).toEqual(['FUT-OLD', 'FUT-NEW-3']);
  });
});
