import ExcelJS from 'exceljs';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, key, QUILT, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok } from '../support/ledger-ops.ts';
import { decideRaw, requestOrderRaw } from '../support/authority.ts';
import { ENTRUSTED_XX } from '../support/finance.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 21b (a township store and the life of a batch).
// F3 (D3 owner ≠ holder, D21, D25): a receipt line without ownerOrgId was always the holding store's government's,
// whatever its funding source, while the console set the funding level's government: the server now holds the one
// rule — the government of the line's funding level where the store may record it, the operator for ENTERPRISE where
// it is offered, else the store's default — and receiptOwners' defaultFor shows it. County-funded goods at a township
// store are the county's, so their use by the township is owed to the county (D25).
// F2 (D23): a rotation's 接收方 is the one its approved order names, by issueStock's rule; and never one of the
// system's own stores, which a rotation would take the goods off the books for, nothing arriving there (D18, D22).
// F4 (D26): a new batch too short-lived is refused at the field the client gave (productionDate when the expiry was
// derived from it), as receiveStock names it. Today is 2026-07-20 (test clock).

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const JISHUI = '410781100000'; // 汲水镇: TANGZHUANG is its store
const WEIHUI_REGION = '410781000000';
const TOWN_KEEPER = 'js21b-keeper';
const TOWN_DISPATCHER = 'js21b-dispatcher';
const BATCH = `batchNo fundingSource reserveMode owner { name }`;

let itemCount = 0;
async function newItem(): Promise<string> {
  itemCount += 1;
  const input = { categoryCode: 'LIVING', code: `T-21B-${itemCount}`, name: `21b 产权测试物资 ${itemCount}`, unit: '顶' };
  return ok(await t.gql(`mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`, { input }, 'admin')).createItem.id;
}

const createUser = async (i: Record<string, unknown>) =>
  ok(await t.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { password: TEST_PASSWORD, ...i } }, 'admin'));

beforeAll(async () => {
  await createUser({ username: TOWN_KEEPER, displayName: '汲水镇库管员', role: 'KEEPER', storeIds: [TANGZHUANG] });
  await createUser({ username: TOWN_DISPATCHER, displayName: '汲水镇调度员', role: 'DISPATCHER', regionCode: JISHUI });
});

type Owner = { level: string | null; defaultFor: string[]; organization: { id: string; name: string } };
const ownersAt = async (store: string, as = 'admin') =>
  ok(await t.gql(`query($s: ID!) { receiptOwners(storeId: $s) { level defaultFor organization { id name } } }`, { s: store }, as)).receiptOwners as Owner[];

const receiptLines = async (as: string, store: string, lines: Record<string, unknown>[]) =>
  ok(
    await t.gql(
      `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id lines { batch { id ${BATCH} } } } }`,
      { input: { storeId: store, source: 'PURCHASE', contractNo: 'HT-21B', inspectionReportNo: 'YS-21B', idempotencyKey: key(), lines } },
      as,
    ),
  ).receiveStock.lines.map((l: { batch: Record<string, unknown> }) => l.batch) as {
    id: string;
    batchNo: string;
    fundingSource: string;
    reserveMode: string;
    owner: { name: string } | null;
  }[];

