import { describe, expect, it } from 'vitest';
import {
  agreementStatus,
  daysBetween,
  effectiveCommitted,
  gapOf,
  PHYSICAL_FLOOR,
  physicalShare,
  quarterOf,
  rotateBy,
  windowEnd,
} from '../../server/reserves/rules.ts';

// Pure reserve rules (server/reserves/rules.ts). Today in the tests' world is 2026-07-20.

describe('rotateBy (D10: the end of the storage life − the item rotation lead)', () => {
  /** A batch with only an expiry (no production date) and an item rotated `lead` months ahead. */
  const byExpiry = (expiryDate: string | null, lead: number) =>
    rotateBy({ expiryDate, productionDate: null }, { storageLifeMonths: 72, rotationLeadMonths: lead });

  it('D10: the default 12-month lead puts rotateBy one year before expiry', () => {
    expect(byExpiry('2027-07-20', 12)).toBe('2026-07-20');
    expect(byExpiry('2028-01-05', 12)).toBe('2027-01-05');
  });

  it('D10: the lead is per item — 24, 6, 3 and 0 months', () => {
    expect(byExpiry('2029-01-20', 24)).toBe('2027-01-20');
    expect(byExpiry('2027-03-15', 6)).toBe('2026-09-15');
    expect(byExpiry('2026-12-31', 3)).toBe('2026-09-30');
    expect(byExpiry('2027-02-28', 0)).toBe('2027-02-28');
  });

  it('D10: month arithmetic clamps to the end of a shorter month (31 Aug − 6 months = 28 Feb)', () => {
    expect(byExpiry('2027-08-31', 6)).toBe('2027-02-28');
    expect(byExpiry('2028-08-31', 6)).toBe('2028-02-29'); // leap year
    expect(byExpiry('2027-03-31', 1)).toBe('2027-02-28');
  });

  it('D10: a batch without expiry (equipment without storage life) has no rotateBy', () => {
    expect(byExpiry(null, 12)).toBeNull();
    expect(byExpiry(null, 0)).toBeNull();
  });

  it('D10: a label’s expiry past production date + storage life: rotation follows the storage life', () => {
    const quilt = { storageLifeMonths: 72, rotationLeadMonths: 12 }; // 棉被
    expect(rotateBy({ productionDate: '2026-06-01', expiryDate: '2199-12-31' }, quilt)).toBe('2031-06-01');
    expect(rotateBy({ productionDate: '2026-06-01', expiryDate: '2030-06-01' }, quilt)).toBe('2029-06-01'); // the label first
    expect(rotateBy({ productionDate: '2026-06-01', expiryDate: '2199-12-31' }, { storageLifeMonths: null, rotationLeadMonths: 12 })).toBe('2198-12-31');
  });
});

describe('daysBetween (D10 daysLeft)', () => {
  it('D10: counts whole days forward, 0 on the same day', () => {
    expect(daysBetween('2026-07-20', '2026-07-20')).toBe(0);
    expect(daysBetween('2026-07-20', '2026-07-21')).toBe(1);
    expect(daysBetween('2026-07-20', '2026-09-30')).toBe(72);
    expect(daysBetween('2026-07-20', '2027-07-20')).toBe(365);
    expect(daysBetween('2027-07-20', '2028-07-20')).toBe(366); // over 29 Feb 2028
  });

  it('D10: negative when the date has passed (overdue)', () => {
    expect(daysBetween('2026-07-20', '2026-07-19')).toBe(-1);
    expect(daysBetween('2026-07-20', '2026-01-10')).toBe(-191);
    expect(daysBetween('2026-07-20', '2026-03-15')).toBe(-127);
  });

  it('D10: is not shifted by daylight saving or time zones (dates are UTC calendar days)', () => {
    expect(daysBetween('2026-03-01', '2026-04-01')).toBe(31);
    expect(daysBetween('2026-10-01', '2026-11-01')).toBe(31);
  });
});

describe('windowEnd (D10 rotation window)', () => {
  it('D10: today + withinMonths, today itself for 0', () => {
    expect(windowEnd('2026-07-20', 12)).toBe('2027-07-20');
    expect(windowEnd('2026-07-20', 18)).toBe('2028-01-20');
    expect(windowEnd('2026-07-20', 0)).toBe('2026-07-20');
  });

  it('D10: clamps to the month end (31 Aug + 6 months = 28 Feb)', () => {
    expect(windowEnd('2026-08-31', 6)).toBe('2027-02-28');
  });
});

describe('quarterOf (D10 rotation plan)', () => {
  it.each([
    ['2027-01-01', '2027-Q1'],
    ['2027-03-31', '2027-Q1'],
    ['2027-04-01', '2027-Q2'],
    ['2027-06-30', '2027-Q2'],
    ['2026-07-01', '2026-Q3'],
    ['2026-09-30', '2026-Q3'],
    ['2026-10-01', '2026-Q4'],
    ['2026-12-31', '2026-Q4'],
  ])('D10: %s is in %s', (date, quarter) => {
    expect(quarterOf(date)).toBe(quarter);
  });
});

