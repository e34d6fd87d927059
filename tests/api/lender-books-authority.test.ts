import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { key, receive, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident, executedPlan, type Destination } from '../support/relief.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { download, JOURNAL_HEADINGS, parseCsv } from '../support/paperwork.ts';

// Sweep 14a F7 (D22 every change journaled with its basis, D23 凭令出库, D25 cross-region use only with consent or a
// standing 联储 agreement): another region's dispatch plan shipping stock out of a 新乡 county store left 新乡's books
// with an outbound that had no order, approver or basis — 批准人, 批准文号, 出库申请 and 依据 empty in the journal export,
// StockDocument.approval null, the printed 调拨单（调出） without 批准人. The lender's readers, who may not read the other
// region's plan or its approval, now see the lender's own authority: the 联储 agreement (依据), or the consent its own
// dispatcher gave (批准人, 批准文号, StockDocument.approval) — and the 调拨令's number (出库申请), which the shipment's
// own 备注 names already. Nothing more of the other region's plan; a reader who may read the plan's approval sees it.

const t = useTestApp({ resetClock: true, checkLedger: true });

const DOC = `id number note reference approval { kind approvalRef decidedBy { username } }`;

/** The lender's 调拨单（调出） of the item, through the journal query as `as` reads it. */
async function shipmentOf(item: string, as: string) {
  const res = ok(
    await t.gql(
      `query($f: JournalFilter!) { journal(filter: $f, first: 10) { edges { node { quantity store { id } document { ${DOC} } } } } }`,
      { f: { storeId: XINXIANG_COUNTY, itemId: item, documentType: 'TRANSFER_OUT' } },
      as,
    ),
  );
  const nodes = res.journal.edges.map((e: any) => e.node).filter((n: any) => n.store.id === XINXIANG_COUNTY);
  expect(nodes).toHaveLength(1);
  return nodes[0] as { quantity: number; document: { id: string; number: string; note: string; reference: string | null; approval: any } };
}

/** The journal export's row of a document, by heading, as `as` downloads it. */
async function exportRow(as: string, documentNumber: string, item: string) {
  const res = await download(t, '/exports/journal.csv', as, { storeId: XINXIANG_COUNTY, itemId: item, documentType: 'TRANSFER_OUT' });
  expect(res.status).toBe(200);
  const [headings, ...rows] = parseCsv(res.text);
  expect(headings).toEqual(JOURNAL_HEADINGS);
  const row = rows.find((r) => r[0] === documentNumber);
  expect(row).toBeDefined();
  return { cells: Object.fromEntries(JOURNAL_HEADINGS.map((h, i) => [h, row![i]])) as Record<string, string>, text: row!.join(',') };
}

const newItem = async (code: string, name: string) =>
  ok(
    await t.gql(
      `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
      { input: { code, categoryCode: 'LIVING', name, unit: '件' } },
      'admin',
    ),
  ).createItem.id as string;

/** The 调拨令 number the shipment's 备注 names (「调拨令 DL-…：<安置点>」). */
const orderNumberIn = (note: string) => /调拨令 (DL-\d{8}-[0-9A-F]{8})/.exec(note)![1];

describe('D22, D23, D25 (sweep 14a F7): 晋城’s plan ships 新乡县’s stock under the demo 新乡市–晋城市 联储 agreement', () => {
  const INCIDENT = '晋城市借调联储测试';
  let item: string;
  let planId: string;
  let agreement: { id: string; validFrom: string; validTo: string };
  let doc: Awaited<ReturnType<typeof shipmentOf>>['document'];

  beforeAll(async () => {
    // Test databases hold no demo reserves: the demo's 新乡市–晋城市 agreement (every item, no maximum), recorded as seeded.
    agreement = ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id validFrom validTo } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2025-01-01', validTo: '2028-12-31', note: '豫晋交界地区应急物资联储联调协议' } },
        'admin',
      ),
    ).createJointReserveAgreement;
    item = await newItem('LIV-LND1', '联储借调测试物资');
    await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: item, quantity: 20, batchNo: 'LND-1', unitPrice: '100.00', expiryDate: '2031-01-01' }]);
    const incident = await createIncident(t, { name: INCIDENT, regionCode: '140500', location: { lat: 35.49, lng: 112.85 } }, 'jincheng');
    const destination: Destination = { name: '晋城借调测试安置点', regionCode: '140500', lat: 35.5, lng: 112.86, lines: [{ itemId: item, quantity: 8 }] };
    const plan = await executedPlan(t, incident, [destination], 'jincheng');
    planId = plan.id;
    expect(plan.lines).toMatchObject([{ store: { id: XINXIANG_COUNTY }, quantity: 8 }]);
    const lines = ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { lines { needsConsent jointAgreementId } } }`, { p: planId }, 'jincheng')).dispatchPlan
      .lines;
    expect(lines).toEqual([{ needsConsent: false, jointAgreementId: agreement.id }]);
    doc = (await shipmentOf(item, 'auditor')).document;
  });

  it('the journal export as 新乡’s auditor: 出库申请 the 调拨令 number, 依据 the 联储 agreement (validity and id); no approver of 晋城’s, nothing of its plan', async () => {
    const { cells, text } = await exportRow('auditor', doc.number, item);
    const number = orderNumberIn(doc.note);
    expect(number).toContain(planId.slice(0, 8).toUpperCase());
    expect(cells['出库申请']).toBe(number);
    expect(cells['依据']).toBe(`联储协议（有效期 ${agreement.validFrom} 至 ${agreement.validTo}，协议 ID ${agreement.id}）`);
    // 联储: the lender approved nothing for this plan; 晋城's approval stays 晋城's.
    expect([cells['批准人'], cells['批准文号']]).toEqual(['', '']);
    expect(text).not.toContain(INCIDENT);
    // The dispatcher of the lending city reads the same.
    expect((await exportRow('dispatcher', doc.number, item)).cells).toMatchObject({ 出库申请: number, 依据: cells['依据'], 批准人: '' });
  });

  it('StockDocument.approval stays null for 新乡’s readers (the plan’s approval is 晋城’s, and no consent was asked); the administrator reads the plan’s', async () => {
    expect(doc.approval).toBeNull();
    expect((await shipmentOf(item, 'dispatcher')).document.approval).toBeNull();
    expect((await shipmentOf(item, 'admin')).document.approval).toMatchObject({ kind: 'DISPATCH_PLAN', decidedBy: { username: 'jincheng' } });
  });

  it('the printed 调拨单（调出） as 新乡’s dispatcher names the 调拨令 and the 联储 agreement; not 晋城’s approver', async () => {
    const html = (await download(t, `/paperwork/documents/${doc.id}.html`, 'dispatcher')).text;
    expect(html).toContain(orderNumberIn(doc.note));
    expect(html).toContain(`联储协议（有效期 ${agreement.validFrom} 至 ${agreement.validTo}，协议 ID ${agreement.id}）`);
    expect(html).not.toContain('批准人');
    expect(html).not.toContain('紧急批准');
  });
});

