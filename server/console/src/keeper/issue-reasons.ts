// D23: an issue is booked as what its order approved. The API says which purpose an issue reason states
// (StockReason.purpose: 救灾发放 and 应急处置使用 RELIEF, 应急演练 DRILL, 借用 LOAN; none for 其他出库) and refuses a reason
// stating another purpose than the order's: the 执行出库 form offers only the reasons that fit, the one stating the
// order's purpose chosen to begin with.

/** An issue reason as offered: its code and the purpose it states, if any. */
export interface IssueReason {
  value: string;
  purpose: string | null;
}

/** Whether a reason fits an order of this purpose: it states no purpose, or this one. */
export const reasonFitsPurpose = (reason: IssueReason, purpose: string): boolean => !reason.purpose || reason.purpose === purpose;

/**
 * The reason preselected among those offered for an order: of those stating its purpose, the one coded as the purpose
 * itself (救灾发放 is RELIEF for a RELIEF order, beside 应急处置使用), or the only one; for an order whose purpose no
 * reason states (OTHER), the only reason offered, if one.
 */
export function defaultReason(purpose: string, offered: readonly IssueReason[]): string | undefined {
  const stating = offered.filter((r) => r.purpose === purpose);
  const own = stating.find((r) => r.value === purpose) ?? (stating.length === 1 ? stating[0] : undefined);
  if (own) return own.value;
  return stating.length === 0 && offered.length === 1 ? offered[0].value : undefined;
}
