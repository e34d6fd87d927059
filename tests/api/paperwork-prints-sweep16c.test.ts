import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { decideRaw, pendingApprovalOf, withOrder } from '../support/authority.ts';
import { useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, key, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, receiveTransferRaw, reverseRaw, shipRaw } from '../support/ledger-ops.ts';
import { download, JOURNAL_HEADINGS, parseCsv } from '../support/paperwork.ts';

// Sweep 16c, the prints and the journal export: F8 a 核销单 names the sending store 调出仓库; F2 (D22) a 冲销单 and
// its original name each other, and the journal's rows of a reversal cite the original (依据) and the reason (原因);
// F5 (D10) a 轮换单 totals what went out and what came in apart, and names their difference 价值变动.

const t = useTestApp();
const FOLDING_BED = itemId('LIV-010'); // 折叠床
const RAINCOAT = itemId('FLD-012');

/** The text of each row's cells of a table part of a printed page. */
function tableRows(html: string, part: 'tbody' | 'tfoot' | 'thead'): string[][] {
  const body = new RegExp(`<${part}>([\\s\\S]*?)</${part}>`).exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]));
}

/** The facts (dt → dd) of a printed page, in order. */
const factsOf = (html: string) => [...html.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [m[1], m[2]]);

const print = async (id: string, as = 'keeper') => {
  const res = await download(t, `/paperwork/documents/${id}.html`, as);
  expect(res.status, res.text).toBe(200);
  return res.text;
};

const storeName = async (id: string) => (await queryRows<{ name: string }>(t.database.db, sql`SELECT name FROM stores WHERE id = ${id}::uuid`))[0].name;

