import { describe, expect, it } from 'vitest';
import { amountInWords } from '../../server/paperwork/amount-in-words.ts';

// 大写金额 on printed documents: digits as on a voucher, 整 after 元 or 角, none after 分.

describe('amountInWords (大写金额)', () => {
  it.each([
    ['0', '零元整'],
    ['0.00', '零元整'],
    ['1', '壹元整'],
    ['1.00', '壹元整'],
    ['10', '壹拾元整'],
    ['10.50', '壹拾元伍角整'],
    ['30000.10', '叁万元壹角整'],
    ['0.05', '伍分'],
    ['1004.06', '壹仟零肆元零陆分'],
    ['1001', '壹仟零壹元整'],
    ['100010', '壹拾万零壹拾元整'],
    ['1234567.89', '壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分'],
    ['100000000', '壹亿元整'],
    ['-12.30', '负壹拾贰元叁角整'],
    ['247.00', '贰佰肆拾柒元整'],
  ])('%s → %s', (yuan, words) => {
    expect(amountInWords(yuan)).toBe(words);
  });
});
