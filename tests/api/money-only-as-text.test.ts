import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts } from '../support/ledger-ops.ts';

// Sweep 18c F2 (API.md Conventions: "Money is … a decimal string …; exact, never a float"; D7 the receipt's price, D21
// the value it books): a JSON number or a number written in the query has been a binary double before the server reads
// it — 1.999999999999999999 arrives as 2 — so a Money sent as a number is refused, BAD_USER_INPUT at its field, never
// rounded into the books; the string form is unchanged. Bodies are sent as raw JSON text, so the digits travel as typed.

const t = useTestApp();
const AS_TEXT = /^第 1 行 单价：金额请以文本填写，如 "12\.50"/;

/** A raw JSON body (the client's digits as typed), as the keeper. */
async function raw(body: string): Promise<GqlResult> {
  const res = await request(t.app)
    .post('/graphql')
    .set('content-type', 'application/json')
    .set('authorization', `Bearer ${await t.token('keeper')}`)
    .send(body);
  return res.body as GqlResult;
}

const RECEIVE = 'mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { number lines { unitPrice } } }';
const line = (unitPrice: string) =>
  `{"itemId":"${QUILT}","quantity":1,"batchNo":"S18C-F2-${key().slice(0, 8)}","expiryDate":"2031-01-01","unitPrice":${unitPrice}}`;
const receiptBody = (unitPrice: string) =>
  `{"query":${JSON.stringify(RECEIVE)},"variables":{"input":{"storeId":"${WEIHUI}","source":"DONATION","idempotencyKey":"${key()}","lines":[${line(unitPrice)}]}}}`;

const expectAsText = (res: GqlResult, field: string, message: RegExp = AS_TEXT) => {
  expect(res.errors, JSON.stringify(res)).toHaveLength(1);
  expect(res.data?.receiveStock ?? null).toBeNull();
  expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(res.errors![0].message).toMatch(message);
};

describe('sweep 18c F2: Money only as text (API.md: exact, never a float; D7, D21)', () => {
  it('D7: a JSON number price — 1.999999999999999999, 12.345e1, 1e-2, 9007199254740993 — is refused at its field, nothing booked', async () => {
    const before = await ledgerCounts(t);
    for (const n of ['1.999999999999999999', '12.345e1', '1e-2', '9007199254740993', '12.5', '0']) {
      expectAsText(await raw(receiptBody(n)), 'input.lines.0.unitPrice');
    }
    expect(await ledgerCounts(t)).toEqual(before);
    // The same amounts as text: the exact ones taken as written, the others refused by the Money rule.
    expect(
      (await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'S18C-F2-TXT', expiryDate: '2031-01-01', unitPrice: '12.5' }])).lines[0]
        .unitPrice,
    ).toBe('12.50');
    const text = await raw(receiptBody('"1.999999999999999999"'));
    expect(text.errors?.[0]?.message).toMatch(/金额格式错误/);
  });

  it('D7: a number written in the query itself (no variables) is refused alike, named by its field', async () => {
    const query = `mutation { receiveStock(input: { storeId: "${WEIHUI}", source: DONATION, idempotencyKey: "${key()}", lines: [{ itemId: "${QUILT}", quantity: 1, batchNo: "S18C-F2-LIT", expiryDate: "2031-01-01", unitPrice: 3.999999999999999999 }] }) { number } }`;
    const res = await t.gql(query, {}, 'keeper');
    expectAsText(res, 'input.lines.0.unitPrice');
  });

  it('D5, D21: every Money input follows the one rule — createItem referencePrice, createAgreement annualFee', async () => {
    const item = await request(t.app)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${await t.token('admin')}`)
      .send(
        `{"query":"mutation($i: CreateItemInput!) { createItem(input: $i) { id } }","variables":{"i":{"code":"S18C-F2","name":"试验物资 18c","unit":"件","categoryCode":"LIVING","referencePrice":1.999999999999999999}}}`,
      );
    expect(item.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.referencePrice' });
    expect(item.body.errors[0].message).toMatch(/金额请以文本填写/);
    const fee = await t.gql(
      `mutation { createAgreement(input: { mode: AGREEMENT, companyName: "试验企业", regionCode: "410781", validFrom: "2026-01-01", validTo: "2026-12-31", annualFee: 1.5, lines: [{ itemId: "${QUILT}", quantity: 5, unitPrice: "10.00", responseHours: 4 }] }) { id } }`,
      {},
      'admin',
    );
    expect(fee.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.annualFee' });
    expect(fee.errors![0].message).toMatch(/^年费：金额请以文本填写/);
  });
});
