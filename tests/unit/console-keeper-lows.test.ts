import { describe, expect, it } from 'vitest';
import { assertReasonFitsOrder, purposeOfReason } from '../../server/authority/orders.ts';
import { stockReasonSeeds } from '../../seeds/data/reasons.ts';
import { endOfChinaDay, formatMoney, formatNumber } from '../../server/console/src/common/format.ts';
import { linkDestination } from '../../server/console/src/common/useLeaveGuard.ts';
import { defaultReason, reasonFitsPurpose } from '../../server/console/src/keeper/issue-reasons.ts';

// Console sweep lows L1, L9, L12: the pure helpers behind what the keeper's screens show and offer.

const ISSUE_PURPOSES = ['RELIEF', 'DRILL', 'LOAN', 'OTHER'] as const;
const issueReasons = stockReasonSeeds.filter((r) => r.usages.includes('ISSUE'));
const nameOf = (code: string) => issueReasons.find((r) => r.code === code)!.name;
/** A reason as the console receives it: its code and the purpose the API says it states (StockReason.purpose). */
const offeredAs = (code: string) => ({ value: code, purpose: purposeOfReason(code) });
// In the API's order (stockReasons lists by code: 应急处置使用 EMERGENCY_RESPONSE before 救灾发放 RELIEF).
const offered = (purpose: string) =>
  issueReasons
    .map((r) => offeredAs(r.code))
    .sort((a, b) => a.value.localeCompare(b.value))
    .filter((r) => reasonFitsPurpose(r, purpose));

describe('console: numbers and amounts (L12)', () => {
  it('a quantity has thousands separators, negatives keep their sign', () => {
    expect(formatNumber(10000)).toBe('10,000');
    expect(formatNumber(-32700)).toBe('-32,700');
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(null)).toBe('—');
  });

  it('a negative amount is -¥32,700.00, not ¥-32,700.00; the decimal string is kept exact', () => {
    expect(formatMoney('-32700.00')).toBe('-¥32,700.00');
    expect(formatMoney('-0.5')).toBe('-¥0.50');
    expect(formatMoney('32700')).toBe('¥32,700.00');
    expect(formatMoney('1234567890123.45')).toBe('¥1,234,567,890,123.45');
    expect(formatMoney(null)).toBe('—');
  });
});

describe('console: 执行出库 offers the reasons its order allows (L1, D23)', () => {
  it.each(ISSUE_PURPOSES)('a %s order: exactly the reasons the API accepts for it (assertReasonFitsOrder)', (purpose) => {
    for (const reason of issueReasons) {
      let accepted = true;
      try {
        assertReasonFitsOrder({ number: 'CK-2026-000001', purpose }, reason);
      } catch {
        accepted = false;
      }
      expect(reasonFitsPurpose(offeredAs(reason.code), purpose), `${reason.name} for ${purpose}`).toBe(accepted);
    }
  });

  it('a relief order offers 救灾发放, 应急处置使用 and 其他出库 — not 应急演练 or 借用 — and starts on 救灾发放', () => {
    expect(
      offered('RELIEF')
        .map((r) => nameOf(r.value))
        .sort(),
    ).toEqual(['其他出库', '应急处置使用', '救灾发放'].sort());
    expect(defaultReason('RELIEF', offered('RELIEF'))).toBe('RELIEF');
  });

  it('each issue purpose starts on the reason that says it, when offered', () => {
    expect(ISSUE_PURPOSES.map((p) => nameOf(defaultReason(p, offered(p))!))).toEqual(['救灾发放', '应急演练', '借用', '其他出库']);
    // Not yet loaded (or not in this server's list): nothing is chosen for the keeper.
    expect(defaultReason('RELIEF', [])).toBeUndefined();
    // No reason states the purpose and several fit: the keeper chooses.
    const general = [
      { value: 'OTHER_ISSUE', purpose: null },
      { value: 'LOCAL_REASON', purpose: null },
    ];
    expect(defaultReason('OTHER', general)).toBeUndefined();
  });
});

describe('console: leaving a page with typed input (L9)', () => {
  const here = { href: 'http://127.0.0.1:3000/keeper/stocktake' };

  it('a link to another console page is caught, with its query and hash', () => {
    expect(linkDestination({ href: 'http://127.0.0.1:3000/keeper/documents' }, here)).toBe('/keeper/documents');
    expect(linkDestination({ href: '/audit/valuation?asOf=2026-01-01#top' }, here)).toBe('/audit/valuation?asOf=2026-01-01#top');
  });

  it('a link that does not leave the page in this tab is not', () => {
    expect(linkDestination({ href: '/keeper/stocktake' }, here)).toBeNull();
    expect(linkDestination({ href: 'https://example.org/' }, here)).toBeNull();
    expect(linkDestination({ href: '/documents/1', target: '_blank' }, here)).toBeNull();
    expect(linkDestination({ href: '/exports/x.xlsx', download: true }, here)).toBeNull();
    expect(linkDestination({ href: '/keeper/documents' }, here, { button: 0, modified: true })).toBeNull();
    expect(linkDestination({ href: '/keeper/documents' }, here, { button: 1, modified: false })).toBeNull();
  });
});

describe('console: a day as an end is 24:00, that instant included (sweep 18b F2, D21, D22)', () => {
  it('日终 of a day is the next day’s 00:00 in China time, whatever the month or year', () => {
    expect(new Date(endOfChinaDay('2026-12-04')).toISOString()).toBe('2026-12-04T16:00:00.000Z');
    expect(new Date(endOfChinaDay('2026-11-30')).toISOString()).toBe(new Date('2026-12-01T00:00:00+08:00').toISOString());
    expect(new Date(endOfChinaDay('2025-12-31')).toISOString()).toBe(new Date('2026-01-01T00:00:00+08:00').toISOString());
  });
});
