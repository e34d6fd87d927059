import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { createAgreement } from '../support/agreements.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { JINCHENG, receive, stockAt, WEIHUI } from '../support/ledger.ts';
import { createIncident, ok, openPoint } from '../support/relief.ts';

// Sweep 20a F1, F3 (D14, D15, D25, D29). F1: stock an approved plan has asked another jurisdiction for, its consent still
// pending, is neither reserved nor shipped before the consent (D25) — but it is not offered to a later plan either:
// both would count on the same goods, and whichever consent came second failed (INSUFFICIENT_STOCK), the earlier plan
// losing its line to the later one. The later plan shows the shortage and says what is held. F3: a destination given
// by storeId alone — one of the incident's 安置点 — brings its own name, region and place.

const t = useTestApp({ resetClock: true, checkLedger: true });

const YUNCHENG_STORE = storeId('S-140800-01'); // 运城市救灾物资储备库: no 联储 with 新乡, its stock needs 运城's consent
const PLAN = `id status lines { quantity needsConsent consent store { id } source { kind name } } shortages { requested planned missing reason }`;

let incidentId: string;
let bag: string; // held by 运城 only
let pump: string; // 运城's agreement reserve only

const newItem = async (code: string, name: string) =>
  ok(
    await t.gql(
      `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
      { input: { code, categoryCode: 'LIVING', name, unit: '件' } },
      'admin',
    ),
  ).createItem.id as string;

const destination = (name: string, itemId: string, quantity: number, lat = 35.3985) => ({
  name,
  regionCode: '410781100000',
  lat,
  lng: 114.065,
  lines: [{ itemId, quantity }],
});
const input = (d: Record<string, unknown>) => ({ incidentId, deadlineHours: 48, destinations: [d] });
const suggest = async (d: Record<string, unknown>) =>
  ok(await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`, { i: input(d) }, 'dispatcher')).suggestDispatchPlan;
const request = async (d: Record<string, unknown>) =>
  ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`, { i: input(d) }, 'dispatcher')).requestDispatch;
const approve = async (planId: string) => ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id status } }`, { p: planId }, 'director'));

beforeAll(async () => {
  incidentId = await createIncident(
    t,
    { name: '卫辉市洪涝（待同意占用）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 5000 },
    'admin',
  );
  bag = await newItem('LIV-HELD1', '待同意测试睡袋');
  pump = await newItem('LIV-HELD2', '待同意测试水泵');
  await receive(t, 'admin', YUNCHENG_STORE, [{ itemId: bag, quantity: 300, batchNo: 'HELD-YC-1', expiryDate: '2032-01-01', unitPrice: '100.00' }]);
  await createAgreement(t, {
    companyName: '运城市测试水泵厂',
    regionCode: '140800',
    lines: [{ itemId: pump, quantity: 100, responseHours: 4, unitPrice: '500.00' }],
  });
});

describe('D25 (sweep 20a F1): what an approved plan awaits consent for is not offered to another plan', () => {
  it('D25, D15: the second plan is offered the rest, shows the held part missing and says why; consents given in either order both succeed', async () => {
    const first = await request(destination('汲水镇一号安置点', bag, 100));
    expect(first.lines).toEqual([expect.objectContaining({ quantity: 100, needsConsent: true, consent: 'PENDING', store: { id: YUNCHENG_STORE } })]);
    await approve(first.id);
    // D25: not reserved before the consent.
    expect((await stockAt(t, YUNCHENG_STORE, bag))[0]).toMatchObject({ onHand: 300, reserved: 0 });

    const expected = {
      lines: [expect.objectContaining({ quantity: 200, needsConsent: true, store: { id: YUNCHENG_STORE } })],
      shortages: [
        { requested: 300, planned: 200, missing: 100, reason: '运城市救灾物资储备库 100 已由其他已批准的方案申请调用、正等待对方辖区同意，未计入本方案' },
      ],
    };
    expect(await suggest(destination('汲水镇二号安置点', bag, 300, 35.41))).toMatchObject(expected);
    const second = await request(destination('汲水镇二号安置点', bag, 300, 35.41));
    expect(second).toMatchObject(expected);
    await approve(second.id);

    // 运城 consents to the later plan first: the earlier plan's 100 are still there for its consent.
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, second.id, 'CROSS_REGION_USE'), 'APPROVE'));
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, first.id, 'CROSS_REGION_USE'), 'APPROVE'));
    expect((await stockAt(t, YUNCHENG_STORE, bag))[0]).toMatchObject({ onHand: 300, reserved: 300 });
    // Reserved now: nothing is offered, nor said to be held.
    expect(await suggest(destination('汲水镇三号安置点', bag, 10, 35.42))).toMatchObject({
      lines: [],
      shortages: [{ requested: 10, planned: 0, missing: 10, reason: null }],
    });
  });

  it('D25: a proposed plan holds nothing (as it reserves nothing of the region’s own); a refused consent frees what it held', async () => {
    const item = await newItem('LIV-HELD3', '待同意测试折叠床');
    await receive(t, 'admin', YUNCHENG_STORE, [{ itemId: item, quantity: 50, batchNo: 'HELD-YC-3', expiryDate: '2032-01-01', unitPrice: '100.00' }]);
    const proposed = await request(destination('汲水镇一号安置点', item, 30));
    expect((await suggest(destination('汲水镇二号安置点', item, 50, 35.41))).shortages).toEqual([]);
    await approve(proposed.id);
    expect((await suggest(destination('汲水镇二号安置点', item, 50, 35.41))).shortages).toMatchObject([{ missing: 30 }]);
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, proposed.id, 'CROSS_REGION_USE'), 'REJECT', { reason: '本区自用' }));
    expect((await suggest(destination('汲水镇二号安置点', item, 50, 35.41))).shortages).toEqual([]);
  });

  it('D25, D17: another jurisdiction’s agreement reserve likewise — the rest offered, the held part named by its company', async () => {
    const first = await request(destination('汲水镇一号安置点', pump, 60));
    expect(first.lines).toEqual([expect.objectContaining({ quantity: 60, needsConsent: true, source: { kind: 'AGREEMENT', name: '运城市测试水泵厂' } })]);
    await approve(first.id);
    const second = await request(destination('汲水镇二号安置点', pump, 100, 35.41));
    expect(second).toMatchObject({
      lines: [expect.objectContaining({ quantity: 40, needsConsent: true, source: { kind: 'AGREEMENT', name: '运城市测试水泵厂' } })],
      shortages: [{ requested: 100, planned: 40, missing: 60, reason: '运城市测试水泵厂 60 已由其他已批准的方案申请调用、正等待对方辖区同意，未计入本方案' }],
    });
    await approve(second.id);
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, second.id, 'CROSS_REGION_USE'), 'APPROVE'));
    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, first.id, 'CROSS_REGION_USE'), 'APPROVE'));
  });
});