describe('agreementStatus (D6 agreement validity)', () => {
  const from = '2026-01-01';
  const to = '2026-12-31';

  it('D6: NOT_STARTED before validFrom, ACTIVE from validFrom on', () => {
    expect(agreementStatus(from, to, '2025-12-31')).toBe('NOT_STARTED');
    expect(agreementStatus(from, to, '2026-01-01')).toBe('ACTIVE');
    expect(agreementStatus(from, to, '2026-07-20')).toBe('ACTIVE');
  });

  it('D6: EXPIRING when validTo is at most 90 days away (90 → EXPIRING, 91 → ACTIVE)', () => {
    // 2026-12-31 − 90 days = 2026-10-02
    expect(daysBetween('2026-10-02', to)).toBe(90);
    expect(agreementStatus(from, to, '2026-10-01')).toBe('ACTIVE');
    expect(agreementStatus(from, to, '2026-10-02')).toBe('EXPIRING');
    expect(agreementStatus(from, to, '2026-12-30')).toBe('EXPIRING');
  });

  it('D6: still EXPIRING on validTo itself, EXPIRED the day after', () => {
    expect(agreementStatus(from, to, '2026-12-31')).toBe('EXPIRING');
    expect(agreementStatus(from, to, '2027-01-01')).toBe('EXPIRED');
    expect(agreementStatus(from, to, '2030-06-01')).toBe('EXPIRED');
  });

  it('D6: a short agreement is EXPIRING from its first day; a one-day agreement too', () => {
    expect(agreementStatus('2026-07-01', '2026-08-31', '2026-07-01')).toBe('EXPIRING');
    expect(agreementStatus('2026-07-20', '2026-07-20', '2026-07-20')).toBe('EXPIRING');
    expect(agreementStatus('2026-07-20', '2026-07-20', '2026-07-19')).toBe('NOT_STARTED');
    expect(agreementStatus('2026-07-20', '2026-07-20', '2026-07-21')).toBe('EXPIRED');
  });

  it('D6: relative to today 2026-07-20: validTo 2026-10-18 is 90 days away, 2026-10-19 is 91', () => {
    expect(agreementStatus('2026-01-01', '2026-10-18', '2026-07-20')).toBe('EXPIRING');
    expect(agreementStatus('2026-01-01', '2026-10-19', '2026-07-20')).toBe('ACTIVE');
  });
});

describe('effectiveCommitted (D6: an AGREEMENT line counts for min(committed, last counted))', () => {
  it('D6: without a check the committed quantity counts', () => {
    expect(effectiveCommitted(500, null)).toBe(500);
    expect(effectiveCommitted(500, undefined)).toBe(500);
  });

  it('D6: a check below the commitment lowers it; above it does not raise it', () => {
    expect(effectiveCommitted(3000, 2600)).toBe(2600);
    expect(effectiveCommitted(3000, 3200)).toBe(3000);
    expect(effectiveCommitted(3000, 3000)).toBe(3000);
  });

  it('D6: a check that found nothing makes the line count for 0', () => {
    expect(effectiveCommitted(500, 0)).toBe(0);
  });

  it('D17: call-offs delivered since the last count are taken off, never below 0', () => {
    expect(effectiveCommitted(200, null, 150)).toBe(50);
    expect(effectiveCommitted(200, 120, 100)).toBe(20);
    expect(effectiveCommitted(200, 120, 150)).toBe(0);
  });
});

describe('gapOf (D19: quota − available, never negative)', () => {
  it('D19: the shortfall below quota', () => {
    expect(gapOf(100, 30)).toBe(70);
    expect(gapOf(100, 0)).toBe(100);
  });

  it('D19: no gap at or above quota', () => {
    expect(gapOf(100, 100)).toBe(0);
    expect(gapOf(100, 150)).toBe(0);
  });
});

describe('physicalShare (D6: government physical stock ≥ 50% of the requirement)', () => {
  it('D6: the floor is one half', () => {
    expect(PHYSICAL_FLOOR).toBe(0.5);
  });

  it('D6: physical ÷ quota', () => {
    expect(physicalShare(30, 100)).toBe(0.3);
    expect(physicalShare(50, 100)).toBe(0.5);
    expect(physicalShare(50, 100) >= PHYSICAL_FLOOR).toBe(true);
    expect(physicalShare(49, 100) >= PHYSICAL_FLOOR).toBe(false);
    expect(physicalShare(0, 100)).toBe(0);
  });

  it('D6: stock above the quota caps the share at 1', () => {
    expect(physicalShare(150, 100)).toBe(1);
  });

  it('D6: without a quota there is nothing to fall short of (share 1)', () => {
    expect(physicalShare(0, 0)).toBe(1);
    expect(physicalShare(10, 0)).toBe(1);
  });
});
