import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { COTTON_TENT, key, receive, SANDBAG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok, shipRaw } from '../support/ledger-ops.ts';
import { decideRaw, pendingApprovalOf, requestOrderRaw } from '../support/authority.ts';
import { download, JOURNAL_HEADINGS, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';

// Sweep 12a F1, F5 (D11, D22, D23, D24, D27): a scrap executed under an approved SCRAP order (出库申请单) posts at once.
// The order's approval is then the scrap's second person, and the scrap document — through GraphQL, on paper and in the journal and its
// export — names the order, who approved it, when and with which 文号, beside the keeper's appraisal reference (D11).

const t = useTestApp();
const DIRECTOR = '新乡市应急管理局副局长';
const APPRAISAL = '卫鉴〔2026〕12号';
const ORDER_REF = '新应急〔2026〕88号';
const QUEUE_REF = '新应急〔2026〕89号';
const LOCAL_AUDITOR = 'weihui-auditor-12a';
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）

const APPROVAL = 'approval { kind status decidedBy { username } decidedAt approvalRef order { number } }';
const scrap = (input: Record<string, unknown>, as = 'keeper') =>
  t.gql(
    `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { id number status approvalRef ${APPROVAL} } }`,
    { input: { storeId: WEIHUI, approvalRef: APPRAISAL, reason: 'DAMAGED', idempotencyKey: key(), ...input } },
    as,
  );
const documentOf = async (id: string, as: string) =>
  ok(await t.gql(`query($id: ID!) { document(id: $id) { number approvalRef ${APPROVAL} } }`, { id }, as)).document;
/** The journal export's rows (CSV), without the heading row, each by its document number. */
const journalCsv = async (as: string, query: Record<string, string>) => {
  const res = await download(t, '/exports/journal.csv', as, query);
  expect(res.status).toBe(200);
  const [headings, ...rows] = parseCsv(res.text);
  expect(headings).toEqual(JOURNAL_HEADINGS);
  return rows;
};
/** What the journal export added at its end (D22, D27): 批准人, 批准文号, 出库申请 — by heading (储备方式 and more came after them). */
const APPROVAL_HEADINGS = ['批准人', '批准文号', '出库申请'];
const approvalCells = (row: readonly unknown[] | undefined) => row && APPROVAL_HEADINGS.map((h) => row[JOURNAL_HEADINGS.indexOf(h)]);

let batchId: string;
let order: { id: string; number: string; approval: { id: string } };
let posted: { id: string; number: string; status: string; approval: { decidedAt: string } };

describe('a scrap under an approved SCRAP order carries the order’s approval (D11, D23, D27; sweep 12a F1)', () => {
  beforeAll(async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [
      { itemId: COTTON_TENT, quantity: 10, batchNo: 'SO12A-T1', unitPrice: '2180.00', expiryDate: '2034-05-31' },
    ]);
    batchId = doc.lines[0].batch.id;
    order = ok(
      await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'SCRAP', note: '暴雨浸泡', lines: [{ itemId: COTTON_TENT, batchId, quantity: 2 }] }),
    ).requestOutboundOrder;
  });

  it('D27 (sweep 18b F12): the SCRAP order is not approved without a 文号, as a SCRAP approval is not; nothing changes', async () => {
    const refused = await decideRaw(t, 'director', order.approval.id, 'APPROVE', { approvalRef: null });
    expect(refused.errors![0]).toMatchObject({ message: '批准须填写审批文号', extensions: { code: 'BAD_USER_INPUT', field: 'input.approvalRef' } });
    const still = ok(await t.gql(`query($id: ID!) { outboundOrder(id: $id) { status approval { status } } }`, { id: order.id }, 'director')).outboundOrder;
    expect(still).toEqual({ status: 'PENDING', approval: { status: 'PENDING' } });
  });

  it('D24: the SCRAP order is approved by a second person (a 文号 given is kept; the scrap itself carries the appraisal reference, D11)', async () => {
    const approved = ok(await decideRaw(t, 'director', order.approval.id, 'APPROVE', { approvalRef: ORDER_REF })).decideApproval;
    expect(approved).toMatchObject({ status: 'APPROVED', approvalRef: ORDER_REF, decidedBy: { username: 'director' } });
  });

  it('D23, D27: the scrap posts at once and names the order’s approval — approver, time, 文号, order — beside the appraisal reference; so does the journal', async () => {
    posted = ok(await scrap({ orderId: order.id, lines: [{ batchId, quantity: 2 }] })).scrapStock;
    expect(posted).toMatchObject({
      status: 'POSTED',
      approvalRef: APPRAISAL,
      approval: { kind: 'OUTBOUND_ORDER', status: 'APPROVED', decidedBy: { username: 'director' }, approvalRef: ORDER_REF, order: { number: order.number } },
    });
    expect(posted.approval.decidedAt).toEqual(expect.any(String));
    // The auditor reading the journal reaches the approver from the row (D22: from which document, approved by whom).
    const journal = ok(
      await t.gql(
        `query($f: JournalFilter!) { journal(filter: $f, first: 50) { edges { node { actor { username } document { number ${APPROVAL} } } } } }`,
        { f: { storeId: WEIHUI, documentType: 'SCRAP' } },
        'auditor',
      ),
    ).journal.edges.map((e: any) => e.node);
    const row = journal.find((n: any) => n.document.number === posted.number);
    expect(row).toMatchObject({
      actor: { username: 'keeper' },
      document: { approval: { kind: 'OUTBOUND_ORDER', decidedBy: { username: 'director' }, approvalRef: ORDER_REF, order: { number: order.number } } },
    });
  });

  it('D22, D27: the printed 报废单 names the order, who approved it and when, and its 批准文号, beside the 审批文号 (appraisal)', async () => {
    const res = await download(t, `/paperwork/documents/${posted.id}.html`, 'keeper');
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain(`<dt>审批文号</dt><dd>${APPRAISAL}</dd>`);
    expect(html).toContain(`<dt>出库申请</dt><dd>${order.number}</dd>`);
    expect(html).toMatch(new RegExp(`<dt>批准人</dt><dd>${DIRECTOR} \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}</dd>`));
    expect(html).toContain(`<dt>批准文号</dt><dd>${ORDER_REF}</dd>`);
  });
});