describe('D14, D29 (sweep 20a F3): a destination given by storeId alone', () => {
  it('D29: one of the incident’s 安置点 by its id alone brings its name, region and place — suggested and requested alike', async () => {
    const point = await openPoint(t, incidentId, '汲水镇按编号安置点');
    await receive(t, 'admin', WEIHUI, [{ itemId: bag, quantity: 20, batchNo: 'HELD-WH-1', expiryDate: '2032-01-01', unitPrice: '100.00' }]);
    const fields = `destinations { name regionCode location { lat lng } store { id } } lines { quantity store { id } } shortages { missing }`;
    const d = { storeId: point, lines: [{ itemId: bag, quantity: 20 }] };
    const expected = {
      destinations: [{ name: '汲水镇按编号安置点', regionCode: '410781100000', location: { lat: 35.47, lng: 114.01 }, store: { id: point } }],
      lines: [{ quantity: 20, store: { id: WEIHUI } }],
      shortages: [],
    };
    const suggested = ok(await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${fields} } }`, { i: input(d) }, 'dispatcher'));
    expect(suggested.suggestDispatchPlan).toEqual(expected);
    const requested = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id ${fields} } }`, { i: input(d) }, 'dispatcher'));
    expect(requested.requestDispatch).toMatchObject(expected);
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "测试") { id } }`, { p: requested.requestDispatch.id }, 'dispatcher'));
  });

  it('D14, D29, D23: an ordinary store, a store out of scope or a destination with neither storeId nor its place is refused, naming the field', async () => {
    const refusal = async (d: Record<string, unknown>) => {
      const res = await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { id } }`, { i: input(d) }, 'dispatcher');
      return { code: errorCode(res), field: res.errors?.[0]?.extensions?.field, message: res.errors?.[0]?.message };
    };
    const lines = [{ itemId: bag, quantity: 1 }];
    expect(await refusal({ storeId: WEIHUI, lines })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.destinations.0.storeId',
      message: expect.stringContaining('不是本事件的安置点'),
    });
    expect(await refusal({ storeId: JINCHENG, lines })).toMatchObject({ code: 'FORBIDDEN', field: 'input.destinations.0.storeId' });
    expect(await refusal({ name: '汲水镇无坐标安置点', regionCode: '410781100000', lines })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.destinations.0.lat',
      message: expect.stringContaining('必填'),
    });
  });
});
