import { DateTime } from 'luxon';

// Pure reserve rules (D6, D10, D19): no I/O, unit-tested.

/**
 * D10: a batch is due for rotation its rotation lead before the end of its storage life: its expiry, or its production
 * date + the storage life where that comes first (a label may promise more than the reserve keeps). The life and lead
 * are those the batch was received under (D31: the batch's own columns, copied from its item when it was made; a later
 * catalog edit re-dates nothing received). The same rule in SQL: rotateBySql (server/reserves/rotation.ts).
 */
export function rotateBy(
  batch: { expiryDate: string | null; productionDate: string | null },
  terms: { storageLifeMonths: number | null; rotationLeadMonths: number },
): string | null {
  const lifeEnd =
    batch.productionDate && terms.storageLifeMonths
      ? DateTime.fromISO(batch.productionDate, { zone: 'utc' }).plus({ months: terms.storageLifeMonths }).toISODate()
      : null;
  const end = [batch.expiryDate, lifeEnd].filter((d): d is string => Boolean(d)).sort()[0];
  return end ? DateTime.fromISO(end, { zone: 'utc' }).minus({ months: terms.rotationLeadMonths }).toISODate() : null;
}

/** Whole days from `today` to `date`; negative when overdue. */
export const daysBetween = (today: string, date: string) =>
  Math.round(DateTime.fromISO(date, { zone: 'utc' }).diff(DateTime.fromISO(today, { zone: 'utc' }), 'days').days);

/** The last day a rotation window reaches: today + withinMonths. */
export const windowEnd = (today: string, withinMonths: number) => DateTime.fromISO(today, { zone: 'utc' }).plus({ months: withinMonths }).toISODate()!;

/** Calendar quarter of a date, e.g. 2027-Q2. */
export function quarterOf(date: string): string {
  const d = DateTime.fromISO(date, { zone: 'utc' });
  return `${d.year}-Q${Math.ceil(d.month / 3)}`;
}

export type AgreementStatus = 'NOT_STARTED' | 'ACTIVE' | 'EXPIRING' | 'EXPIRED' | 'ENDED';

/**
 * D6 agreement status on a date: expiring when it ends within 90 days. D6, D22 (sweep 22b F2): one ended early by
 * endAgreement (`ended`: its endedAt is set; validTo is then its endOn) is ENDED, not EXPIRED, once its endOn has
 * passed — it did not run its term; one voided (endOn the day before validFrom: validTo < validFrom) is ENDED on every
 * day, never NOT_STARTED — it will never start. Until then it reads as any other (it binds through endOn).
 */
export function agreementStatus(validFrom: string, validTo: string, on: string, ended = false): AgreementStatus {
  if (ended && (validTo < validFrom || on > validTo)) return 'ENDED';
  if (on < validFrom) return 'NOT_STARTED';
  if (on > validTo) return 'EXPIRED';
  return daysBetween(on, validTo) <= 90 ? 'EXPIRING' : 'ACTIVE';
}

/**
 * D6, D17: an AGREEMENT line counts for min(committed, last counted), less what call-offs delivered since that count
 * took from the company, until a later check counts its stock again (server/reserves/agreements.ts countedAndDeliveredJoin).
 */
export const effectiveCommitted = (committed: number, lastCounted: number | null | undefined, deliveredSince = 0) =>
  Math.max(0, (lastCounted === null || lastCounted === undefined ? committed : Math.min(committed, lastCounted)) - deliveredSince);

/** D19: the gap below quota (never negative). */
export const gapOf = (quota: number, available: number) => Math.max(0, quota - available);

/** D6: government physical stock should be at least half the reserve requirement. */
export const PHYSICAL_FLOOR = 0.5;
export const physicalShare = (physical: number, quota: number) => (quota > 0 ? Math.min(physical, quota) / quota : 1);
