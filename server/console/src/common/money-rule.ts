import type { FormRule } from 'antd';

// API.md: Money is yuan with at most 2 decimals. The server refuses any other amount (server/money.ts) in these same
// words; checked here too so that a typing slip is told at the field without a refused request (sweep 13c W4).
const WELL_FORMED = /^-?\d+(\.\d{1,2})?$/;
const MAX_INTEGER_DIGITS = 12;

/** A form rule for an optional unit price (元): blank is no price; otherwise ≥ 0 with at most 2 decimals. */
export const unitPriceRule: FormRule = {
  validator: async (_, value: unknown) => {
    const v = typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
    if (v === '') return;
    if (!WELL_FORMED.test(v)) throw new Error(`金额格式错误：${v}（应为最多两位小数的元）`);
    if (v.replace(/^-/, '').split('.')[0].length > MAX_INTEGER_DIGITS) throw new Error(`金额过大：${v}（最多 999999999999.99 元）`);
    if (v.startsWith('-')) throw new Error('单价不能为负');
  },
};
