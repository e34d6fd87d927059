// D29 发放到人: pure rules for distribution to households — no I/O, unit-tested.
import { createHash } from 'node:crypto';
import type { RecoveryRule } from './recovery-rules.ts';

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
 * D12, D29: what one household may receive of an item for which no relief standard applies. Equipment D12 always
 * recovers (command tents, prefab rooms, large lighting, water purifiers, generator sets) is public equipment for the
 * 安置点, not household relief: without a standard set for it, its standard is 0 — handing it to a household needs an
 * override and a reason, and the command is told (RELIEF_OVER_STANDARD), as for any relief beyond the standard; a region
 * that does hand it out sets a standard. Other items without a standard (consumables, tents D12 recovers only within
 * months of use) stay unlimited: null.
 */
export const allowanceWithoutStandard = (rule: RecoveryRule): number | null => (rule.kind === 'ALWAYS' ? 0 : null);

/**
 * D29: a distribution's line as the household received it — the quantity handed over, positive. The line of its issue
 * (出库单) is the signed stock change at the 安置点 (out is negative); a household does not receive "−2 床棉被".
 */
export const handedOver = <L extends { quantity: number }>(line: L): L => ({ ...line, quantity: -line.quantity });

/** 居民身份证号码: 18 characters (17 digits and a digit or X), or the old 15-digit form. */
export const ID_NUMBER = /^(\d{17}[\dXx]|\d{15})$/;

/** GB 11643-1999 校验码 of the first 17 digits (ISO 7064 MOD 11-2: weights 2^(17−i) mod 11, remainder → 1 0 X 9 … 2). */
export function idCheckDigit(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((s, w, i) => s + w * Number(first17[i]), 0);
  return '10X98765432'[sum % 11];
}

/**
 * D29: the 18-digit form of an ID number (of ID_NUMBER's shape). An old 15-digit number is the same person's number
 * without the century and the check digit (区划 6 + YYMMDD + 顺序码 3; first-generation cards were issued to people
 * born in the 1900s): it gains "19" and its check digit, so both forms mask — and key a household — alike. An 18-digit
 * number is taken as given (its check digit is not verified: a misread digit must not keep a family from relief).
 */
export function idNumber18(id: string): string {
  const v = id.toUpperCase();
  if (v.length !== 15) return v;
  const first17 = `${v.slice(0, 6)}19${v.slice(6)}`;
  return first17 + idCheckDigit(first17);
}

/** D29: the birth date an ID number carries (YYYYMMDD of its 18-digit form) is a day of the calendar — not month 13 or 2 月 30 日. */
export function hasRealBirthDate(id: string): boolean {
  const digits = idNumber18(id).slice(6, 14);
  const [year, month, day] = [digits.slice(0, 4), digits.slice(4, 6), digits.slice(6, 8)].map(Number);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

/**
 * Only what is needed is stored: the first 6 (the issuing region) and the last 4 characters, the rest masked. Masks
 * what it is given, keeping its length: an old 15-digit number keeps 15 characters (410781*****3127), the digits on
 * the card the keeper checks it against (sweep 11a F7).
 */
export function maskIdNumber(id: string): string {
  const v = id.toUpperCase();
  return `${v.slice(0, 6)}${'*'.repeat(v.length - 10)}${v.slice(-4)}`;
}

/**
 * D29: what tells apart two numbers with one mask (a county's families whose numbers end alike differ only in the
 * birth date the mask hides): 3 hex characters of the SHA-256 of the 18-digit form; two families with one mask share a
 * fingerprint by chance 1 in 4,096, and are then taken for one (the safe side). Short, but not short enough to hide the
 * number from whoever reads the table (sweep 7c M1): the mask keeps the check digit, which leaves about 3,500 of a
 * century's birth dates, and the fingerprint about one — the table is personal data (README says so). A keyed
 * fingerprint would need a key kept outside the database for the life of the data; not done.
 */
export const idFingerprint = (id18: string) => createHash('sha256').update(`D29|${id18.toUpperCase()}`).digest('hex').slice(0, 3);

/** A household's ID number as a distribution stores and matches it. */
export interface StoredIdNumber {
  /** As stored and shown: the number as given, masked (maskIdNumber) — 15 characters for an old card. */
  masked: string;
  /**
   * The masks one person's number is stored under, the 18-digit form's first: the form given by an earlier
   * distribution may be the other one (an old card's 15-digit form exists for one born in the 1900s only).
   */
  masks: string[];
  /** Of the 18-digit form (idNumber18): both forms of one number have one fingerprint. */
  fingerprint: string;
}

/**
 * A household's ID number as stored: its mask as given, and — to match the same person's old and new cards as one
 * household (D29) — the masks of both forms and the fingerprint of the 18-digit one.
 */
export function storedIdNumber(id: string): StoredIdNumber {
  const id18 = idNumber18(id);
  const id15 = id18.slice(6, 8) === '19' ? id18.slice(0, 6) + id18.slice(8, 17) : null;
  return { masked: maskIdNumber(id), masks: [maskIdNumber(id18), ...(id15 ? [maskIdNumber(id15)] : [])], fingerprint: idFingerprint(id18) };
}

/**
 * D29: the largest household recorded without a reason. A larger one (集体户, a care home) is registered only with
 * overrideReason, as a change of size is: its size sets its per-person allowances (a family averages 2.62 persons).
 */
export const HOUSEHOLD_SIZE_WITHOUT_REASON = 10;

/**
 * D29 (sweep 12b F4): the one refusal of a household registered at a point whose records the keeper may not read — it
 * says neither what was registered nor what was received there, only what the keeper can do.
 */
export const HOUSEHOLD_REGISTERED_ELSEWHERE =
  '该户已在本事件的其他安置点登记领取，本次填写的户主、人数或数量与登记不符，或已达救助标准；请核对证件，或请指挥部核实；确需发放须填写「超标准发放原因」';

/** A head's name as compared: spaces aside (「王 建国」 is 「王建国」). */
export const headNameOf = (headName: string) => headName.replace(/\s+/g, '');

/**
 * Who a household is within an incident: its ID number (mask and fingerprint) when given — the head's name does not
 * make another household, else a misspelt name would start a fresh allowance (D29) — otherwise its head with the address,
 * and without an address its head alone (D29, API.md: both optional; the key 「姓名|@」).
 */
export const householdKey = (headName: string, id: Pick<StoredIdNumber, 'masks' | 'fingerprint'> | null, address: string | null) =>
  id ? `id:${id.masks[0]}#${id.fingerprint}` : addressKey(headName, address);

/** The key of a household known by its head and address only (the format distributions have always stored); by its head alone with a null address. */
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