describe('sweep 21b F3: a receipt line without owner is owned by whose funds bought it (D3, D21)', () => {
  it('D3, D21: receiptOwners says per owner the funding sources it owns by default — the township store: each government its level’s; an entrusted store’s operator ENTERPRISE', async () => {
    const owners = await ownersAt(TANGZHUANG, TOWN_KEEPER);
    expect(owners.map((o) => [o.organization.name, o.level, o.defaultFor])).toEqual([
      ['汲水镇人民政府', 'TOWNSHIP', ['TOWNSHIP']],
      ['卫辉市人民政府', 'COUNTY', ['COUNTY']],
      ['新乡市人民政府', 'CITY', ['CITY']],
      ['河南省人民政府', 'PROVINCE', ['PROVINCE']],
    ]);
    const entrusted = await ownersAt(ENTRUSTED_XX);
    expect(entrusted.map((o) => [o.level, o.defaultFor])).toEqual([
      [null, ['ENTERPRISE']],
      ['COUNTY', ['COUNTY']],
      ['CITY', ['CITY']],
      ['PROVINCE', ['PROVINCE']],
    ]);
  });

  it('D3, D21: at a township store, county/city/province funds are that government’s, township/central/donated/unstated the township’s — as receiptOwners’ defaultFor says', async () => {
    const item = await newItem();
    const funding = ['COUNTY', 'CITY', 'PROVINCE', 'TOWNSHIP', 'CENTRAL', 'DONATION', null];
    const batches = await receiptLines(
      TOWN_KEEPER,
      TANGZHUANG,
      funding.map((f, i) => ({ itemId: item, quantity: 10, batchNo: `21B-F3-${f ?? 'NONE'}-${i}`, unitPrice: '10.00', ...(f ? { fundingSource: f } : {}) })),
    );
    expect(batches.map((b) => [b.fundingSource, b.owner?.name, b.reserveMode])).toEqual([
      ['COUNTY', '卫辉市人民政府', 'PHYSICAL'],
      ['CITY', '新乡市人民政府', 'PHYSICAL'],
      ['PROVINCE', '河南省人民政府', 'PHYSICAL'],
      ['TOWNSHIP', '汲水镇人民政府', 'PHYSICAL'],
      ['CENTRAL', '汲水镇人民政府', 'PHYSICAL'],
      ['DONATION', '汲水镇人民政府', 'PHYSICAL'],
      ['TOWNSHIP', '汲水镇人民政府', 'PHYSICAL'],
    ]);
    // One rule: the owner the console picks from defaultFor (none listing it: the default) is the one the server gave.
    const owners = await ownersAt(TANGZHUANG);
    const storeDefault = owners.find((o) => o.level === 'TOWNSHIP')!.organization.name;
    funding.forEach((f, i) => {
      const picked = f ? owners.find((o) => o.defaultFor.includes(f))?.organization.name : undefined;
      expect(batches[i].owner?.name, String(f)).toBe(picked ?? storeDefault);
    });
  });

  it('D3: a level below the store’s leaves the store’s government (county store, 乡级 funds); an entrusted store’s ENTERPRISE goods are its operator’s own (协议储备)', async () => {
    const item = await newItem();
    const [below] = await receiptLines('keeper', WEIHUI, [
      { itemId: item, quantity: 2, batchNo: '21B-F3-BELOW', unitPrice: '5.00', fundingSource: 'TOWNSHIP' },
    ]);
    expect(below.owner?.name).toBe('卫辉市人民政府');
    const [own, county] = await receiptLines('admin', ENTRUSTED_XX, [
      { itemId: item, quantity: 3, batchNo: '21B-F3-ENT', unitPrice: '5.00', fundingSource: 'ENTERPRISE' },
      { itemId: item, quantity: 3, batchNo: '21B-F3-ENT-CITY', unitPrice: '5.00', fundingSource: 'CITY' },
    ]);
    const operator = (await ownersAt(ENTRUSTED_XX)).find((o) => o.level === null)!.organization.name;
    expect([own.owner?.name, own.reserveMode]).toEqual([operator, 'AGREEMENT']);
    expect([county.owner?.name, county.reserveMode]).toEqual(['新乡市人民政府', 'ENTRUSTED']);
  });

  it('D3, D25: county-funded goods received at the township store without owner, issued by the township under its order, are owed to the county', async () => {
    const item = await newItem();
    const [batch] = await receiptLines(TOWN_KEEPER, TANGZHUANG, [
      { itemId: item, quantity: 20, batchNo: '21B-F3-ISSUE', unitPrice: '150.00', fundingSource: 'COUNTY' },
    ]);
    expect(batch.owner?.name).toBe('卫辉市人民政府');
    const lines = [{ itemId: item, quantity: 4 }];
    const order = ok(await requestOrderRaw(t, TOWN_KEEPER, { storeId: TANGZHUANG, purpose: 'RELIEF', recipient: '汲水镇受灾户', lines })).requestOutboundOrder;
    ok(await decideRaw(t, TOWN_DISPATCHER, order.approval.id, 'APPROVE'));
    const doc = ok(
      await t.gql(
        `mutation($input: IssueStockInput!) { issueStock(input: $input) { id number } }`,
        { input: { storeId: TANGZHUANG, orderId: order.id, reason: 'RELIEF', idempotencyKey: key(), lines } },
        TOWN_KEEPER,
      ),
    ).issueStock;
    const settlements = ok(
      await t.gql(`{ settlements { status quantity value owedTo { code } owedBy { code } item { id } issueDocument { id } } }`, {}, 'admin'),
    ).settlements.filter((s: { item: { id: string } }) => s.item.id === item);
    expect(settlements).toEqual([
      {
        status: 'OPEN',
        quantity: 4,
        value: '600.00',
        owedTo: { code: WEIHUI_REGION },
        owedBy: { code: JISHUI },
        item: { id: item },
        issueDocument: { id: doc.id },
      },
    ]);
  });

  it('D3: the opening-balance upload (期初建账) takes the same default — 市级 funds without 产权单位 are the city’s, none stated the store’s', async () => {
    const head = ['物资编码', '物资名称', '规格', '批号', '生产日期', '有效期至', '数量', '单价（元）', '资金来源', '产权单位'];
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('台账');
    ws.addRow(['卫辉市救灾物资储备库 期初库存']);
    ws.addRow(head);
    ws.addRow(['LIV-004', null, null, '21B-OPEN-CITY', null, null, 5, 150, '市级', null]);
    ws.addRow(['LIV-004', null, null, '21B-OPEN-NONE', null, null, 5, 150, null, null]);
    const res = await request(t.app)
      .post(`/paperwork/opening-balances/${WEIHUI}`)
      .set('authorization', `Bearer ${await t.token('keeper')}`)
      .attach('file', Buffer.from(await wb.xlsx.writeBuffer()), '台账.xlsx');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const stock = ok(
      await t.gql(
        `query($f: StockFilter!) { stock(filter: $f, first: 50) { edges { node { batch { ${BATCH} } } } } }`,
        { f: { storeId: WEIHUI, itemId: QUILT } },
        'admin',
      ),
    ).stock.edges.map((e: { node: { batch: { batchNo: string; fundingSource: string; owner: { name: string } } } }) => e.node.batch);
    expect(stock.filter((b: { batchNo: string }) => b.batchNo.startsWith('21B-OPEN-')).map((b: any) => [b.batchNo, b.fundingSource, b.owner.name])).toEqual(
      expect.arrayContaining([
        ['21B-OPEN-CITY', 'CITY', '新乡市人民政府'],
        ['21B-OPEN-NONE', 'COUNTY', '卫辉市人民政府'],
      ]),
    );
  });
});

