import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeId, userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { createIncident } from '../support/relief.ts';
import { COTTON_TENT, expectLedgerConsistent, JINCHENG, key, receive, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, receiveTransferRaw, reverseRaw, shipRaw, stocktakeRaw } from '../support/ledger-ops.ts';

// The contract sweep's defects (findings-contract.md C1, C4, C6–C11), each pinned as API.md and DOMAIN.md say it.

const t = useTestApp();
afterEach(() => t.clock.set(NOW));
afterEach(() => expectLedgerConsistent(t));

const BOAT = itemId('FLD-012'); // 冲锋舟
const PUMP = itemId('MIN-001'); // 潜水泵
const BLANKET = itemId('LIV-006'); // 毛毯, counted in 条
const YUNCHENG = storeId('S-140800-01'); // 运城市救灾物资储备库: no 联储 with 新乡
const TANGZHUANG_POINT = { name: '唐庄镇二号安置点', regionCode: '410781105000', lat: 35.46, lng: 113.98 };

let incidentId: string;
beforeAll(async () => {
  incidentId = await createIncident(t, { name: '卫辉市“7·20”洪涝灾害', affectedPopulation: 5000 }, 'admin');
});

const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};

/** What the dispatcher's own region (新乡) and its 联储 partner (晋城) hold available of an item. */
async function usableStock(item: string): Promise<number> {
  let total = 0;
  for (const regionCode of ['410700', '140500']) {
    const res = ok(
      await t.gql(`query($f: StockFilter!) { stock(filter: $f, first: 500) { edges { node { available } } } }`, { f: { regionCode, itemId: item } }, 'admin'),
    );
    total += res.stock.edges.reduce((s: number, e: any) => s + e.node.available, 0);
  }
  return total;
}

describe('C1 (D20): a plan line from a partner’s or another jurisdiction’s store', () => {
  it('D20: batch and source.batch are a plain null, not FORBIDDEN; 联储 is named only where a 联储 agreement covers the line', async () => {
    const own = await usableStock(PUMP);
    const batch = (no: string) => [{ itemId: PUMP, quantity: 10, batchNo: no, expiryDate: '2035-01-01', unitPrice: '800.00' }];
    await receive(t, 'admin', XINXIANG_COUNTY, batch('C1-XXX-PUMP')); // a sibling county of 卫辉: 新乡's own
    await receive(t, 'admin', JINCHENG, batch('C1-JC-PUMP')); // 晋城: 新乡's 联储 partner
    await receive(t, 'admin', YUNCHENG, batch('C1-YC-PUMP')); // 运城: no 联储, needs consent
    const jointId = ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', lines: [{ itemId: PUMP, maxQuantity: 100 }] } },
        'admin',
      ),
    ).createJointReserveAgreement.id;
    const res = await t.gql(
      `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) {
         lines { store { id name region { code } } batchNo batch { batchNo } source { kind batch { id } } tier reason needsConsent jointAgreementId } } }`,
      { i: { incidentId, destinations: [{ ...TANGZHUANG_POINT, lines: [{ itemId: PUMP, quantity: own + 30 }] }] } },
      'dispatcher',
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const lines = res.data.suggestDispatchPlan.lines as any[];
    const outside = lines.filter((l) => l.store && !l.store.region.code.startsWith('4107'));
    expect(outside.map((l) => l.store.id).sort()).toEqual([JINCHENG, YUNCHENG].sort());
    for (const l of outside) {
      expect(l.batch).toBeNull();
      expect(l.source.batch).toBeNull();
      expect(l.batchNo).toBeNull(); // D20: no batches of another jurisdiction's stock (sweep H2)
    }
    // The dispatcher's own region's store lines show their batch.
    for (const l of lines.filter((x) => x.store?.region.code.startsWith('4107'))) expect(l.batch?.batchNo).toBe(l.batchNo);
    // 联储 only where a 联储 agreement covers the line; sibling counties of 新乡 are not 联储.
    for (const l of lines) {
      if (l.reason.includes('联储')) expect(l.jointAgreementId, l.reason).not.toBeNull();
      if (l.needsConsent) expect(l.reason).toContain('须对方辖区同意');
    }
    const at = (store: string) => lines.find((l) => l.store?.id === store);
    expect(at(JINCHENG)).toMatchObject({ needsConsent: false, jointAgreementId: jointId });
    expect(at(JINCHENG).reason).toContain('（联储）');
    expect(at(XINXIANG_COUNTY).reason).not.toContain('联储');
    expect(at(YUNCHENG)).toMatchObject({ needsConsent: true, jointAgreementId: null });
    expect(at(YUNCHENG).reason).not.toContain('联储');
  });
});

