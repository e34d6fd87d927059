import { beforeAll, describe, expect, it } from 'vitest';
import { createAgreement } from '../support/agreements.ts';
import { fen, valuationOf, yuan } from '../support/finance.ts';
import { useTestApp } from '../support/harness.ts';
import { QUILT } from '../support/ledger.ts';

// Sweep 12c C13 (D21: agreement reserves are shown "with their fees", exactly): a whole calendar year of an agreement
// accrues exactly its annual fee — in a leap year too, where a day is the annual fee ÷ 366 (not ÷ 365, which made 2024
// accrue 36,600.00 of a 36,500.00 fee). A period spanning years adds up each year's part; the sum is rounded to the fen.
// In common years nothing changes (finance-valuation.test.ts: 100.00 a day of 36,500.00).

const t = useTestApp();
const REGION = '410781'; // 卫辉市: the demo has no agreement with a fee there in 2024–2025

/** The fees the agreement adds to the region's valuation, from `feesFrom` to `asOf`. */
const fees = async (asOf: string, feesFrom: string) => (await valuationOf(t, 'auditor', { asOf, regionCode: REGION, feesFrom })).feesAccrued;

const POINTS: [asOf: string, feesFrom: string][] = [
  ['2024-12-31T24:00:00+08:00', '2024-01-01'], // the leap year 2024, whole
  ['2025-12-31T24:00:00+08:00', '2025-01-01'], // the common year 2025, whole
  ['2025-12-31T24:00:00+08:00', '2024-01-01'], // both
  ['2024-03-01T00:00:00+08:00', '2024-01-01'], // 60 days of 2024 (29 February included)
  ['2025-02-01T00:00:00+08:00', '2024-12-01'], // 31 days of 2024 and 31 of 2025
];
const before = new Map<string, string>();

beforeAll(async () => {
  for (const [asOf, from] of POINTS) before.set(asOf + from, await fees(asOf, from));
  await createAgreement(t, {
    companyName: '卫辉市闰年测试仓储有限公司',
    regionCode: REGION,
    validFrom: '2024-01-01',
    validTo: '2025-12-31',
    annualFee: '36500.00',
    lines: [{ itemId: QUILT, quantity: 1, unitPrice: '1.00', responseHours: 5 }],
  });
});
const added = async (asOf: string, from: string) => yuan(fen(await fees(asOf, from)) - fen(before.get(asOf + from)!));

describe('D21: a year of an agreement accrues its annual fee, leap or not (sweep 12c C13)', () => {
  it('D21: the whole of 2024 (366 days) accrues 36,500.00, as the whole of 2025 does; the two years 73,000.00', async () => {
    expect(await added('2024-12-31T24:00:00+08:00', '2024-01-01')).toBe('36500.00');
    expect(await added('2025-12-31T24:00:00+08:00', '2025-01-01')).toBe('36500.00');
    expect(await added('2025-12-31T24:00:00+08:00', '2024-01-01')).toBe('73000.00');
  });

  it('D21: part of a leap year is its days × annual fee ÷ 366; across the new year each year’s days at its own rate', async () => {
    // 60 × 36,500 ÷ 366 = 5,983.606…
    expect(await added('2024-03-01T00:00:00+08:00', '2024-01-01')).toBe('5983.61');
    // 31 × 36,500 ÷ 366 + 31 × 100.00 = 3,091.530… + 3,100.00, rounded once
    expect(await added('2025-02-01T00:00:00+08:00', '2024-12-01')).toBe('6191.53');
  });
});

describe('sweep 18c F6 (D21): the year-end instant, 12-31 24:00, shows the whole year’s fees', () => {
  it('D21: left to its default, the fee year is the year the instant ends (as the ledger reads 24:00), not the next one', async () => {
    const v = await valuationOf(t, 'auditor', { asOf: '2025-12-31T24:00:00+08:00', regionCode: REGION });
    expect(v.feesFrom).toBe('2025-01-01');
    expect(v.feesAccrued).toBe(await fees('2025-12-31T24:00:00+08:00', '2025-01-01'));
    expect(fen(v.feesAccrued) - fen(before.get('2025-12-31T24:00:00+08:00' + '2025-01-01')!)).toBe(fen('36500.00'));
    // A millisecond later the new year starts from nothing.
    const next = await valuationOf(t, 'auditor', { asOf: '2026-01-01T00:00:00.001+08:00', regionCode: REGION });
    expect({ feesFrom: next.feesFrom }).toEqual({ feesFrom: '2026-01-01' });
  });
});
