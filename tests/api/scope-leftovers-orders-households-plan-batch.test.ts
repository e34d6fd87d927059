import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { approvedOrder } from '../support/authority.ts';
import { key, onHandOf, QUILT, receive, TANGZHUANG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ledgerCounts, ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { download } from '../support/paperwork.ts';
import { createIncident, openPoint, stockedPoint } from '../support/relief.ts';
import { HOUSEHOLD_REGISTERED_ELSEWHERE } from '../../server/relief/rules.ts';

// What the outside sweeps left of scope and personal data (API.md: a reference the caller may not see answers
// FORBIDDEN at its field, an unknown id NOT_FOUND — never BAD_USER_INPUT for an id out of scope, never an answer that
// tells what is behind it):
// - sweep 12b F8: an outbound order of another region named by an executing operation (issue, transfer, scrap);
// - sweep 12b F4: another 安置点's households probed through distributeRelief's refusals (D29);
// - sweep 12b F3: a plan line's batch at another jurisdiction's store, shown because the batch was once in scope (D20, D25);
// - sweep 11a F7: an old 15-digit ID number masked in its 18-digit form (D29).

const t = useTestApp();

/** A user of this file, made by the system administrator, who signs in with the test password; returns its id. */
async function createUser(username: string, role: string, extra: Record<string, unknown>): Promise<string> {
  const res = await t.gql(
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username, displayName: `用户 ${username}`, password: TEST_PASSWORD, role, ...extra } },
    'admin',
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.createUser.id;
}

const refusal = (res: GqlResult) => ({ code: errorCode(res), field: res.errors?.[0]?.extensions?.field, message: res.errors?.[0]?.message });

describe('D23, D24 (sweep 12b F8): an outbound order of another region, named by an executing operation, is FORBIDDEN', () => {
  let xinxiangOrder: string;
  let batchId: string;

  beforeAll(async () => {
    batchId = (await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 20, batchNo: 'LO-MB-01', expiryDate: '2031-01-01' }])).lines[0].batch.id;
    // 新乡市's own store: the keeper of 卫辉市's store may not see its orders; 新乡市's dispatcher may.
    const order = await approvedOrder(t, 'admin', { storeId: XINXIANG, purpose: 'RELIEF', recipient: '新乡市安置点', lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(order.errors, JSON.stringify(order.errors)).toBeUndefined();
    xinxiangOrder = order.data.order.id;
    await createUser('lo-weihui', 'DISPATCHER', { regionCode: '410781000000' }); // 卫辉市: not 新乡市's city store
  });

  const issueWith = (orderId: string, as: string) =>
    t.gql(
      `mutation($i: IssueStockInput!) { issueStock(input: $i) { id } }`,
      { i: { storeId: WEIHUI, orderId, reason: 'RELIEF', recipient: '受灾群众', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1 }] } },
      as,
    );

  it('D23, D24: issueStock with 新乡市’s order at 卫辉市’s store — FORBIDDEN at input.orderId for the keeper and the county, as outboundOrder(id:) answers', async () => {
    const before = await ledgerCounts(t);
    for (const as of ['keeper', 'lo-weihui']) {
      const read = await t.gql(`query($id: ID!) { outboundOrder(id: $id) { id } }`, { id: xinxiangOrder }, as);
      expect(errorCode(read), as).toBe('FORBIDDEN');
      const res = await issueWith(xinxiangOrder, as);
      expect(refusal(res), as).toMatchObject({ code: 'FORBIDDEN', field: 'input.orderId' });
      expect(res.errors![0].message, as).not.toMatch(/SQ-\d{4}-|新乡市安置点|救灾/); // nothing of the order told
    }
    expect(await ledgerCounts(t)).toEqual(before); // a refusal changes nothing
  });

  it('D23: an unknown order id is NOT_FOUND; another store’s order the caller may see stays BAD_USER_INPUT (their mistake, not a secret)', async () => {
    expect(refusal(await issueWith('0a6e1d2c-9d3b-4c55-8f0e-000000000001', 'keeper'))).toMatchObject({ code: 'NOT_FOUND', field: 'input.orderId' });
    // 新乡市's dispatcher covers both stores.
    expect(refusal(await issueWith(xinxiangOrder, 'dispatcher'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.orderId' });
  });

  it('D23, D24: shipTransfer and scrapStock take the order through the same check — FORBIDDEN at input.orderId', async () => {
    const before = await ledgerCounts(t);
    const shipped = await t.gql(
      `mutation($i: ShipTransferInput!) { shipTransfer(input: $i) { id } }`,
      { i: { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, orderId: xinxiangOrder, idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1 }] } },
      'keeper',
    );
    expect(refusal(shipped)).toMatchObject({ code: 'FORBIDDEN', field: 'input.orderId' });
    const scrapped = await t.gql(
      `mutation($i: ScrapStockInput!) { scrapStock(input: $i) { id } }`,
      {
        i: {
          storeId: WEIHUI,
          orderId: xinxiangOrder,
          approvalRef: '卫应急〔2026〕9号',
          reason: 'MOULDY',
          idempotencyKey: key(),
          lines: [{ batchId, quantity: 1 }],
        },
      },
      'keeper',
    );
    expect(refusal(scrapped)).toMatchObject({ code: 'FORBIDDEN', field: 'input.orderId' });
    expect(await ledgerCounts(t)).toEqual(before);
  });
});