describe('C9 (D25): stock needing consent ranks after every source the region may use by itself', () => {
  it("D25: the region's own agreement reserve that meets the deadline is used before 运城's store stock, which needs 运城's consent", async () => {
    const own = await usableStock(BOAT);
    await receive(t, 'admin', YUNCHENG, [{ itemId: BOAT, quantity: 50, batchNo: 'C9-YC-CFZ', expiryDate: '2035-01-01', unitPrice: '50000.00' }]);
    const agreementId = await createAgreement(t, {
      companyName: '新乡市黄河船艇有限公司',
      regionCode: '410700',
      lines: [{ itemId: BOAT, quantity: 20, responseHours: 8, unitPrice: '48000.00' }],
    });
    const plan = ok(
      await t.gql(
        `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) {
           lines { quantity tier needsConsent meetsDeadline reason store { id } source { kind agreement { id } } } shortages { missing } } }`,
        { i: { incidentId, deadlineHours: 24, destinations: [{ ...TANGZHUANG_POINT, lines: [{ itemId: BOAT, quantity: own + 20 }] }] } },
        'dispatcher',
      ),
    ).suggestDispatchPlan;
    expect(plan.lines.filter((l: any) => l.needsConsent)).toEqual([]);
    expect(plan.lines.filter((l: any) => l.store?.id === YUNCHENG)).toEqual([]);
    const agreementLine = plan.lines.find((l: any) => l.source.agreement?.id === agreementId);
    expect(agreementLine).toMatchObject({ quantity: 20, tier: 'AGREEMENT', needsConsent: false, meetsDeadline: true });
    expect(plan.shortages).toEqual([]);

    // Beyond what the region may use by itself, 运城's stock is still planned — needing consent, and said so.
    const more = ok(
      await t.gql(
        `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { lines { quantity needsConsent reason store { id } } } }`,
        { i: { incidentId, deadlineHours: 24, destinations: [{ ...TANGZHUANG_POINT, lines: [{ itemId: BOAT, quantity: own + 30 }] }] } },
        'dispatcher',
      ),
    ).suggestDispatchPlan;
    const yuncheng = more.lines.filter((l: any) => l.store?.id === YUNCHENG);
    expect(yuncheng.map((l: any) => [l.quantity, l.needsConsent])).toEqual([[10, true]]);
    expect(yuncheng[0].reason).toContain('须对方辖区同意');
    expect(yuncheng[0].reason).not.toContain('联储');
  });
});

