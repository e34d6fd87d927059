import { hasRealBirthDate, ID_NUMBER, idNumber18 } from './relief/rules.ts';

// D29: only a household's masked ID number is stored, and personal data is shown only to roles that need it. Free text
// — a reason, a note, an address, a signature reference — is read by others: an over-standard distribution's reason by
// the command, auditors and the alert webhook, a reversal's reason in its approval, every input in the audit log. A
// full ID number typed there (a keeper explaining a case: 「户主张三身份证4107…」) was stored and shown in clear
// (sweep 12b F2). One place recognises one in text: validate() refuses it in free-text fields (validation.ts), the
// audit log leaves it out — masked ones too — of whatever input and message it keeps (audit/log.ts, sweep 20c F7).

/** The refusal, in words a keeper understands: where the number belongs, and that it is never kept whole. */
export const ID_NUMBER_IN_TEXT = '请勿在此填写身份证号码（受助家庭的身份证号只填在“身份证号”一栏，系统只保存脱敏号码；此处文字审计人员和指挥部都能看到）';

/**
 * The input fields of free text a person writes and others read (in any mutation: one list, applied by validate()).
 * Codes and document numbers (批号, 凭证号, 合同编号) are not among them: a number there is what it says. A 批准文号
 * (approvalRef: of decideApproval, approveDispatchPlan, recordWrittenApproval, scrapStock) is (sweep 20c F6): it is
 * printed on documents, in the journal export's 批准文号 column and in alerts, read by auditors — and a 文号 is written
 * 「新应急调〔2026〕31号」, never a person's 18 digits.
 */
export const FREE_TEXT_FIELDS: ReadonlySet<string> = new Set([
  'overrideReason',
  'signatureRef',
  'headName',
  'address',
  'reason',
  'note',
  'recipient',
  'counterpart',
  'findings',
  'contact',
  'contactName',
  'discrepancyReason',
  'approvalRef',
  // Names are read by everyone in the region: an incident's, a 安置点's, a store's, a company's, a user's (sweep 16a F9).
  'name',
  'displayName',
  'companyName',
]);

// 省级行政区划代码, the first two digits of every mainland ID number (81–83: 港澳台居民居住证).
const PROVINCE = /^(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])/;
// Digits, maybe grouped by single spaces as a long number is often written (「4107 8119 8609 0912 36」), maybe ending in
// X — standing alone: digits inside a code of letters and digits (a receipt numbered QS4107812026…) are that code's.
const DIGIT_RUN = /(?<![A-Za-z\d])\d+(?: \d+)*(?: ?[Xx])?(?![A-Za-z\d])/g;
// An ID number split by a separator into its parts — 区划, birth date, 顺序码 and check (「410781-19820315-1236」, 6-8-4, or
// 6-6-3 for the old 15 digits; sweep 16a F9) — standing alone as above, not the tail of a code (QS-410781-20260720-0001).
// Only at those two places: a code whose digits split elsewhere (41078120260720-0001) is a code, not an ID number.
/** 〇一二…九 written for digits, all of them (「四一〇七八一…」): read apart from Arabic digits beside them (张三4107…). */
const CHINESE_DIGITS: Readonly<Record<string, string>> = { 〇: '0', 零: '0', 一: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
const CHINESE_RUN = /[〇零一二三四五六七八九]{15,18}[Xx]?/g;
const SEPARATED = /(?<![A-Za-z\d][-/._]?)\d{6}([-/._])(?:\d{8}\1\d{3}[\dXx]|\d{6}\1\d{3})(?![A-Za-z\d])/g;
const GROUP = /\d+|[Xx]/g;

/**
 * Whether a number is a mainland ID number as the household's own field reads one (relief/distributions.ts): 18
 * characters (17 digits and a digit or X) or the old 15 digits, with a real birth date — and a province in front and a
 * birth year of 1900–2099, so that a bank card, a timestamp or a quantity list is not taken for one. A phone number (11
 * digits), a document number (RK-2026-000017) or a date has too few digits.
 */
function isIdNumber(digits: string): boolean {
  if (!ID_NUMBER.test(digits) || !PROVINCE.test(digits)) return false;
  const year = Number(idNumber18(digits).slice(6, 10));
  return year >= 1900 && year <= 2099 && hasRealBirthDate(digits);
}

/**
 * Text as a person reads it — full-width digits are digits (NFKC), invisible format
 * characters nothing — with, for each
 * of its characters, where the character it was read from starts and ends in the text as typed.
 */
function asRead(text: string): { read: string; from: number[]; to: number[] } {
  let read = '';
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const ch of text) {
    const shown = /\p{Cf}/u.test(ch) ? '' : ch.normalize('NFKC');
    for (let i = 0; i < shown.length; i++) {
      from.push(at);
      to.push(at + ch.length);
    }
    read += shown;
    at += ch.length;
  }
  return { read, from, to };
}

