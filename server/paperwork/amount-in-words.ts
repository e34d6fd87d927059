import nzhcn from 'nzh/cn';
import { formatFen, toFen } from '../money.ts';

/**
 * 大写金额 of an exact amount in yuan ("1234.50"), as printed on vouchers: the digits by nzh, and the rule of the
 * 会计基础工作规范 that an amount ending in 元 or 角 is closed with 整 while one with 分 is not.
 */
export function amountInWords(yuan: string): string {
  const [whole, decimals] = formatFen(toFen(yuan)).split('.');
  // Trailing zero decimals dropped ("1.00" → "1", "10.50" → "10.5"): nzh then writes 元 or 角 last.
  const words = nzhcn.toMoney(decimals === '00' ? whole : `${whole}.${decimals.replace(/0$/, '')}`, { outSymbol: false });
  return /[元角]$/.test(words) ? `${words}整` : words;
}
