import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { approvedOrder } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { DOC_FIELDS, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok } from '../support/ledger-ops.ts';

// Sweep 22c (first-day words of the API): what a keeper reads in a refusal or a summary.
// F4 (API.md Errors: "the message says what was wrong in words a keeper understands"): a missing required input was
// told 「仓库：缺少必填项 storeId」 — the field in words and then its identifier; now the words alone (extensions.field
// keeps the identifier). A quantity past GraphQL's Int was 「数值超出范围（整数须在 -2147483648 到 2147483647 之间）」,
// half of that range negative, which no quantity takes; now as the console says it, 「数量过大（最多 100,000,000）」, and
// another Int field's positive range. NOT_FOUND ended with the record's UUID (「物资不存在：00000000-…」): the UUID is
// in extensions.id, not in the message; a code the user wrote (物资类别 NOPE) is still said.
// F6 (D23): an approval's summary wrote 「棉被 ×99999」 beside its note's 「99,999 床」; a quantity is written one way —
// grouped, a space before its unit — in summaries, refusals and alerts alike.
// The test clock stands at 2026-07-20 10:00 China time.

const t = useTestApp({ resetClock: true, checkLedger: true });

const LIFE_JACKET = itemId('FLD-009'); // 救生衣, unit 件
const FOLDING_BED = itemId('LIV-010'); // 折叠床, unit 张
const UNKNOWN = '00000000-0000-4000-8000-00000000c0de';