describe('D29, D24 (sweep 12b F4): a 安置点 manager learns nothing of another point’s households from distributeRelief', () => {
  const HEAD = '隐私乙某';
  const ID = '410781198502023456';
  let incidentId: string;
  let pointB: string; // the demo keeper's (stockedPoint)
  let pointA: string; // lo-point-a's only

  const distribute = (as: string, storeId: string, household: Record<string, unknown>, quantity = 1) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id household { headName size idNumberMasked } } }`,
      // Sweep 23b F8: one slip, one distribution of the incident (D29) — each its own 签收凭证号, a replay its first one.
      { i: { storeId, incidentId, household, lines: [{ itemId: QUILT, quantity }], signatureRef: `LO-QZ-${key().slice(0, 8)}`, idempotencyKey: key() } },
      as,
    );

  beforeAll(async () => {
    ({ incidentId, point: pointB } = await stockedPoint(t, '唐庄测试安置点B', 'LO-MB-B'));
    pointA = await openPoint(t, incidentId, '汲水测试安置点A');
    await createUser('lo-point-a', 'KEEPER', { storeIds: [pointA] });
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 20, batchNo: 'LO-MB-A', expiryDate: '2031-01-01' }]);
    const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: pointA, lines: [{ itemId: QUILT, quantity: 20 }] })).shipTransfer;
    ok(
      await receiveTransferRaw(t, 'lo-point-a', {
        transferId: shipped.id,
        lines: shipped.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })),
      }),
    );
    // At B, by its manager: 3 people, 2 of their 3 quilts.
    ok(await distribute('keeper', pointB, { headName: HEAD, size: 3, idNumber: ID, address: '唐庄村隐私路 2 号' }, 2));
    // B's households are not A's manager's to read (sweep 12b F1), which is the premise here.
    expect(errorCode(await t.gql(`query($s: ID!) { distributions(filter: { storeId: $s }) { totalCount } }`, { s: pointB }, 'lo-point-a'))).toBe('FORBIDDEN');
  });

  it('D29: every probe of B’s household by A’s manager — a wrong name, another size, more than is left, the name alone — is one refusal that tells nothing', async () => {
    const stockA = await onHandOf(t, pointA, QUILT);
    const probes = [
      { headName: '冒名某', size: 3, idNumber: ID }, // was 「已登记的户主姓名与本次不同」
      { headName: HEAD, size: 5, idNumber: ID }, // was 「该户已登记 3 人」
      { headName: HEAD, size: 3, idNumber: ID, quantity: 9 }, // was 「每户可领 3床（3 人），已领 2」
      { headName: HEAD, size: 3 }, // was 「该户主已在本事件中凭身份证号码或住址登记领取」
    ];
    const answers = [];
    for (const { quantity, ...household } of probes) answers.push(refusal(await distribute('lo-point-a', pointA, household, quantity ?? 1)));
    for (const a of answers) {
      expect(a).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.household', message: HOUSEHOLD_REGISTERED_ELSEWHERE });
      expect(a.message).not.toMatch(/隐私|唐庄|3 人|已领 \d|已登记的户主/);
    }
    expect(new Set(answers.map((a) => a.message)).size).toBe(1); // one answer whatever was guessed
    expect(await onHandOf(t, pointA, QUILT)).toBe(stockA); // nothing handed out
  });

  it('D29: the family, moved from B to A, is served at A what is left of its standard — and no more, counted across the incident', async () => {
    const stockA = await onHandOf(t, pointA, QUILT);
    const served = ok(await distribute('lo-point-a', pointA, { headName: HEAD, size: 3, idNumber: ID }, 1)).distributeRelief;
    expect(served.household).toEqual({ headName: HEAD, size: 3, idNumberMasked: '410781********3456' });
    expect(await onHandOf(t, pointA, QUILT)).toBe(stockA - 1);
    // 3 of 3 now (2 at B, 1 at A): one more is refused, in words that tell A's manager nothing of B.
    expect(refusal(await distribute('lo-point-a', pointA, { headName: HEAD, size: 3, idNumber: ID }, 1))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.household',
      message: HOUSEHOLD_REGISTERED_ELSEWHERE,
    });
    expect(await onHandOf(t, pointA, QUILT)).toBe(stockA - 1);
  });

  it('D29: the incident-wide allowance stays — the command over both points is told as before; A’s manager serves A’s own households', async () => {
    const byCommand = await distribute('dispatcher', pointA, { headName: '冒名某', size: 3, idNumber: ID });
    expect(refusal(byCommand)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.household.headName' });
    const own = ok(await distribute('lo-point-a', pointA, { headName: '甲点住户', size: 2, idNumber: '410781199203034561' })).distributeRelief;
    expect(own.household).toEqual({ headName: '甲点住户', size: 2, idNumberMasked: '410781********4561' });
    // And A's own household, again at A: the usual refusal, which tells A's manager only A's record.
    expect(refusal(await distribute('lo-point-a', pointA, { headName: '甲点住户', size: 4, idNumber: '410781199203034561' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.household.size',
    });
  });
});

describe('D20, D25 (sweep 12b F3): a plan line’s batch follows its store — never shown for another jurisdiction’s store', () => {
  const PURIFIER = itemId('LIV-019'); // 应急净水设备: no stock in the demo data
  let batchId: string;
  let plan: { id: string; lines: { store: { id: string } | null; batch: { id: string } | null; batchNo: string | null; needsConsent: boolean }[] };
  const LINES = `lines { store { id } batch { id } batchNo needsConsent }`;

  beforeAll(async () => {
    batchId = (await receive(t, 'admin', XINXIANG, [{ itemId: PURIFIER, quantity: 10, batchNo: 'LO-JSSB-XX', unitPrice: '9876.54', expiryDate: '2031-01-01' }]))
      .lines[0].batch.id;
    // Two of the city's batch go to 卫辉 (in transit): the batch is now in 卫辉's scope; the city's 8 stay the city's.
    ok(await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, lines: [{ itemId: PURIFIER, batchId, quantity: 2 }] }));
    await createUser('lo-plan-weihui', 'DISPATCHER', { regionCode: '410781000000' });
    const incidentId = await createIncident(t, { name: '卫辉市净水保障（批次）', affectedPopulation: 3000 }, 'lo-plan-weihui');
    plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id ${LINES} } }`,
        {
          i: {
            incidentId,
            deadlineHours: 48,
            destinations: [{ name: '汲水镇净水点LO', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: PURIFIER, quantity: 5 }] }],
          },
        },
        'lo-plan-weihui',
      ),
    ).requestDispatch;
  });

  it('D20, D25: 卫辉’s dispatcher, who may read the batch, sees the city store’s line with its store and quantity — batch and batchNo null, on the plan and its print', async () => {
    // The premise: the batch itself is in the reader's scope (卫辉 holds some of it), the city's store is not.
    expect(ok(await t.gql(`query($id: ID!) { batch(id: $id) { id } }`, { id: batchId }, 'lo-plan-weihui')).batch).toEqual({ id: batchId });
    const city = plan.lines.filter((l) => l.store?.id === XINXIANG);
    expect(city.length).toBeGreaterThan(0);
    for (const l of city) expect(l).toMatchObject({ batch: null, batchNo: null });
    const read = ok(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { ${LINES} } }`, { id: plan.id }, 'lo-plan-weihui')).dispatchPlan;
    for (const l of read.lines.filter((x: any) => x.store?.id === XINXIANG)) expect(l).toMatchObject({ batch: null, batchNo: null });
    const printed = await download(t, `/paperwork/dispatch-plans/${plan.id}.html`, 'lo-plan-weihui');
    expect(printed.status).toBe(200);
    expect(printed.text).not.toContain('LO-JSSB-XX');
    expect(printed.text).not.toContain('9876.54');
    expect(printed.text).not.toContain('9,876.54');
  });

  it('D20: the city’s own dispatcher, whose store it is, sees the batch on the same line', async () => {
    const read = ok(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { ${LINES} } }`, { id: plan.id }, 'dispatcher')).dispatchPlan;
    const city = read.lines.filter((l: any) => l.store?.id === XINXIANG);
    expect(city.length).toBeGreaterThan(0);
    for (const l of city) expect(l).toMatchObject({ batch: { id: batchId }, batchNo: 'LO-JSSB-XX' });
  });
});

