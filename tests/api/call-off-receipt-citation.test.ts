import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download, JOURNAL_HEADINGS, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';
import { createIncident } from '../support/relief.ts';

// Sweep 12c C11 (D22 "from which document", D17, D7): the receipt of a call-off's delivery cited "调用单 0c5ccf7a" —
// the first characters of an id no one can look up — and no contract. It cites what a person can look up: the 调拨令
// (its printed number) and the line on it (序号), and the agreement drawn on — its contract number, recorded as the
// receipt's 合同编号 too, or its validity where it has none. The print, the journal and its export show it.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const TABLE = itemId('LIV-011'); // 折叠桌椅 — no store holds it: a plan for it calls off the agreement
const POINT = { name: '唐庄镇中学安置点', regionCode: '410781100000', lat: 35.45, lng: 113.97 };
const CONTRACT = 'WH-XY-2026-07';
const DOC = 'id number type source contractNo reference';

let incidentId: string;

/** Requested, approved by a second person and executed: the plan (its printed number) with its one call-off. */
async function executedPlan(quantity: number, incident = incidentId) {
  const fields = 'id lines { quantity source { kind } } callOffs { id status }';
  const i = { incidentId: incident, destinations: [{ ...POINT, lines: [{ itemId: TABLE, quantity }] }] };
  const plan = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${fields} } }`, { i }, 'dispatcher')).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  const executed = ok(
    await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${fields} } }`, { p: plan.id, k: key() }, 'dispatcher'),
  ).executeDispatchPlan;
  // One line, the agreement's: line 1 of the 调拨令 (序号 1).
  expect(executed.lines).toEqual([{ quantity, source: { kind: 'AGREEMENT' } }]);
  expect(executed.callOffs).toHaveLength(1);
  // The 调拨令's number as printed: DL-<the day requested, China time>-<the id's first 8 characters> (requested at the
  // tests' now, 2026-07-20 10:00 China time).
  return { ...executed, number: `DL-20260720-${String(plan.id).slice(0, 8).toUpperCase()}` };
}
const confirm = async (callOffId: string) =>
  ok(
    await t.gql(
      `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { ${DOC} } }`,
      { i: { callOffId, batchNo: `CIT-${key().slice(0, 6)}`, productionDate: '2026-07-01', idempotencyKey: key() } },
      'dispatcher',
    ),
  ).confirmCallOffDelivery;

beforeAll(async () => {
  incidentId = await createIncident(t, { name: '卫辉市洪涝（调用依据）' });
});

