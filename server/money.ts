import { badInput } from './errors.ts';

// API.md: Money is a decimal string in yuan with at most 2 places — exact, never a float.
// Arithmetic happens in fen (1/100 yuan) as bigint.
const MONEY = /^-?\d{1,12}(\.\d{1,2})?$/;

export function parseMoney(value: string, field: string): string {
  const v = value.trim();
  if (!MONEY.test(v)) throw badInput(field, `金额格式错误：${value}（应为最多两位小数的元）`, { value });
  return formatFen(toFen(v));
}

export function toFen(yuan: string): bigint {
  const negative = yuan.startsWith('-');
  const [whole, frac = ''] = (negative ? yuan.slice(1) : yuan).split('.');
  const fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return negative ? -fen : fen;
}

export function formatFen(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const s = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${s}` : s;
}

/** Normalises a numeric value from the database ("12.5", "12.50") to the API form. */
export const formatMoney = (numeric: string | number) => formatFen(toFen(String(numeric)));
