import { describe, expect, it } from 'vitest';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { COTTON_TENT, DOC_FIELDS, WEIHUI } from '../support/ledger.ts';
import { ok, purchase, receiveRaw } from '../support/ledger-ops.ts';

// The DateTime scalar (API.md: an instant stored in UTC, shown in Asia/Shanghai) and the other custom scalars (Date,
// Money) as the API reads and writes them.
// - Finance sweep #2: an instant before 1901 (Asia/Shanghai's local mean time, +08:05:43) was written "+08:05", 43 s off
//   the instant stored; it is written at +08:00 now, so that every instant read back is the one stored.
// - Contract sweep C5: a refused variable of a custom scalar in a query (compiled by graphql-jit) named the scalar
//   ("DateTime", "Date") as its field; it names the argument and path it was passed as, as a mutation's does.

function refusal(res: GqlResult) {
  expect(res.data ?? null, JSON.stringify(res)).toBeNull();
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  const [error] = res.errors!;
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  return error;
}

describe('DateTime before 1901 reads back as the instant stored, in China time (finance sweep #2)', () => {
  const t = useTestApp();

  it('valuation(asOf) echoes 1900-01-01T00:00:00Z as 08:00+08:00, the same instant', async () => {
    const res = ok(await t.gql(`query($at: DateTime) { valuation(asOf: $at) { asOf } }`, { at: '1900-01-01T00:00:00Z' }, 'auditor'));
    expect(res.valuation.asOf).toBe('1900-01-01T08:00:00+08:00');
    expect(new Date(res.valuation.asOf).toISOString()).toBe('1900-01-01T00:00:00.000Z');
  });

  it('a receipt dated years back (D7: a document may be dated in the past, from 2000 on) is read back at the instant it was dated', async () => {
    const occurredAt = '2000-03-01T09:30:15+08:00';
    const receipt = ok(
      await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: COTTON_TENT, quantity: 2, batchNo: 'DT-2000', unitPrice: '10.00' }], { occurredAt })),
    ).receiveStock;
    expect(receipt.occurredAt).toBe(occurredAt);
    const again = ok(await t.gql(`query($id: ID!) { document(id: $id) { ${DOC_FIELDS} } }`, { id: receipt.id }, 'keeper')).document;
    expect(again.occurredAt).toBe(occurredAt);
    expect(Date.parse(again.occurredAt)).toBe(Date.parse(occurredAt));
  });

  it('keeps Asia/Shanghai summer time (+09:00) for 1986–1991', async () => {
    const res = ok(await t.gql(`query($at: DateTime) { valuation(asOf: $at) { asOf } }`, { at: '1988-07-01T00:00:00Z' }, 'auditor'));
    expect(res.valuation.asOf).toBe('1988-07-01T09:00:00+09:00');
  });
});

describe('a refused custom-scalar variable names the argument it was passed as, in Chinese (contract sweep C5)', () => {
  const t = useTestApp();

  it.each([
    ['a top-level DateTime!', 'query($f: DateTime!) { valuation(asOf: $f) { total } }', { f: 'nonsense' }, 'asOf', /^截止时间：时间格式错误：nonsense/],
    ['a DateTime without offset', 'query($a: DateTime) { valuation(asOf: $a) { total } }', { a: '2026-12-01' }, 'asOf', /^截止时间：时间格式错误：2026-12-01/],
    [
      'a top-level Date that no calendar has',
      'query($d: Date) { agreements(activeOn: $d) { totalCount } }',
      { d: '2026-02-30' },
      'activeOn',
      /^生效日期：日期不存在：2026-02-30/,
    ],
    [
      'a Date not written YYYY-MM-DD',
      'query($d: Date) { agreements(activeOn: $d) { totalCount } }',
      { d: '2026/2/3' },
      'activeOn',
      /^生效日期：日期格式错误：2026\/2\/3/,
    ],
    [
      'a Date well written in a year the books cannot hold (said as out of range, not as a format error)',
      'query($d: Date) { agreements(activeOn: $d) { totalCount } }',
      { d: '2200-01-01' },
      'activeOn',
      /^生效日期：日期超出范围：2200-01-01（年份应在 1900–2199 之间）$/,
    ],
    [
      'a DateTime offset past +14:00',
      'query($a: DateTime) { valuation(asOf: $a) { total } }',
      { a: '2026-12-04T10:00:00+25:00' },
      'asOf',
      /^截止时间：时区偏移超出范围/,
    ],
    [
      'a DateTime offset of 60 minutes',
      'query($a: DateTime) { valuation(asOf: $a) { total } }',
      { a: '2026-12-04T10:00:00+08:60' },
      'asOf',
      /^截止时间：时区偏移超出范围/,
    ],
    [
      'a DateTime offset past −12:00',
      'query($a: DateTime) { valuation(asOf: $a) { total } }',
      { a: '2026-12-04T10:00:00-13:00' },
      'asOf',
      /^截止时间：时区偏移超出范围/,
    ],
    [
      'a DateTime inside an input variable',
      'query($f: AuditFilter) { auditLog(filter: $f) { totalCount } }',
      { f: { from: 'nonsense' } },
      'filter.from',
      /时间格式错误：nonsense/,
    ],
    [
      'a DateTime variable inside an input written in the query',
      'query($t: DateTime) { auditLog(filter: { to: $t }) { totalCount } }',
      { t: '1899-12-31T23:00:00Z' },
      'filter.to',
      /^截止日期：时间超出范围：1899-12-31T23:00:00Z（年份应在 1900–2199 之间）/,
    ],
    [
      'a DateTime inside a mutation input variable (as before)',
      'mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id } }',
      { i: { storeId: WEIHUI, source: 'PURCHASE', idempotencyKey: 'k', occurredAt: 'yesterday', lines: [] } },
      'input.occurredAt',
      /^发生时间：时间格式错误：yesterday/,
    ],
  ])('%s → BAD_USER_INPUT naming its field', async (_label, query, variables, field, message) => {
    const error = refusal(await t.gql(query, variables, query.startsWith('mutation') ? 'admin' : 'auditor'));
    expect(error.extensions.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/Expected|Variable/);
  });

  it('the offsets at the ends of the range, −12:00 and +14:00, are instants as written', async () => {
    for (const [asOf, china] of [
      ['2026-07-01T10:00:00+14:00', '2026-07-01T04:00:00+08:00'],
      ['2026-07-01T10:00:00-12:00', '2026-07-02T06:00:00+08:00'],
    ]) {
      const res = await t.gql('query($a: DateTime!) { valuation(asOf: $a) { asOf } }', { a: asOf }, 'auditor');
      expect(res.errors).toBeUndefined();
      expect(res.data.valuation.asOf).toBe(china);
    }
  });

  it('each refused variable of a query is named by its own argument', async () => {
    const res = await t.gql('query($f: DateTime, $d: Date) { valuation(asOf: $f, feesFrom: $d) { total } }', { f: 'x', d: 'y' }, 'auditor');
    expect(res.errors!.map((e) => [e.extensions.code, e.extensions.field])).toEqual([
      ['BAD_USER_INPUT', 'asOf'],
      ['BAD_USER_INPUT', 'feesFrom'],
    ]);
  });

  it('a query refused for a built-in scalar inside an input variable names the path too', async () => {
    const error = refusal(await t.gql('query($f: AuditFilter) { auditLog(filter: $f) { totalCount } }', { f: { operation: 5 } }, 'auditor'));
    expect(error.extensions.field).toBe('filter.operation');
  });
});