describe('D29 (sweep 11a F7): an old 15-digit ID number is masked as given — 15 characters, the card’s own head and tail', () => {
  let at: { incidentId: string; point: string };
  beforeAll(async () => {
    at = await stockedPoint(t, '十五位证件测试安置点', 'LO-MB-15');
  });

  it('D29: 410781920303127 shows as 410781*****3127 — not 410781********1274, digits not on the card — and is still one household with its 18-digit form', async () => {
    const handOut = (idNumber: string, quantity: number) =>
      t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id household { idNumberMasked } } }`,
        {
          i: {
            storeId: at.point,
            incidentId: at.incidentId,
            household: { headName: '老证件', size: 1, idNumber },
            lines: [{ itemId: QUILT, quantity }],
            signatureRef: `LO-15-${key().slice(0, 8)}`, // one slip each (sweep 23b F8)
            idempotencyKey: key(),
          },
        },
        'keeper',
      );
    const first = ok(await handOut('410781920303127', 1)).distributeRelief;
    expect(first.household.idNumberMasked).toBe('410781*****3127');
    const listed = ok(
      await t.gql(
        `query($s: ID!) { distributions(filter: { storeId: $s }) { edges { node { id household { idNumberMasked } } } } }`,
        { s: at.point },
        'keeper',
      ),
    ).distributions.edges.map((e: any) => e.node);
    expect(listed).toContainEqual({ id: first.id, household: { idNumberMasked: '410781*****3127' } });
    // The same person's 18-digit card (19 inserted, check digit 4): the allowance of 1 is used up.
    const again = await handOut('410781199203031274', 1);
    expect(refusal(again)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.quantity' });
  });
});