describe('D22, D23, D25 (sweep 14a F7): another region’s plan ships 新乡县’s stock with the consent 新乡’s dispatcher gave', () => {
  const INCIDENT = '运城市借调同意测试';
  const CONSENT_REF = '新应急同意〔2026〕7号';
  let item: string;
  let doc: Awaited<ReturnType<typeof shipmentOf>>['document'];

  beforeAll(async () => {
    // 运城 has no 联储 agreement with 新乡: the system administrator's plan for 运城 needs 新乡县's consent (D25).
    item = await newItem('LIV-LND2', '跨区同意测试物资');
    await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: item, quantity: 20, batchNo: 'LND-2', unitPrice: '50.00', expiryDate: '2031-01-01' }]);
    const incident = await createIncident(t, { name: INCIDENT, regionCode: '140800', location: { lat: 35.03, lng: 111.0 } }, 'admin');
    const destination = { name: '运城借调测试安置点', regionCode: '140800', lat: 35.04, lng: 111.01, lines: [{ itemId: item, quantity: 5 }] };
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id lines { needsConsent store { id } } } }`,
        { i: { incidentId: incident, destinations: [destination] } },
        'admin',
      ),
    ).requestDispatch;
    expect(plan.lines).toMatchObject([{ needsConsent: true, store: { id: XINXIANG_COUNTY } }]);
    ok(await decideRaw(t, 'dispatcher', await pendingApprovalOf(t, plan.id, 'CROSS_REGION_USE'), 'APPROVE', { approvalRef: CONSENT_REF }));
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id }, 'admin'));
    ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: key() }, 'admin'));
    doc = (await shipmentOf(item, 'auditor')).document;
  });

  it('StockDocument.approval as 新乡’s readers is the lender’s consent (approver, 文号); the administrator, who reads the plan’s approval, still sees that', async () => {
    const consent = { kind: 'CROSS_REGION_USE', approvalRef: CONSENT_REF, decidedBy: { username: 'dispatcher' } };
    expect(doc.approval).toEqual(consent);
    expect((await shipmentOf(item, 'director')).document.approval).toEqual(consent);
    expect((await shipmentOf(item, 'admin')).document.approval).toMatchObject({ kind: 'DISPATCH_PLAN', decidedBy: { username: 'admin' } });
  });

  it('the journal export as 新乡’s auditor: 批准人 and 批准文号 the consent’s, 出库申请 the 调拨令, 依据 跨区域调用; nothing of the plan', async () => {
    const { cells, text } = await exportRow('auditor', doc.number, item);
    expect(cells).toMatchObject({ 批准人: '新乡市应急管理局调度员', 批准文号: CONSENT_REF, 出库申请: orderNumberIn(doc.note) });
    expect(cells['依据']).toMatch(/^跨区域调用（调出方辖区同意，\d{4}-\d{2}-\d{2} \d{2}:\d{2}）$/);
    expect(text).not.toContain(INCIDENT);
  });

  it('the printed 调拨单（调出） names the consent’s approver, time and 文号, and the 调拨令', async () => {
    const html = (await download(t, `/paperwork/documents/${doc.id}.html`, 'auditor')).text;
    expect(html).toContain('新乡市应急管理局调度员');
    expect(html).toContain('同意跨区域调用');
    expect(html).toContain(CONSENT_REF);
    expect(html).toContain(orderNumberIn(doc.note));
    expect(html).not.toContain('紧急批准');
  });
});