/**
 * The ID numbers in a text, each [start, end) in the text as typed with its characters: a run of digits standing alone
 * (not part of a longer number: a 19-digit bank card holds no ID number), or a few space-separated groups of one.
 */
function idNumbersIn(text: string): { start: number; end: number; id: string }[] {
  if (!/[\p{N}零一二三四五六七八九]/u.test(text)) return []; // no digit of any form: most text, read no further
  const { read, from, to } = asRead(text);
  const found: { start: number; end: number; id: string }[] = [];
  for (const run of read.matchAll(DIGIT_RUN)) {
    const groups = [...run[0].matchAll(GROUP)].map((g) => ({ start: run.index + g.index, end: run.index + g.index + g[0].length, text: g[0] }));
    for (let i = 0; i < groups.length; i++) {
      // The longest number starting at this group (an 18-digit one written 410781 198609 091236 holds no 15-digit one).
      let longest: { end: number; id: string; last: number } | null = null;
      let id = '';
      for (let j = i; j < groups.length && id.length < 18; j++) {
        id += groups[j].text;
        if (isIdNumber(id)) longest = { end: groups[j].end, id, last: j };
      }
      if (!longest) continue;
      found.push({ start: from[groups[i].start], end: to[longest.end - 1], id: longest.id });
      i = longest.last; // the next number starts after this one
    }
  }
  for (const m of text.matchAll(CHINESE_RUN)) {
    const id = [...m[0]].map((ch) => CHINESE_DIGITS[ch] ?? ch).join('');
    if (isIdNumber(id)) found.push({ start: m.index, end: m.index + m[0].length, id });
  }
  for (const m of read.matchAll(SEPARATED)) {
    const id = m[0].replace(/[-/._]/g, '');
    if (isIdNumber(id)) found.push({ start: from[m.index], end: to[m.index + m[0].length - 1], id });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Whether a text holds a full ID number (D29). */
export const holdsIdNumber = (text: string): boolean => idNumbersIn(text).length > 0;

/** An ID number as maskIdNumber writes one — 区划, stars, the last 4 (410781********1236; 15 digits: 410781*****9123). */
const MASKED_ID_NUMBER = /(?<![A-Za-z\d])\d{6}(?:\*{8}|\*{5})[\dXx]{4}(?![A-Za-z\d])/g;

/**
 * D29 (sweep 20c F7): the text with every ID number in it left out (「***」, as the log writes a household's fields) —
 * whole, or masked as a household's is (it was kept masked before). What the audit log keeps, it keeps so (audit/log.ts): an input's text and a
 * refusal's message alike. The log is read by auditors, who may not read households (distributions refuses them): a
 * refusal naming another household's masked number (「已凭另一身份证号码（410781********0011）登记」, told to the keeper
 * who may see it) would show it to them, and the mask ends in the check digit and narrows the birth date.
 */
export function withoutIdNumbers(text: string): string {
  const whole = idNumbersIn(text).reduceRight((s, f) => `${s.slice(0, f.start)}***${s.slice(f.end)}`, text);
  return whole.replace(MASKED_ID_NUMBER, '***');
}

const MAX_DEPTH = 16;

/**
 * The path of the first free-text field (FREE_TEXT_FIELDS) in an input that holds an ID number, or null: the field a
 * refusal names (validate()).
 */
export function idNumberInFreeText(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (depth > MAX_DEPTH || !value || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') {
      if (FREE_TEXT_FIELDS.has(k) && holdsIdNumber(v)) return [...path, k];
    } else {
      const inner = idNumberInFreeText(v, [...path, k], depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}
