import { badInput } from '../errors.ts';

// D1: 统计用区划代码 — 2 province, 2 city, 2 county, 3 township, 3 village digits.
const LEVEL_PREFIX = [
  { level: 'PROVINCE', length: 2 },
  { level: 'CITY', length: 4 },
  { level: 'COUNTY', length: 6 },
  { level: 'TOWNSHIP', length: 9 },
  { level: 'VILLAGE', length: 12 },
] as const;

/** The lengths of the level prefixes, province to village: 2, 4, 6, 9, 12. */
export const PREFIX_LENGTHS: readonly number[] = LEVEL_PREFIX.map((l) => l.length);

/** Every code in a city shares its first digits (4). */
export const CITY_PREFIX_LENGTH = LEVEL_PREFIX[1].length;

export type RegionLevel = (typeof LEVEL_PREFIX)[number]['level'];

/** Accepts the 6-digit 行政区划代码 or the 12-digit code; returns the 12-digit form. */
export function normalizeRegionCode(code: string, field = 'regionCode'): string {
  const c = code.trim();
  if (/^\d{6}$/.test(c)) return `${c}000000`;
  if (/^\d{12}$/.test(c)) return c;
  throw badInput(field, `区划代码格式错误：${code}（应为 6 位或 12 位数字）`, { value: code });
}

/** The prefix every code in the region's subtree starts with (codes are hierarchical). */
export function subtreePrefix(code12: string): string {
  for (const { length } of LEVEL_PREFIX) {
    if (/^0*$/.test(code12.slice(length))) return code12.slice(0, length);
  }
  return code12;
}

/** The level a code denotes by its shape. */
export function levelOfCode(code12: string): RegionLevel {
  const prefix = subtreePrefix(code12);
  return LEVEL_PREFIX.find((l) => l.length === prefix.length)!.level;
}

export const isInSubtree = (code12: string, ancestor12: string) => code12.startsWith(subtreePrefix(ancestor12));