// Sweep 23b F5 changed C11: a reversed distribution is no longer left out — D22 keeps it on the record, marked REVERSED
// (it vanished without a trace); the distributions that stand are filter.status POSTED, which is C11's list.
describe('C11 (D29, D22): distributions mark a reversed distribution, and list the ones that stand on asking', () => {
  it('D29, D22: a reversed distribution is listed marked REVERSED; filter.status POSTED lists the household’s second one only', async () => {
    const point = ok(
      await t.gql(
        `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
        {
          i: { incidentId, name: '唐庄镇中学安置点', regionCode: '410781100000', lat: 35.475, lng: 114.012, capacity: 300, managerIds: [userId('keeper')] },
        },
        'dispatcher',
      ),
    ).openDistributionPoint.id;
    await receive(t, 'keeper', WEIHUI, [{ itemId: BLANKET, quantity: 10, batchNo: 'C11-MT', expiryDate: '2031-01-01' }]);
    const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: point, lines: [{ itemId: BLANKET, quantity: 10 }] })).shipTransfer;
    ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, lines: shipped.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })) }));
    const distribute = async () =>
      ok(
        await t.gql(
          `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`,
          {
            i: {
              storeId: point,
              incidentId,
              household: { headName: '张三', size: 3, idNumber: '410781198001011234', address: '唐庄镇唐庄村一组 3 号' },
              signatureRef: 'QZ-C11',
              idempotencyKey: key(),
              lines: [{ itemId: BLANKET, quantity: 3 }],
            },
          },
          'keeper',
        ),
      ).distributeRelief.id as string;
    const first = await distribute();
    ok(await reverseRaw(t, 'keeper', first));
    const second = await distribute();
    const list = async (status?: string[]) =>
      ok(
        await t.gql(
          `query($f: DistributionFilter!) { distributions(filter: $f, first: 50) { totalCount edges { node { id status } } } }`,
          { f: { incidentId, storeId: point, status } },
          'dispatcher',
        ),
      ).distributions;
    const standing = await list(['POSTED']);
    expect(standing.edges.map((e: any) => e.node.id)).toEqual([second]);
    expect(standing.totalCount).toBe(1);
    const all = await list();
    expect(all.totalCount).toBe(2);
    expect(Object.fromEntries(all.edges.map((e: any) => [e.node.id, e.node.status]))).toEqual({ [first]: 'REVERSED', [second]: 'POSTED' });
  });
});

describe('C8: regions(parentCode, level) searches the whole subtree', () => {
  it('API.md: with level, every region of that level under parentCode; without level, the direct children', async () => {
    const townships = ok(await t.gql(`{ regions(parentCode: "410700", level: TOWNSHIP) { code level } }`, {}, 'keeper')).regions as any[];
    const weihui = ok(await t.gql(`{ regions(parentCode: "410781") { code level } }`, {}, 'keeper')).regions as any[];
    expect(weihui.length).toBeGreaterThan(0);
    expect(townships.map((r) => r.code)).toEqual(expect.arrayContaining(weihui.map((r) => r.code)));
    expect(townships.every((r) => r.level === 'TOWNSHIP' && r.code.startsWith('4107'))).toBe(true);
    const counties = ok(await t.gql(`{ regions(parentCode: "410000", level: COUNTY) { code } }`, {}, 'keeper')).regions as any[];
    expect(counties.map((r) => r.code)).toContain('410781000000');
    expect(counties.every((r) => r.code.startsWith('41'))).toBe(true);
    const children = ok(await t.gql(`{ regions(parentCode: "410700") { level } }`, {}, 'keeper')).regions as any[];
    expect(children.length).toBeGreaterThan(0);
    expect(children.every((r) => r.level === 'COUNTY')).toBe(true);
    // The parent itself is not its own descendant.
    expect(ok(await t.gql(`{ regions(parentCode: "410700", level: CITY) { code } }`, {}, 'keeper')).regions).toEqual([]);
  });
});

describe('C6: INVALID_STATE refusals on dispatch plans name field planId', () => {
  it('approving or cancelling a cancelled plan → INVALID_STATE, field planId', async () => {
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId, destinations: [{ ...TANGZHUANG_POINT, name: '唐庄镇六号点', lines: [{ itemId: COTTON_TENT, quantity: 1 }] }] } },
        'dispatcher',
      ),
    ).requestDispatch;
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "重复申请") { id } }`, { p: plan.id }, 'dispatcher'));
    const approve = await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director');
    expect(errorCode(approve)).toBe('INVALID_STATE');
    expect(ext(approve)).toMatchObject({ field: 'planId', status: 'CANCELLED' });
    const cancel = await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "再取消") { id } }`, { p: plan.id }, 'dispatcher');
    expect(errorCode(cancel)).toBe('INVALID_STATE');
    expect(ext(cancel)).toMatchObject({ field: 'planId' });
  });
});

describe('C4: DispatchRequestInput.deadlineHours shows its default', () => {
  it('D16: introspection gives deadlineHours the default 10 (API.md)', async () => {
    const type = ok(await t.gql(`{ __type(name: "DispatchRequestInput") { inputFields { name defaultValue } } }`, {}, 'dispatcher')).__type;
    expect(type.inputFields.find((f: any) => f.name === 'deadlineHours')).toEqual({ name: 'deadlineHours', defaultValue: '10' });
  });
});

describe('C7: messages name a destination 第 N 个安置点; a stocktake counts in the item’s unit', () => {
  const suggest = (lines: unknown[]) =>
    t.gql(
      `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { totalQuantity } }`,
      { i: { incidentId, destinations: [{ ...TANGZHUANG_POINT, lines }] } },
      'dispatcher',
    );
  it('a destination’s line refused: 「第 1 个安置点 第 1 行：…」, field unchanged', async () => {
    const zero = await suggest([{ itemId: COTTON_TENT, quantity: 0 }]);
    expect(errorCode(zero)).toBe('BAD_USER_INPUT');
    expect(ext(zero).field).toBe('input.destinations.0.lines.0.quantity');
    expect(zero.errors![0].message).toMatch(/^第 1 个安置点 第 1 行/);
    const none = await suggest([]);
    expect(errorCode(none)).toBe('BAD_USER_INPUT');
    expect(none.errors![0].message).toMatch(/^第 1 个安置点 /);
    expect(none.errors![0].message).not.toContain('第 1 行');
  });

  it('D27: the stocktake approval’s summary counts 毛毯 in 条, not 件', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: BLANKET, quantity: 20, batchNo: 'C7-MT', expiryDate: '2031-01-01' }]);
    const batchId = doc.lines[0].batch.id;
    const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 15, reason: 'DAMAGED' }] }, 'id', false);
    const docId = ok(res).submitStocktake.id;
    const approvals = ok(
      await t.gql(`{ approvals(filter: { kind: STOCKTAKE, status: PENDING }, first: 50) { edges { node { summary subjectId } } } }`, {}, 'director'),
    ).approvals.edges.map((e: any) => e.node);
    const summary = approvals.find((a: any) => a.subjectId === docId)?.summary as string;
    expect(summary).toContain('盘亏 5 条');
    expect(summary).not.toContain('件');
  });
});

describe('C10: DateTime years as written', () => {
  it('"1900-01-01T00:00:00+08:00" is accepted (1900 as written); 1899 is refused', async () => {
    const at1900 = await t.gql(`{ valuation(asOf: "1900-01-01T00:00:00+08:00") { total } }`, {}, 'auditor');
    expect(at1900.errors, JSON.stringify(at1900.errors)).toBeUndefined();
    const at1899 = await t.gql(`{ valuation(asOf: "1899-12-31T23:59:59+08:00") { total } }`, {}, 'auditor');
    expect(errorCode(at1899)).toBe('BAD_USER_INPUT');
  });
});
