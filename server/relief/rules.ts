// D29 发放到人: pure rules for distribution to households — no I/O, unit-tested.

/** The region and its ancestors, nearest first (统计用区划代码 are hierarchical: 2/4/6/9/12 digits). */
export function regionPath(code12: string): string[] {
  return [...new Set([code12, ...[9, 6, 4, 2].map((n) => code12.slice(0, n).padEnd(12, '0'))])];
}

export interface Standard {
  regionCode: string;
  itemId: string;
  perPerson: number | null;
  perHousehold: number | null;
}

/** The standard that applies at a region for an item: the one set nearest to it (the region itself, else up the tree). */
export function effectiveStandard(standards: readonly Standard[], regionCode: string, itemId: string): Standard | null {
  for (const code of regionPath(regionCode)) {
    const s = standards.find((x) => x.regionCode === code && x.itemId === itemId);
    if (s) return s;
  }
  return null;
}

/** D29: what one household may receive of an item: per household, or per person × household size (rounded up). */
export const allowanceOf = (s: Pick<Standard, 'perPerson' | 'perHousehold'>, householdSize: number) =>
  s.perHousehold ?? Math.ceil((s.perPerson ?? 0) * householdSize - 1e-9);

/**
 * D29: a distribution's line as the household received it — the quantity handed over, positive. The line of its issue
 * (出库单) is the signed stock change at the 安置点 (out is negative); a household does not receive "−2 床棉被".
 */
export const handedOver = <L extends { quantity: number }>(line: L): L => ({ ...line, quantity: -line.quantity });

/** 居民身份证号码: 18 characters (17 digits and a digit or X), or the old 15-digit form. */
export const ID_NUMBER = /^(\d{17}[\dXx]|\d{15})$/;

/** Only what is needed is stored: the first 6 (the issuing region) and the last 4 characters, the rest masked. */
export function maskIdNumber(id: string): string {
  const v = id.toUpperCase();
  return `${v.slice(0, 6)}${'*'.repeat(v.length - 10)}${v.slice(-4)}`;
}

/** A head's name as compared: spaces aside (「王 建国」 is 「王建国」). */
export const headNameOf = (headName: string) => headName.replace(/\s+/g, '');

/**
 * Who a household is within an incident: its (masked) ID number when given — the head's name does not make another
 * household, else a misspelt name would start a fresh allowance (D29) — otherwise its head with the address.
 */
export const householdKey = (headName: string, idNumberMasked: string | null, address: string | null) =>
  idNumberMasked ? `id:${idNumberMasked}` : addressKey(headName, address);

/** The key of a household known by its head and address only (the format distributions have always stored). */
export const addressKey = (headName: string, address: string | null) => `${headNameOf(headName)}|@${(address ?? '').replace(/\s+/g, '')}`;

/** Average persons per family household in China (第七次全国人口普查, 2020: 2.62), for suggested demand. */
export const PERSONS_PER_HOUSEHOLD = 2.62;

/**
 * D28, D29: suggested demand at a 安置点 for its share of the affected people: per person × people, or per household ×
 * households (people / persons per household), rounded up.
 */
export const suggestedQuantity = (s: Pick<Standard, 'perPerson' | 'perHousehold'>, people: number) =>
  s.perHousehold !== null ? Math.ceil(people / PERSONS_PER_HOUSEHOLD - 1e-9) * s.perHousehold : Math.ceil((s.perPerson ?? 0) * people - 1e-9);

/** The affected people shared among 安置点 in proportion to their capacity (equally when none is given); sums to the total. */
export function sharePeople(total: number, capacities: readonly (number | null)[]): number[] {
  if (!capacities.length) return [];
  const weights = capacities.every((c) => c) ? capacities.map((c) => c!) : capacities.map(() => 1);
  const sum = weights.reduce((s, w) => s + w, 0);
  const shares = weights.map((w) => Math.floor((total * w) / sum));
  let left = total - shares.reduce((s, x) => s + x, 0);
  for (let i = 0; left > 0; i = (i + 1) % shares.length, left--) shares[i]++;
  return shares;
}