describe('a call-off’s receipt cites the 调拨令 line and the agreement (sweep 12c C11, D22, D17, D7)', () => {
  let plan: Awaited<ReturnType<typeof executedPlan>>;
  let receipt: Record<string, string>;

  beforeAll(async () => {
    await createAgreement(t, {
      companyName: '卫辉市调用依据测试商贸有限公司',
      regionCode: '410781',
      contractNo: CONTRACT,
      lines: [{ itemId: TABLE, quantity: 10, unitPrice: '50.00', responseHours: 2 }],
    });
    plan = await executedPlan(10);
    receipt = await confirm(plan.callOffs[0].id);
  });

  it('D22, D7: the receipt’s 依据 is the 调拨令’s number and line and the contract; its 合同编号 is the agreement’s — no id', async () => {
    expect(receipt).toMatchObject({
      type: 'RECEIPT',
      source: 'EMERGENCY_PURCHASE',
      contractNo: CONTRACT,
      reference: `调拨令 ${plan.number} 第 1 行调用协议储备（合同编号 ${CONTRACT}）`,
    });
    expect(receipt.reference).not.toContain(plan.callOffs[0].id.slice(0, 8));
    // The printed 调拨令 carries that number, and the line by its 序号: a person finds the one from the other.
    const printedPlan = (await download(t, `/paperwork/dispatch-plans/${plan.id}.html`, 'dispatcher')).text;
    expect(printedPlan).toContain(plan.number);
  });

  it('D22: the printed 入库单 says it — 合同编号 and 依据', async () => {
    const html = (await download(t, `/paperwork/documents/${receipt.id}.html`, 'dispatcher')).text;
    expect(html).toContain(`<dt>合同编号</dt><dd>${CONTRACT}</dd>`);
    expect(html).toContain(`<dt>依据</dt><dd>${receipt.reference}</dd>`);
  });

  it('D22: the journal’s rows lead to it (document reference and contract), and its export carries 合同编号 and 依据 at the end', async () => {
    const journal = ok(
      await t.gql(
        `query($f: JournalFilter!) { journal(filter: $f, first: 10) { edges { node { quantity document { number contractNo reference } } } } }`,
        { f: { documentId: receipt.id } },
        'auditor',
      ),
    ).journal.edges.map((e: any) => e.node);
    expect(journal).toEqual([{ quantity: 10, document: { number: receipt.number, contractNo: CONTRACT, reference: receipt.reference } }]);

    const res = await download(t, '/exports/journal.csv', 'auditor', { regionCode: '410781', documentType: 'RECEIPT' });
    const [headings, ...rows] = parseCsv(res.text);
    expect(headings).toEqual(JOURNAL_HEADINGS);
    expect(headings.slice(-2)).toEqual(['合同编号', '依据']);
    const row = rows.find((r) => r[0] === receipt.number)!;
    expect(row.slice(-2)).toEqual([CONTRACT, receipt.reference]);
    const sheet = sheetValues(
      await openWorkbook((await download(t, '/exports/journal.xlsx', 'auditor', { regionCode: '410781', documentType: 'RECEIPT' })).body as Buffer),
      1,
    );
    expect(sheet.find((r) => r[0] === receipt.number)!.slice(-2)).toEqual([CONTRACT, receipt.reference]);
  });

  it('D22, D17: an agreement without a contract number is cited by its validity, and the receipt has no 合同编号', async () => {
    await createAgreement(t, {
      companyName: '卫辉市无合同编号测试商贸有限公司',
      regionCode: '410781',
      validFrom: '2026-03-01',
      validTo: '2027-02-28',
      lines: [{ itemId: TABLE, quantity: 5, unitPrice: '40.00', responseHours: 2 }],
    });
    // The first agreement has delivered its 10: the next plan calls off the second one.
    const second = await executedPlan(5);
    expect(await confirm(second.callOffs[0].id)).toMatchObject({
      contractNo: null,
      reference: `调拨令 ${second.number} 第 1 行调用协议储备（协议期限 2026-03-01 至 2027-02-28，无合同编号）`,
    });
  });
});

describe('a call-off’s settlement cites the 调拨令 line too (sweep 12c C11, D15, D22)', () => {
  it('D15, D22: a county agreement called off for a city incident and cancelled closes its settlement citing the 调拨令 line, not the id', async () => {
    const city = await createIncident(t, { name: '新乡市洪涝（调用依据）', regionCode: '410700', location: { lat: 35.45, lng: 113.97 } });
    await createAgreement(t, {
      companyName: '卫辉市调用结算测试商贸有限公司',
      regionCode: '410781',
      contractNo: 'WH-XY-2026-08',
      lines: [{ itemId: TABLE, quantity: 8, unitPrice: '30.00', responseHours: 2 }],
    });
    const plan = await executedPlan(8, city);
    ok(
      await t.gql(
        `mutation($c: ID!, $r: String!) { cancelCallOff(callOffId: $c, reason: $r) { id } }`,
        { c: plan.callOffs[0].id, r: '企业无货' },
        'dispatcher',
      ),
    );
    const settlements = ok(await t.gql(`{ settlements(regionCode: "410781") { status reference plan { id } } }`, {}, 'admin')).settlements as any[];
    expect(settlements.find((x) => x.plan?.id === plan.id)).toMatchObject({
      status: 'SETTLED',
      reference: `调拨令 ${plan.number} 第 1 行 已取消，未调用，无需归还`,
    });
  });
});
