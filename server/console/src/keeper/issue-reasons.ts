// D23: an issue is booked as what its order approved. The API refuses a reason that says another purpose than the
// order's (assertReasonFitsOrder in server/authority/orders.ts, its PURPOSE_OF_REASON): this mirrors that rule, so the
// 执行出库 form offers only the reasons the order's purpose allows. No field of the API says it (StockReason.usages
// names the kind of document only); keep the two in step.

type IssuePurpose = 'RELIEF' | 'DRILL' | 'LOAN' | 'OTHER';

/** The reasons that say a purpose, and that purpose (server/authority/orders.ts PURPOSE_OF_REASON). */
const PURPOSE_OF_REASON: Readonly<Record<string, string>> = { RELIEF: 'RELIEF', EMERGENCY_RESPONSE: 'RELIEF', DRILL: 'DRILL', LOAN: 'LOAN' };

/**
 * Whether an issue reason fits an order of this purpose: a reason that says a purpose (救灾发放, 应急处置使用, 应急演练,
 * 借用) only that purpose's orders; any other (其他出库, reasons added since) every issue order.
 */
export function reasonFitsPurpose(code: string, purpose: string): boolean {
  const says = PURPOSE_OF_REASON[code];
  return !says || says === purpose;
}

/** The reason an order of each purpose is booked as unless the keeper picks another that fits (seeds/data/reasons.ts). */
const DEFAULT_REASON: Readonly<Record<IssuePurpose, string>> = { RELIEF: 'RELIEF', DRILL: 'DRILL', LOAN: 'LOAN', OTHER: 'OTHER_ISSUE' };

/** The reason preselected for an order of this purpose, when it is one of those offered. */
export function defaultReason(purpose: string, offered: readonly string[]): string | undefined {
  const code = DEFAULT_REASON[purpose as IssuePurpose];
  return code && offered.includes(code) ? code : undefined;
}