describe('D27 (sweep 16c F8): the 核销单 of a loss in transit', () => {
  it('D27: names the sending store 调出仓库 (it had said 调入仓库), as the receipt does', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: FOLDING_BED, quantity: 10, batchNo: 'S16-WO-1', unitPrice: '168.00', expiryDate: '2036-01-01' }]);
    const batchId = rec.lines[0].batch.id;
    const shipped = ok(
      await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: FOLDING_BED, batchId, quantity: 10 }] }),
    ).shipTransfer;
    ok(await receiveTransferRaw(t, 'admin', { transferId: shipped.id, lines: [{ batchId, quantity: 8, discrepancyReason: 'TRANSIT_LOSS' }] }));
    const [writeOff] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id::text FROM documents WHERE type = 'WRITE_OFF' AND transfer_id = ${shipped.id}::uuid`,
    );
    const [receipt] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id::text FROM documents WHERE type = 'TRANSFER_IN' AND transfer_id = ${shipped.id}::uuid`,
    );
    const [from, to] = [await storeName(WEIHUI), await storeName(TANGZHUANG)];
    const facts = factsOf(await print(writeOff.id, 'admin'));
    expect(facts.slice(0, 2)).toEqual([
      ['仓库', to],
      ['调出仓库', from],
    ]);
    expect(facts.map(([k]) => k)).not.toContain('调入仓库');
    // The receipt of the same transfer, and the shipment, as they were.
    expect(factsOf(await print(receipt.id, 'admin')).slice(0, 2)).toEqual([
      ['仓库', to],
      ['调出仓库', from],
    ]);
    const [out] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id::text FROM documents WHERE type = 'TRANSFER_OUT' AND transfer_id = ${shipped.id}::uuid`,
    );
    expect(factsOf(await print(out.id, 'admin')).slice(0, 2)).toEqual([
      ['仓库', from],
      ['调入仓库', to],
    ]);
  });
});

describe('sweep 16c F2 (D22): a reversal names what it reverses', () => {
  it('D22: the 冲销单 prints 「冲销 RK-…」, the original 「已被 CX-… 冲销」; the journal’s reversal rows cite the original and the reason', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: RAINCOAT, quantity: 4, batchNo: 'S16-CX-1', unitPrice: '25.00', expiryDate: '2036-01-01' }]);
    // Awaiting approval: the original names the reversal that waits.
    const pending = ok(await reverseRaw(t, 'keeper', rec.id, key(), false)).reverseDocument;
    expect(factsOf(await print(rec.id))).toContainEqual(['冲销', `${pending.number} 冲销待审批`]);
    expect(factsOf(await print(pending.id))).toContainEqual(['依据', `冲销 ${rec.number}`]);
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, pending.id, 'REVERSAL'), 'APPROVE', { approvalRef: '审批-16c' }));

    const cxFacts = factsOf(await print(pending.id));
    expect(cxFacts).toContainEqual(['依据', `冲销 ${rec.number}`]);
    expect(cxFacts).toContainEqual(['备注', '录入错误']);
    const original = factsOf(await print(rec.id));
    expect(original).toContainEqual(['冲销', `已被 ${pending.number} 冲销`]);
    expect(original).toContainEqual(['状态', '已冲销']);

    const csv = await download(t, '/exports/journal.csv', 'auditor', { storeId: WEIHUI, itemId: RAINCOAT, documentType: 'REVERSAL' });
    expect(csv.status, csv.text).toBe(200);
    const col = (h: string) => JOURNAL_HEADINGS.indexOf(h);
    const rows = parseCsv(csv.text)
      .slice(1)
      .filter((r) => r[col('单据编号')] === pending.number);
    expect(rows.map((r) => [r[col('数量')], r[col('原因')], r[col('依据')]])).toEqual([['-4', '录入错误', `冲销 ${rec.number}`]]);
  });
});

describe('sweep 16c F2 (D22): a rejected reversal', () => {
  it('D22: still names the document it would have reversed, and says it was rejected; the original names no 冲销单', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: RAINCOAT, quantity: 2, batchNo: 'S16-CX-2', unitPrice: '25.00', expiryDate: '2036-01-01' }]);
    const cx = ok(await reverseRaw(t, 'keeper', rec.id, key(), false)).reverseDocument;
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, cx.id, 'REVERSAL'), 'REJECT'));
    expect(factsOf(await print(cx.id))).toContainEqual(['依据', `冲销 ${rec.number}（冲销已驳回，原单未冲销）`]);
    expect(factsOf(await print(rec.id)).map(([k]) => k)).not.toContain('冲销');
  });
});

describe('sweep 16c F5 (D10): a rotation slip totals 出库 and 入库 apart', () => {
  it('D10: 出库合计 and 入库合计, each in figures and 大写; the difference is named 价值变动, not 合计金额', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [
      { itemId: FOLDING_BED, quantity: 10, batchNo: 'S16-LH-OLD', unitPrice: '2180.00', expiryDate: '2027-01-01' },
    ]);
    const batchId = rec.lines[0].batch.id;
    const input = {
      storeId: WEIHUI,
      batchId,
      quantity: 10,
      disposal: 'SALE',
      counterpart: '某回收公司',
      newBatch: { batchNo: 'S16-LH-NEW', productionDate: '2026-07-01', expiryDate: '2034-11-01', unitPrice: '2345.67' },
    };
    const doc = ok(
      await withOrder(
        t,
        'keeper',
        { ...input, lines: [{ itemId: FOLDING_BED, batchId, quantity: 10 }] },
        { storeId: WEIHUI, purpose: 'ROTATION_SALE', recipient: '某回收公司' },
        ({ lines: _lines, ...i }) =>
          t.gql(`mutation($input: RotateStockInput!) { rotateStock(input: $input) { ${DOC_FIELDS} } }`, { input: { idempotencyKey: key(), ...i } }, 'keeper'),
      ),
    ).rotateStock;
    const html = await print(doc.id);
    const head = tableRows(html, 'thead')[0];
    const foot = tableRows(html, 'tfoot').map((r) => [r[0], r[head.indexOf('数量')], r[head.indexOf('金额（元）')]]);
    expect(foot).toEqual([
      ['出库合计', '10', '21800.00'],
      ['入库合计', '10', '23456.70'],
    ]);
    expect(html).toContain('出库合计金额（大写）：<strong class="amount-in-words">贰万壹仟捌佰元整</strong>');
    expect(html).toContain('入库合计金额（大写）：<strong class="amount-in-words">贰万叁仟肆佰伍拾陆元柒角整</strong>');
    expect(html).toContain('价值变动（入库减出库）：￥<strong class="net">1656.70</strong>（壹仟陆佰伍拾陆元柒角整）');
    expect(html).not.toContain('合计金额（大写）：<strong class="amount-in-words">壹仟陆佰伍拾陆元柒角整');
    // The lines keep their signs.
    expect(tableRows(html, 'tbody').map((r) => [r[head.indexOf('批号')], r[head.indexOf('数量')], r[head.indexOf('金额（元）')]])).toEqual([
      ['S16-LH-OLD', '-10', '-21800.00'],
      ['S16-LH-NEW', '10', '23456.70'],
    ]);
  });
});