const RECEIVE = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`;
const receiveInput = (over: Record<string, unknown> = {}, line: Record<string, unknown> = {}) => ({
  storeId: WEIHUI,
  source: 'DONATION',
  idempotencyKey: key(),
  lines: [{ itemId: QUILT, quantity: 1, unitPrice: '1.00', fundingSource: 'DONATION', ...line }],
  ...over,
});
const refusals = (res: { errors?: readonly { message: string; extensions: Record<string, unknown> }[] }) =>
  (res.errors ?? []).map((e) => [e.extensions.code, e.extensions.field, e.message]);

describe('sweep 22c F4: a missing input is named in words, without its identifier', () => {
  it('API.md Errors: receiveStock without storeId → 「仓库：缺少必填项」 at input.storeId; a line without quantity → 「第 1 行 数量：缺少必填项」', async () => {
    const before = await ledgerCounts(t);
    const { storeId: _omitted, ...noStore } = receiveInput();
    const missingStore = await t.gql(RECEIVE, { input: noStore }, 'keeper');
    expect(refusals(missingStore)).toEqual([['BAD_USER_INPUT', 'input.storeId', '仓库：缺少必填项']]);
    const input = receiveInput();
    const { quantity: _q, ...line } = input.lines[0];
    expect(refusals(await t.gql(RECEIVE, { input: { ...input, lines: [line] } }, 'keeper'))).toEqual([
      ['BAD_USER_INPUT', 'input.lines.0.quantity', '第 1 行 数量：缺少必填项'],
    ]);
    // Written in the query itself, the same words.
    const literal = await t.gql(
      `mutation { receiveStock(input: { source: DONATION, idempotencyKey: "k22c", lines: [{ itemId: "${QUILT}", quantity: 1, unitPrice: "1.00", fundingSource: DONATION }] }) { id } }`,
      {},
      'keeper',
    );
    expect(refusals(literal)).toEqual([['BAD_USER_INPUT', 'input.storeId', '仓库：缺少必填项']]);
    for (const res of [missingStore, literal]) expect(res.errors!.map((e) => e.message).join()).not.toContain('storeId');
    expect(await ledgerCounts(t)).toEqual(before);
  });
});

describe('sweep 22c F4: a number past GraphQL’s Int is said in the field’s own terms', () => {
  it('API.md Errors: a quantity of 3,000,000,000 → 「第 1 行：数量过大（最多 100,000,000）」, as the console says it; a negative one → 不能为负数', async () => {
    const before = await ledgerCounts(t);
    expect(refusals(await t.gql(RECEIVE, { input: receiveInput({}, { quantity: 3_000_000_000 }) }, 'keeper'))).toEqual([
      ['BAD_USER_INPUT', 'input.lines.0.quantity', '第 1 行：数量过大（最多 100,000,000）'],
    ]);
    expect(refusals(await t.gql(RECEIVE, { input: receiveInput({}, { quantity: -3_000_000_000 }) }, 'keeper'))).toEqual([
      ['BAD_USER_INPUT', 'input.lines.0.quantity', '第 1 行 数量：不能为负数'],
    ]);
    // The same value written in the query.
    const literal = await t.gql(
      `mutation { receiveStock(input: { storeId: "${WEIHUI}", source: DONATION, idempotencyKey: "k22c-int", lines: [{ itemId: "${QUILT}", quantity: 3000000000, unitPrice: "1.00", fundingSource: DONATION }] }) { id } }`,
      {},
      'keeper',
    );
    expect(refusals(literal)).toEqual([['BAD_USER_INPUT', 'input.lines.0.quantity', '第 1 行：数量过大（最多 100,000,000）']]);
    expect(JSON.stringify(literal.errors)).not.toMatch(/-2147483648|整数须在/);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('API.md Errors: another Int field past the Int says its positive range; the page size its own bounds', async () => {
    const capacity = await t.gql(
      `mutation($id: ID!, $i: UpdateStoreInput!) { updateStore(id: $id, input: $i) { id } }`,
      { id: WEIHUI, i: { capacityM3: 5_000_000_000 } },
      'admin',
    );
    expect(refusals(capacity)).toEqual([['BAD_USER_INPUT', 'input.capacityM3', '库容（立方米）：数值过大（最多 2,147,483,647）']]);
    const page = await t.gql('{ stores(first: 99999999999) { totalCount } }', {}, 'admin');
    expect(refusals(page)).toEqual([['BAD_USER_INPUT', 'first', '每页条数须为 0 到 500 之间的整数']]);
  });
});

describe('sweep 22c F4: NOT_FOUND says what was not found; the UUID is in extensions.id', () => {
  it('API.md Errors: an unknown item → 「物资不存在」, without the UUID; the id in extensions.id; a code the user wrote is said', async () => {
    const before = await ledgerCounts(t);
    const res = await t.gql(RECEIVE, { input: receiveInput({}, { itemId: UNKNOWN }) }, 'keeper');
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors![0].message).toBe('物资不存在');
    expect(res.errors![0].message).not.toContain(UNKNOWN);
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.lines.0.itemId', id: UNKNOWN });
    const store = await t.gql(`query($id: ID!) { stock(filter: { storeId: $id }, first: 1) { totalCount } }`, { id: UNKNOWN }, 'dispatcher');
    expect(store.errors![0]).toMatchObject({ message: '仓库不存在', extensions: { code: 'NOT_FOUND', id: UNKNOWN } });
    // A code is words the user knows: said as before.
    const category = await t.gql(`{ items(categoryCode: "NOPE") { totalCount } }`, {}, 'admin');
    expect(category.errors![0]).toMatchObject({ message: '物资类别不存在：NOPE', extensions: { code: 'NOT_FOUND', id: 'NOPE' } });
    expect(await ledgerCounts(t)).toEqual(before);
  });
});

describe('sweep 22c F6: a quantity is written one way — grouped, a space before its unit', () => {
  it('D23: an outbound order for 棉被 99,999 is summarised 「棉被 99,999 床」, as its note says 「申请 99,999 床」 — no 「×99999」', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1300, batchNo: 'W22C-MB', expiryDate: '2031-01-01' }]);
    const placed = ok(
      await t.gql(
        `mutation($input: OutboundOrderInput!) { requestOutboundOrder(input: $input) { id approval { summary } } }`,
        { input: { storeId: WEIHUI, purpose: 'RELIEF', recipient: '汲水镇政府', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 99_999 }] } },
        'keeper',
      ),
    ).requestOutboundOrder;
    const summary = placed.approval.summary as string;
    expect(summary).toMatch(/^卫辉市救灾物资储备库 救灾发放：棉被 99,999 床 → 汲水镇政府（注意：申请时库存不足以执行——棉被可用 [\d,]+ 床，申请 99,999 床）$/);
    expect(summary).not.toContain('×');
  });

  it('D23: a scrap beyond its approved order is refused 「尚可出库 2 张，本次需要 3 张」 — with the unit', async () => {
    const got = await receive(t, 'keeper', WEIHUI, [{ itemId: FOLDING_BED, quantity: 10, batchNo: 'W22C-YY', unitPrice: '40.00', expiryDate: '2031-01-01' }]);
    const batchId = got.lines[0].batch.id as string;
    const order = ok(await approvedOrder(t, 'keeper', { storeId: WEIHUI, purpose: 'SCRAP', lines: [{ itemId: FOLDING_BED, batchId, quantity: 2 }] })).order;
    const before = await ledgerCounts(t);
    const res = await t.gql(
      `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { ${DOC_FIELDS} } }`,
      {
        input: {
          storeId: WEIHUI,
          orderId: order.id,
          approvalRef: '鉴定〔2026〕22号',
          reason: 'DAMAGED',
          idempotencyKey: key(),
          lines: [{ batchId, quantity: 3 }],
        },
      },
      'keeper',
    );
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.quantity', remaining: 2, requested: 3 });
    expect(res.errors![0].message).toMatch(/尚可出库 2 张，本次需要 3 张$/);
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D10: an expiring batch’s alert says 「在库 1,500 件」', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: LIFE_JACKET, quantity: 1500, batchNo: 'W22C-JSY', expiryDate: '2026-08-10', unitPrice: '80.00' }]);
    const alerts = ok(await t.gql(`{ alerts { kind message batch { batchNo } } }`, {}, 'dispatcher')).alerts as {
      kind: string;
      message: string;
      batch: { batchNo: string } | null;
    }[];
    const soon = alerts.find((a) => a.batch?.batchNo === 'W22C-JSY');
    expect(soon?.message).toContain('将于 2026-08-10 到期，在库 1,500 件，请安排轮换');
  });
});
