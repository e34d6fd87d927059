import { z } from 'zod';
import { chinaText } from './clock.ts';
import { badInput } from './errors.ts';
import { withFieldWords } from './field-words.ts';
import { ID_NUMBER_IN_TEXT, idNumberInFreeText } from './id-numbers-in-text.ts';
import './zod-messages.ts';

/**
 * Parses input with a zod schema. The first issue becomes BAD_USER_INPUT naming the field path (extensions.field; the
 * message says the field in words, field-words.ts); `issues` lists every one with its field, so that a form shows all
 * its mistakes at once.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, root = 'input'): z.output<S> {
  const blanked = invisibleAsBlank(input);
  const result = schema.safeParse(blanked);
  // root '' for a mutation's own arguments: a field is then named by the argument alone ("reason").
  const fieldOf = (issue: { path: readonly PropertyKey[] }) => [root, ...issue.path.map(String)].filter(Boolean).join('.');
  if (result.success) {
    // D29: no full ID number in free text that others read (a reason, a note, an address): id-numbers-in-text.ts.
    const idAt = idNumberInFreeText(blanked);
    if (!idAt) return result.data;
    const field = fieldOf({ path: idAt });
    throw badInput(field, withFieldWords(field, ID_NUMBER_IN_TEXT), { issues: [{ field, message: ID_NUMBER_IN_TEXT }] });
  }
  const field = fieldOf(result.error.issues[0]);
  throw badInput(field, withFieldWords(field, result.error.issues[0].message), {
    issues: result.error.issues.map((issue) => ({ field: fieldOf(issue), message: issue.message })),
  });
}

// Sweep 21c F1: what counts as blank — the one test of every required text (a 文号, a reason, a name, a contract
// number). Text that displays as nothing is blank: spaces of every kind (Unicode White_Space: no-break, ideographic …),
// the characters Unicode says to show as nothing (Default_Ignorable_Code_Point: zero-width space and joiners, BOM, soft
// hyphen, variation selectors, the Hangul fillers U+3164, U+115F, U+1160, U+FFA0) and the braille blank U+2800. A
// string with visible text keeps them (a zero-width joiner inside an emoji sequence). Bidirectional and other control
// characters are refused at the edge (http/input-guard.ts).
const BLANK = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800\u3164\u115f\u1160\uffa0]*$/u;
const MAX_DEPTH = 32;

/** Does the text display as nothing (empty, or spaces and invisible characters only)? */
export const isBlank = (text: string): boolean => BLANK.test(text);

/**
 * The input with every string that displays as nothing (isBlank) made empty, so that a name of "\u200b\u200b" or
 * "\u3164" is refused where a blank one is ("须填写…", "至少 2 个字"). Spaces alone are left as they are: every
 * schema trims them, and a password says so in its own words (「不能全是空格」). An object or list is copied only when
 * something in it changes: most inputs have no such string and pass through as they came.
 */
export function invisibleAsBlank(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return isBlank(value) && value.trim() !== '' ? '' : value;
  if (depth >= MAX_DEPTH || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v: unknown, i) => {
      const blanked = invisibleAsBlank(v, depth + 1);
      if (blanked !== v) (copy ??= [...value])[i] = blanked;
    });
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // a Date, a Decimal: a scalar, not input fields
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const blanked = invisibleAsBlank(v, depth + 1);
    if (blanked !== v) (copy ??= { ...value })[k] = blanked;
  }
  return copy ?? value;
}

/** Invisible format characters (Unicode Cf: zero-width space and joiners, BOM, soft hyphen) dropped. */
const withoutFormatCharacters = (v: string) => v.replace(/\p{Cf}/gu, '');

/**
 * Text that names something as a person reads it — compatibility forms folded (NFKC: full-width ３ is 3, Ｔ－１ is T-1),
 * invisible format characters (zero-width space and joiners, BOM) dropped, trimmed — so that what looks the same is the
 * same: a batch number (D7, D18), a household's head and address (D29: no fresh allowance for a look-alike), a 安置点's name.
 */
export const readableText = (v: string) => withoutFormatCharacters(v.normalize('NFKC')).trim();

