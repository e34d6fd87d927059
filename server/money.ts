import { badInput } from './errors.ts';

// API.md: Money is a decimal string in yuan with at most 2 places — exact, never a float.
// Arithmetic happens in fen (1/100 yuan) as bigint.
const MONEY = /^-?\d{1,12}(\.\d{1,2})?$/;

export function parseMoney(value: string, field: string): string {
  const v = value.trim();
  if (!MONEY.test(v)) {
    // A well-formed amount beyond the 12 integer digits is told its limit, not that its format is wrong (sweep 10a F4).
    if (/^-?\d+(\.\d{1,2})?$/.test(v)) throw badInput(field, `金额过大：${value}（最多 999999999999.99 元）`, { value, max: '999999999999.99' });
    throw badInput(field, `金额格式错误：${value}（应为最多两位小数的元）`, { value });
  }
  return formatFen(toFen(v));
}

export function toFen(yuan: string): bigint {
  const negative = yuan.startsWith('-');
  const [whole, frac = ''] = (negative ? yuan.slice(1) : yuan).split('.');
  const fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return negative ? -fen : fen;
}

/** Yuan and fen (non-negative) in the API form. */
const written = (negative: boolean, yuan: bigint | number, fen: bigint | number) => `${negative ? '-' : ''}${yuan}.${fen < 10 ? '0' : ''}${fen}`;

export function formatFen(fen: bigint): string {
  const abs = fen < 0n ? -fen : fen;
  return written(fen < 0n, abs / 100n, abs % 100n);
}

/** The API form itself: yuan with exactly two places, no leading zeros, no negative zero. */
const CANONICAL = /^-?(?:0|[1-9]\d*)\.\d\d$/;

/** Normalises a numeric value from the database ("12.5", "12.50") to the API form; one already in it is returned as is. */
export const formatMoney = (numeric: string | number) =>
  typeof numeric === 'string' && CANONICAL.test(numeric) && numeric !== '-0.00' ? numeric : formatFen(toFen(String(numeric)));

/**
 * quantity × unit price in the API form, exact. A large read values every line (P3: 16,350 stock lines), so the
 * product is computed in fen as a Number when it is a safe integer — then a Number is exact — and as bigint otherwise.
 */
export function moneyTimes(quantity: number, unitPrice: string): string {
  // Below 10^13 yuan, rounding the parsed price × 100 gives the exact fen (the parse's error is far below half a fen).
  const yuan = Number(unitPrice);
  const product = Math.abs(yuan) < 1e13 ? Math.round(yuan * 100) * quantity : NaN;
  if (!(Math.abs(product) <= Number.MAX_SAFE_INTEGER)) return formatFen(toFen(unitPrice) * BigInt(quantity));
  const abs = Math.abs(product);
  const fen = abs % 100;
  return written(product < 0, (abs - fen) / 100, fen);
}
