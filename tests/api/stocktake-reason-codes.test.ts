import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok, stocktakeRaw } from '../support/ledger-ops.ts';

// Sweep 7b L4. D9 (every difference needs a reason of its direction), D11 (reasons are codes from stockReasons): a
// reason on a count that agrees with the book was neither checked nor kept — "FOO", "damaged", blanks posted a 盘点单
// as if no reason had been given, while the same values on a line with a difference were refused. A reason that is no
// stocktake reason is refused either way, at input.counts.N.reason, listing the reasons by name; a stocktake reason of
// either direction on a line without difference is accepted and not recorded (the 盘点表 upload passes a row's reason
// as written), and a difference is refused as before.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const message = (res: GqlResult) => res.errors?.[0]?.message ?? '';
const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};

describe('submitStocktake: a reason on a count without difference (sweep 7b L4, D9, D11)', () => {
  let batchId: string;
  let stocktaking: { code: string; name: string }[];

  // A batch of 40 at the keeper's store.
  beforeAll(async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 40, batchNo: 'L4-RSN', unitPrice: '150.00' }]);
    batchId = doc.lines[0].batch.id;
    const reasons = ok(await t.gql(`{ stockReasons { code name usages } }`, {}, 'keeper')).stockReasons as { code: string; name: string; usages: string[] }[];
    stocktaking = reasons.filter((r) => r.usages.includes('STOCKTAKE'));
    expect(stocktaking.length).toBeGreaterThan(2);
  });

  it.each([
    ['an unknown code', 'FOO'],
    ['a code in lower case', 'damaged'],
    ['an empty string', ''],
    ['blanks', '   '],
    ['10,000 characters', 'X'.repeat(10_000)],
    ['a reason of another use (出库 救灾发放)', 'RELIEF'],
  ])(
    'D9, D11: %s on a line counted as the book → BAD_USER_INPUT at input.counts.0.reason listing the stocktake reasons by name; nothing posted',
    async (_, reason) => {
      const before = await ledgerCounts(t);
      const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 40, reason }] }, DOC_FIELDS, false);
      expect(errorCode(res), JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
      expect(ext(res)).toMatchObject({ field: 'input.counts.0.reason', bookQuantity: 40, countedQuantity: 40 });
      expect([...(ext(res).allowed as string[])].sort()).toEqual(stocktaking.map((r) => r.code).sort());
      const [, said, listed] = /^(.+)（可选：(.+)）$/.exec(message(res)) ?? [];
      expect(said).toBe('账面 40、实盘 40，无差异可不填原因；所填原因无效');
      expect((listed ?? '').split('、').sort()).toEqual(stocktaking.map((r) => r.name).sort());
      expect(message(res)).not.toMatch(/[A-Z_]{4,}/);
      expect(await ledgerCounts(t)).toEqual(before);
    },
  );

  it('D9: the refusal names the line it is on (a later line of several)', async () => {
    const second = (await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 5, batchNo: 'L4-RSN-2', unitPrice: '150.00' }])).lines[0].batch.id;
    const res = await stocktakeRaw(
      t,
      'keeper',
      {
        storeId: WEIHUI,
        counts: [
          { batchId, countedQuantity: 40 },
          { batchId: second, countedQuantity: 5, reason: 'FOO' },
        ],
      },
      DOC_FIELDS,
      false,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.counts.1.reason');
  });

  it('D9: a stocktake reason of either direction (or none) on a line without difference posts at once, the reason not recorded', async () => {
    for (const reason of ['STOCKTAKE_GAIN', 'DAMAGED', null, undefined]) {
      const doc = ok(
        await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 40, reason }] }, DOC_FIELDS, false),
      ).submitStocktake;
      expect(doc.status).toBe('POSTED');
      expect(doc.lines[0]).toMatchObject({ quantity: 0, bookQuantity: 40, countedQuantity: 40, reason: null });
    }
  });

  it('D9: with a difference an unknown reason is refused as well, said to be invalid (sweep 15a F8: not 差异须说明原因)', async () => {
    const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 39, reason: 'FOO' }] }, DOC_FIELDS, false);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.counts.0.reason');
    expect(message(res)).toMatch(/^账面 40、实盘 39，原因「FOO」无效（可选：/);
  });
});