/**
 * A name as it is kept and shown (a store's, sweep 11b B2): what readableText drops, dropped — invisible format
 * characters, surrounding space — and any run of spaces (ideographic, no-break, tabs) one plain space. Its characters'
 * width is kept as typed: a Chinese name's full-width （东区） stays full-width, as the other names in the list are.
 */
export const shownName = (v: string) => withoutFormatCharacters(v).replace(/\s+/gu, ' ').trim();

/**
 * When two names are the same name to a person: as readableText reads them (full-width ３ is 3, （ is (), without spaces
 * and regardless of case — 「卫辉市 救灾物资储备库」 is 「卫辉市救灾物资储备库」. Stores' and 安置点' names alike.
 */
export const nameKey = (v: string) => readableText(v).replace(/\s+/gu, '').toLowerCase();

/**
 * A mutation's own text argument (a reason, a 文号) read as validate() reads input fields: text that displays as
 * nothing is blank (isBlank), surrounding space trimmed, an ID number in free text refused (D29), a refusal naming
 * the argument (`reason`). `required`: the message when blank (else blank is null); `max` characters, `tooLong` its message.
 */
export function textArg(field: string, value: string | null | undefined, rule: { required?: string; max: number; tooLong: string }): string | null {
  const text = rule.required ? z.string().trim().min(1, rule.required).max(rule.max, rule.tooLong) : z.string().trim().max(rule.max, rule.tooLong).nullish();
  const read: string | null | undefined = validate(z.object({ [field]: text }), { [field]: value }, '')[field];
  return read || null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id argument must be a UUID; anything else is BAD_USER_INPUT naming the field. Returned in lower case. */
export function uuidArg(id: string, field: string, what: string): string {
  if (!UUID.test(id)) throw badInput(field, `${what}编号格式错误：${id.slice(0, 64)}`, { value: id.slice(0, 64) });
  return id.toLowerCase();
}

/** An id in validated input: a UUID (any case; the same id in upper case is the same record), lower-cased. */
export const idSchema = z
  .string()
  .regex(UUID, '编号格式错误（应为 UUID）')
  .transform((v) => v.toLowerCase());

/** Drops null fields so that schema defaults apply to fields a client sent as null. */
export const withoutNulls = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]: Exclude<T[K], null> };

/** The index of the first value that repeats an earlier one (-1 for none): a repeated line is refused at itself. */
export function firstRepeat(values: readonly string[]): number {
  const seen = new Set<string>();
  return values.findIndex((v) => {
    if (seen.has(v)) return true;
    seen.add(v);
    return false;
  });
}

/**
 * A period's bounds in order (D22 journal, movements; the journal export): a `to` earlier than `from` selects nothing and
 * is a typing mistake, not "no movements" — BAD_USER_INPUT naming `toField`. Equal bounds are one instant. The one check
 * of GraphQL's filters and the export routes.
 */
export function assertPeriodOrder(from: Date | string | null | undefined, to: Date | string | null | undefined, toField: string): void {
  if (!from || !to || new Date(to).getTime() >= new Date(from).getTime()) return;
  throw badInput(toField, `截止时间 ${chinaText(to, 'yyyy-LL-dd HH:mm:ss')} 早于起始时间 ${chinaText(from, 'yyyy-LL-dd HH:mm:ss')}，请检查期间`, {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
}

// API.md The edge: a search term is a few words, not a document; a long one would make every ILIKE scan costly.
export const SEARCH_MAX_LENGTH = 64;

/**
 * A list's `search` (items, users, stores) as an ILIKE pattern matching it literally inside a text — `%`, `_` and `\\`
 * stand for themselves — or undefined when no word was given. Too long: BAD_USER_INPUT at `field`.
 */
export function searchPattern(search: string | null | undefined, field = 'search'): string | undefined {
  if (search && search.length > SEARCH_MAX_LENGTH) {
    throw badInput(field, `搜索词过长（最多 ${SEARCH_MAX_LENGTH} 个字符）`, { maxLength: SEARCH_MAX_LENGTH, length: search.length });
  }
  const word = search?.trim();
  return word ? `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
}
