import { DateTime } from 'luxon';

/** D12: what comes back after an incident — always, tents used under N months, or never (consumed). */
export type RecoveryRule = { kind: 'ALWAYS' } | { kind: 'WITHIN_MONTHS'; months: number } | { kind: 'NEVER' };

/** The rule of an item from its catalog columns (items.recovery_kind, items.recovery_months). */
export function recoveryRuleOf(kind: unknown, months: unknown): RecoveryRule {
  if (kind === 'WITHIN_MONTHS') return { kind: 'WITHIN_MONTHS', months: Number(months) };
  return { kind: kind === 'ALWAYS' ? 'ALWAYS' : 'NEVER' };
}

/** D12: whether stock that arrived at a 安置点 at `arrivedAt` is to come back at `now`. Pure. */
export function isRecovered(rule: RecoveryRule, arrivedAt: Date, now: Date): boolean {
  if (rule.kind === 'ALWAYS') return true;
  if (rule.kind === 'NEVER') return false;
  const usedMonths = DateTime.fromJSDate(now).diff(DateTime.fromJSDate(arrivedAt), 'months').months;
  return usedMonths < rule.months;
}