describe('sweep 21b F2, F4: a rotation goes to the approved 接收方, outside the system, and names the field given (D23, D26)', () => {
  let batchId = '';
  beforeAll(async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 100, batchNo: '21B-ROT-OLD', expiryDate: '2027-01-01', unitPrice: '150.00' }]);
    batchId = rec.lines.find((l: { batch: { batchNo: string } }) => l.batch.batchNo === '21B-ROT-OLD').batch.id;
  });

  /** An approved ROTATION_SALE order of the batch to `recipient`, requested by the keeper, approved by the director. */
  const rotationOrder = async (recipient: string, quantity = 10) => {
    const order = ok(
      await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'ROTATION_SALE', recipient, lines: [{ itemId: QUILT, batchId, quantity }] }),
    ).requestOutboundOrder;
    ok(await decideRaw(t, 'director', order.approval.id, 'APPROVE'));
    return order as { id: string; number: string };
  };
  const rotate = (orderId: string, extra: Record<string, unknown>) =>
    t.gql(
      `mutation($input: RotateStockInput!) { rotateStock(input: $input) { ${DOC_FIELDS} recipient } }`,
      {
        input: {
          storeId: WEIHUI,
          orderId,
          batchId,
          quantity: 10,
          disposal: 'SALE',
          idempotencyKey: key(),
          newBatch: { batchNo: `21B-ROT-NEW-${key().slice(0, 6)}`, expiryDate: '2032-01-01', unitPrice: '155.00' },
          ...extra,
        },
      },
      'keeper',
    );
  const remainingOf = async (orderId: string) =>
    ok(await t.gql(`query($id: ID!) { outboundOrder(id: $id) { lines { remainingQuantity } } }`, { id: orderId }, 'admin')).outboundOrder.lines[0]
      .remainingQuantity as number;

  it('D23 (F2): a 接收方 other than the one the approved order names is BAD_USER_INPUT at input.counterpart, as issueStock refuses it at input.recipient; nothing is posted', async () => {
    const order = await rotationOrder('沙窑村村委会');
    const before = await ledgerCounts(t);
    const res = await rotate(order.id, { counterpart: '某私人公司' });
    expect([errorCode(res), res.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.counterpart']);
    expect(res.errors![0].message).toBe(`接收方「某私人公司」与出库申请 ${order.number} 批准的「沙窑村村委会」不符；可不填，按申请单的接收方轮换`);
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await remainingOf(order.id)).toBe(10);
    // The approved one, or none (the order's), is taken.
    expect(ok(await rotate(order.id, { counterpart: '沙窑村村委会', quantity: 4 })).rotateStock.recipient).toBe('沙窑村村委会');
    expect(ok(await rotate(order.id, { quantity: 6 })).rotateStock.recipient).toBe('沙窑村村委会');
  });

  it('D18, D22 (F2): a 接收方 that is one of the system’s stores, by name or code, is refused at input.counterpart pointing to 调拨出库; nothing leaves the books', async () => {
    const county = '卫辉市救灾物资储备库';
    const order = await rotationOrder(county);
    const before = await ledgerCounts(t);
    for (const extra of [{ disposal: 'TRANSFER', counterpart: county }, { disposal: 'TRANSFER' }, { disposal: 'SALE', counterpart: county }]) {
      const res = await rotate(order.id, extra);
      expect([errorCode(res), res.errors![0].extensions.field], JSON.stringify(extra)).toEqual(['BAD_USER_INPUT', 'input.counterpart']);
      expect(res.errors![0].message).toContain('是本系统的仓库');
      expect(res.errors![0].message).toContain('本系统以外的单位');
      expect(res.errors![0].message).toContain('调拨出库');
    }
    const byCode = await rotationOrder('s-410781-01');
    const res = await rotate(byCode.id, { disposal: 'TRANSFER', counterpart: ' s-410781-01 ' });
    expect([errorCode(res), res.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.counterpart']);
    expect(res.errors![0].message).toContain(`（${county}，代码 S-410781-01）`);
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await remainingOf(order.id)).toBe(10);
    // Another system's store of any kind too: the 新乡县 entrusted store, by name.
    const entrustedName = ok(await t.gql(`query($id: ID!) { store(id: $id) { name } }`, { id: ENTRUSTED_XX }, 'admin')).store.name as string;
    const other = await rotationOrder(entrustedName);
    expect((await rotate(other.id, { disposal: 'DONATION' })).errors![0].extensions.field).toBe('input.counterpart');
  });

  it('D26 (F4): a new batch too short-lived whose expiry was derived from its production date is refused at input.newBatch.productionDate; a stated expiry at input.newBatch.expiryDate', async () => {
    const order = await rotationOrder('某回收公司');
    const before = await ledgerCounts(t);
    // 棉被: 72 months of storage life, 12 months of lead — made 2021-01-10, it expires 2027-01-10, before 2027-07-20.
    const derived = await rotate(order.id, { newBatch: { batchNo: '21B-ROT-SHORT', productionDate: '2021-01-10', unitPrice: '160.00' } });
    expect([errorCode(derived), derived.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.newBatch.productionDate']);
    expect(derived.errors![0].message).toContain('新批次有效期至 2027-01-10');
    const stated = await rotate(order.id, { newBatch: { batchNo: '21B-ROT-SHORT', productionDate: '2021-01-10', expiryDate: '2027-01-10' } });
    expect([errorCode(stated), stated.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'input.newBatch.expiryDate']);
    expect(await ledgerCounts(t)).toEqual(before);
  });
});
