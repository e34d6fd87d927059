import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { schema } from '../../schema/index.ts';
import { hasLiteralCustomScalar } from '../../server/http/compiled-execution.ts';
import { useTestApp } from '../support/harness.ts';
import { receive, WEIHUI, COTTON_TENT } from '../support/ledger.ts';

// Queries run compiled (graphql-jit), which writes literal argument values into its code as JSON: a custom scalar
// written inline (DateTime, Date, Money) must reach the resolver parsed, exactly as the same value passed as a variable.

describe('compiled queries: inline custom scalars mean what their variables mean', () => {
  const t = useTestApp();

  it('valuation(asOf:) and journal(filter: { from, to }) inline answer as with variables, not INTERNAL_SERVER_ERROR', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 4, batchNo: 'JIT-1', unitPrice: '100.00' }], {
      occurredAt: '2026-05-10T08:00:00+08:00',
    });
    const asOf = '2026-05-31T00:00:00+08:00';
    const inline = await t.gql(`{ valuation(asOf: "${asOf}", regionCode: "410781") { total asOf } }`, {}, 'auditor');
    const bound = await t.gql(`query($a: DateTime) { valuation(asOf: $a, regionCode: "410781") { total asOf } }`, { a: asOf }, 'auditor');
    expect(inline.errors, JSON.stringify(inline.errors)).toBeUndefined();
    expect(inline.data).toEqual(bound.data);
    const journal = (filter: string, vars: Record<string, unknown> = {}) =>
      t.gql(`query${'f' in vars ? '($f: DateTime)' : ''} { journal(filter: ${filter}, first: 50) { totalCount } }`, vars, 'auditor');
    const literal = await journal(`{ regionCode: "410781", from: "2026-05-01T00:00:00+08:00", to: "${asOf}" }`);
    const variable = await journal(`{ regionCode: "410781", from: $f, to: "${asOf}" }`, { f: '2026-05-01T00:00:00+08:00' });
    expect(literal.errors, JSON.stringify(literal.errors)).toBeUndefined();
    expect(literal.data.journal.totalCount).toBeGreaterThan(0);
    expect(literal.data).toEqual(variable.data);
  });

  it('a Date written inline (agreements(activeOn:)) is parsed too', async () => {
    const inline = await t.gql(`{ agreements(activeOn: "2027-10-15") { totalCount } }`, {}, 'admin');
    const bound = await t.gql(`query($d: Date) { agreements(activeOn: $d) { totalCount } }`, { d: '2027-10-15' }, 'admin');
    expect(inline.errors, JSON.stringify(inline.errors)).toBeUndefined();
    expect(inline.data).toEqual(bound.data);
  });

  it('finds inline custom scalars in arguments, input objects and lists; not variables or built-in scalars', () => {
    const has = (q: string) => hasLiteralCustomScalar(schema, parse(q));
    expect(has(`{ valuation(asOf: "2026-05-31T00:00:00+08:00") { total } }`)).toBe(true);
    expect(has(`{ journal(filter: { from: "2026-05-01T00:00:00+08:00" }) { totalCount } }`)).toBe(true);
    expect(has(`query($a: DateTime) { valuation(asOf: $a) { total } }`)).toBe(false);
    expect(has(`{ valuation(regionCode: "410781") { total } stores(first: 5) { totalCount } }`)).toBe(false);
  });
});