describe('the journal export names the second person (D22, D27; sweep 12a F5)', () => {
  let queued: { id: string; number: string; status: string };

  beforeAll(async () => {
    // A scrap without an order: it waits, and the director approves it in the queue with his 文号. D23, API.md: only the
    // company's own stock in its agreement store is scrapped without an order (卫辉's government stock needs one), so
    // this one is the administrator's there.
    const own = await receive(t, 'admin', AGREEMENT_STORE, [
      { itemId: COTTON_TENT, quantity: 5, batchNo: 'SO12A-AG1', unitPrice: '2180.00', expiryDate: '2034-05-31' },
    ]);
    queued = ok(await scrap({ storeId: AGREEMENT_STORE, lines: [{ batchId: own.lines[0].batch.id, quantity: 1 }] }, 'admin')).scrapStock;
    expect(queued.status).toBe('PENDING_APPROVAL');
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, queued.id, 'SCRAP'), 'APPROVE', { approvalRef: QUEUE_REF }));
  });

  it('批准人, 批准文号 and 出库申请 come last (the columns before keep their places): the order’s approver, the queue’s, none for a receipt', async () => {
    // Where they were added, after 记账时间: the columns before kept their places (sweep 12c's columns come after them).
    expect(JOURNAL_HEADINGS.slice(15, 18)).toEqual(APPROVAL_HEADINGS);
    const rows = await journalCsv('auditor', { storeId: WEIHUI, documentType: 'SCRAP' });
    const underOrder = rows.find((r) => r[0] === posted.number)!;
    expect(underOrder.slice(0, 3)).toEqual([posted.number, '报废', '卫辉市救灾物资储备库']);
    expect(underOrder[JOURNAL_HEADINGS.indexOf('经办人')]).toBe('卫辉市储备库库管员');
    expect(approvalCells(underOrder)).toEqual([DIRECTOR, ORDER_REF, order.number]);
    const agreement = await journalCsv('auditor', { storeId: AGREEMENT_STORE, documentType: 'SCRAP' });
    expect(approvalCells(agreement.find((r) => r[0] === queued.number))).toEqual([DIRECTOR, QUEUE_REF, '']);
    const receipts = await journalCsv('auditor', { storeId: WEIHUI, documentType: 'RECEIPT' });
    expect(receipts.length).toBeGreaterThan(0);
    expect(receipts.every((r) => approvalCells(r)!.every((c) => c === ''))).toBe(true);
    // The workbook has the same columns and cells.
    const xlsx = await download(t, '/exports/journal.xlsx', 'auditor', { storeId: WEIHUI, documentType: 'SCRAP' });
    const sheet = sheetValues(await openWorkbook(xlsx.body as Buffer), 1);
    const head = sheet.findIndex((r) => r[0] === '单据编号');
    expect(sheet[head]).toEqual(JOURNAL_HEADINGS);
    expect(approvalCells(sheet.find((r) => r[0] === posted.number))).toEqual([DIRECTOR, ORDER_REF, order.number]);
  });

  it('as the policy says (as StockDocument.approval): a 卫辉 auditor sees the in-transit leg of 新乡’s transfer, not 新乡’s order or approver', async () => {
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: LOCAL_AUDITOR, displayName: '卫辉市审计员', password: TEST_PASSWORD, role: 'AUDITOR', regionCode: '410781000000' } },
        'admin',
      ),
    );
    const bags = await receive(t, 'dispatcher', XINXIANG, [
      { itemId: SANDBAG, quantity: 30, batchNo: 'SO12A-S1', unitPrice: '12.00', expiryDate: '2034-05-31' },
    ]);
    // 新乡's dispatcher asks, the administrator approves (D24), the dispatcher ships to 卫辉.
    const line = { itemId: SANDBAG, batchId: bags.lines[0].batch.id, quantity: 5 };
    ok(await shipRaw(t, 'dispatcher', { fromStoreId: XINXIANG, toStoreId: WEIHUI, lines: [line] }));
    const admin = ok(await t.gql(`{ me { displayName } }`, {}, 'admin')).me.displayName;
    const leg = (rows: string[][]) => rows.find((r) => r[2] === '卫辉市救灾物资储备库' && r[7] === '在途' && r[6] === 'SO12A-S1');
    const city = leg(await journalCsv('auditor', { storeId: WEIHUI, documentType: 'TRANSFER_OUT' }));
    expect(city).toBeDefined();
    const [approver, ref, number] = approvalCells(city)!;
    expect([approver, ref]).toEqual([admin, '审批〔2026〕1号']);
    expect(number).toMatch(/^SQ-\d{4}-\d{6}$/);
    // The county's auditor reads the leg at its store, and the document — not 新乡市's order or its approval.
    expect(approvalCells(leg(await journalCsv(LOCAL_AUDITOR, { storeId: WEIHUI, documentType: 'TRANSFER_OUT' })))).toEqual(['', '', '']);
    const journal = ok(
      await t.gql(
        `query($f: JournalFilter!) { journal(filter: $f, first: 50) { edges { node { bucket batch { batchNo } document { id } } } } }`,
        { f: { storeId: WEIHUI, documentType: 'TRANSFER_OUT' } },
        LOCAL_AUDITOR,
      ),
    ).journal.edges.map((e: any) => e.node);
    const docId = journal.find((n: any) => n.bucket === 'IN_TRANSIT' && n.batch.batchNo === 'SO12A-S1').document.id;
    expect((await documentOf(docId, LOCAL_AUDITOR)).approval).toBeNull();
    expect((await documentOf(docId, 'auditor')).approval).toMatchObject({ kind: 'OUTBOUND_ORDER', approvalRef: '审批〔2026〕1号', order: { number } });
  });
});
