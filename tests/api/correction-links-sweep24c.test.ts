import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { useTestApp } from '../support/harness.ts';
import { key, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { cancelTransferRaw, ok, reverseRaw, shipRaw } from '../support/ledger-ops.ts';
import { download, JOURNAL_HEADINGS, parseCsv } from '../support/paperwork.ts';

// Sweep 24c, mistakes and how they are put right. F2 (D22 "every change is journaled: who, when, what, from which
// document"): a 调拨撤销单 (DC-…) and the 调拨出库 it undoes name each other as a 冲销单 and its original do — through the
// API (reverses / reversedBy), the prints and the journal export, whose DC row carries 依据 and the cancel reason.
// F4 (D22): the audit row of a decision names the document decided (the 冲销单) and the one it reverses.

const t = useTestApp();
const FOLDING_BED = itemId('LIV-010'); // 折叠床
const RAINCOAT = itemId('FLD-012');

const DOC = `id number type status reverses { id number type } reversedBy { id number type } pendingReversal { id }`;
const doc = async (id: string, as = 'keeper') => ok(await t.gql(`query($id: ID!) { document(id: $id) { ${DOC} } }`, { id }, as)).document;

/** The facts (dt → dd) of a printed page, in order. */
const factsOf = (html: string) => [...html.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [m[1], m[2]]);
const print = async (id: string, as = 'keeper') => {
  const res = await download(t, `/paperwork/documents/${id}.html`, as);
  expect(res.status, res.text).toBe(200);
  return res.text;
};

/** keeper ships 8 折叠床 卫辉 → 唐庄 (under an approved order) and cancels: the shipment's and the cancel's documents. */
async function cancelledShipment(batchNo: string) {
  const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: FOLDING_BED, quantity: 10, batchNo, unitPrice: '168.00', expiryDate: '2036-01-01' }]);
  const batchId = rec.lines[0].batch.id;
  const shipped = ok(
    await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: FOLDING_BED, batchId, quantity: 8 }] }),
  ).shipTransfer;
  ok(await cancelTransferRaw(t, 'keeper', shipped.id)); // reason 「调拨计划取消」
  const docs = await queryRows<{ id: string; number: string; type: string }>(
    t.database.db,
    sql`SELECT id::text, number, type::text FROM documents WHERE transfer_id = ${shipped.id}::uuid ORDER BY number`,
  );
  const shipment = docs.find((d) => d.type === 'TRANSFER_OUT')!;
  const cancel = docs.find((d) => d.type === 'TRANSFER_CANCEL')!;
  return { shipment, cancel };
}

describe('D22 (sweep 24c F2): a 调拨撤销单 and the 调拨出库 it undoes name each other', () => {
  it('D22: API — DC.reverses is the DB shipment, the shipment (still POSTED: its movements stand) reversedBy the DC, no pending reversal', async () => {
    const { shipment, cancel } = await cancelledShipment('S24C-DC-1');
    expect(await doc(cancel.id)).toMatchObject({ type: 'TRANSFER_CANCEL', status: 'POSTED', reverses: { id: shipment.id, number: shipment.number } });
    expect(await doc(shipment.id)).toMatchObject({
      type: 'TRANSFER_OUT',
      status: 'POSTED',
      reversedBy: { id: cancel.id, number: cancel.number, type: 'TRANSFER_CANCEL' },
      pendingReversal: null,
    });
    // The receiving side reads both as well.
    expect((await doc(shipment.id, 'admin')).reversedBy.number).toBe(cancel.number);
  });

  it('D22: prints — the DC 「依据 撤销调拨 DB-…」, the DB 「已被 DC-… 撤销」', async () => {
    const { shipment, cancel } = await cancelledShipment('S24C-DC-2');
    expect(factsOf(await print(cancel.id))).toContainEqual(['依据', `撤销调拨 ${shipment.number}`]);
    expect(factsOf(await print(shipment.id))).toContainEqual(['撤销', `已被 ${cancel.number} 撤销（调拨撤销，货物退回调出仓库）`]);
  });

  it('D22: journal export — the DC row carries 依据 「撤销调拨 DB-…」 and the cancel reason under 原因', async () => {
    const { shipment, cancel } = await cancelledShipment('S24C-DC-3');
    const csv = await download(t, '/exports/journal.csv', 'auditor', { storeId: WEIHUI, itemId: FOLDING_BED, documentType: 'TRANSFER_CANCEL' });
    expect(csv.status, csv.text).toBe(200);
    const col = (h: string) => JOURNAL_HEADINGS.indexOf(h);
    const rows = parseCsv(csv.text)
      .slice(1)
      .filter((r) => r[col('单据编号')] === cancel.number);
    expect(rows.map((r) => [r[col('数量')], r[col('原因')], r[col('依据')]])).toEqual([['8', '调拨计划取消', `撤销调拨 ${shipment.number}`]]);
  });
});

describe('D22 (sweep 24c F4): the audit row of a decision names what it decided', () => {
  const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 50) { edges { node { operation input references { field kind id name } } } } }`;

  it('D22: decideApproval on a reversal names the 冲销单 and the document it reverses, for the auditor', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: RAINCOAT, quantity: 3, batchNo: 'S24C-F4-1', unitPrice: '25.00', expiryDate: '2036-01-01' }]);
    const cx = ok(await reverseRaw(t, 'keeper', rec.id, key(), false)).reverseDocument;
    const approvalId = await pendingApprovalOf(t, cx.id, 'REVERSAL');
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason: '原单正确' }));
    const rows = (ok(await t.gql(AUDIT, { f: { operation: 'decideApproval' } }, 'auditor')).auditLog.edges as any[])
      .map((e) => e.node)
      .filter((n) => (n.input as string).includes(approvalId));
    expect(rows).toHaveLength(1);
    expect(rows[0].references).toEqual(
      expect.arrayContaining([
        { field: 'approvalId.subject', kind: 'DOCUMENT', id: cx.id, name: cx.number },
        { field: 'approvalId.subject.reverses', kind: 'DOCUMENT', id: rec.id, name: rec.number },
      ]),
    );
  });
});

describe('D22, D24 (sweep 24c F6): a rejected 冲销单 says who rejected it, why, and what it tried to reverse', () => {
  it('D24: API reverses names the original (still POSTED, not reversed); the print 驳回人 and 驳回理由', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: RAINCOAT, quantity: 2, batchNo: 'S24C-F6-1', unitPrice: '25.00', expiryDate: '2036-01-01' }]);
    const cx = ok(await reverseRaw(t, 'keeper', rec.id, key(), false)).reverseDocument;
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, cx.id, 'REVERSAL'), 'REJECT', { reason: '入库无误，不应冲销' }));
    expect(await doc(cx.id)).toMatchObject({ status: 'REJECTED', reverses: { id: rec.id, number: rec.number } });
    expect(await doc(rec.id)).toMatchObject({ status: 'POSTED', reversedBy: null, pendingReversal: null });
    const facts = factsOf(await print(cx.id));
    expect(facts).toContainEqual(['依据', `冲销 ${rec.number}（冲销已驳回，原单未冲销）`]);
    expect(facts.find(([k]) => k === '驳回人')?.[1]).toMatch(/^\S+ \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(facts).toContainEqual(['驳回理由', '入库无误，不应冲销']);
    expect(facts.map(([k]) => k)).not.toContain('批准人');
  });
});
