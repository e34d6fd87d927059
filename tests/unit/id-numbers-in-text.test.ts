import { describe, expect, it } from 'vitest';
import { holdsIdNumber, idNumberInFreeText, withoutIdNumbers } from '../../server/id-numbers-in-text.ts';

// D29 (sweep 12b F2): a full ID number in free text is found — as a person reads it — and left out of the audit log
// (sweep 20c F7: masked ones too; it was masked before);
// the other numbers a keeper writes (phones, document numbers, dates, quantities, bank cards, codes) are not taken for one.

describe('D29: ID numbers in free text', () => {
  it('finds an 18- or 15-digit ID number as typed: inside Chinese text, full-width, in groups, with a zero-width space, a lower-case x', () => {
    for (const text of [
      '户主张三身份证410781198609091236，患糖尿病需加发',
      '410781920303127',
      '４１０７８１１９８６０９０９１２３６',
      '证件号 4107 8119 8609 0912 36',
      '4107\u200b81198609091236',
      '身份证：41078119800105123x。',
      '数量 3 410781198609091236',
      '410781198609091236X光片',
      // sweep 16a F9: separators a person types between the groups, and 〇一二… for digits
      '某村410781-19820315-1236',
      '410781/19820315/1236',
      '410781.19820315.123X',
      '四一〇七八一一九八二〇三一五一二三六',
    ]) {
      expect(holdsIdNumber(text), text).toBe(true);
    }
  });

  it('takes no other number for one: a phone, a document number, a date, a region code, a bank card, a timestamp, a code with letters, an impossible date', () => {
    for (const text of [
      '联系 13812345678',
      'RK-2026-000017',
      '2026-07-20',
      '410781100000',
      '6222021234567890123',
      '6222 0212 3456 7890',
      '202607201234567890', // no province 20
      'QS410781202607200001', // a receipt's code
      '100 200 300 400 500',
      '0373 1234567 0373 7654321',
      '410781199013451234', // month 13
      '410781180001011234', // born 1800
      'IMEI 353918051234567',
      'QS-410781-20260720-0001', // a code of letters and digits, its groups separated
      'RK-2026-000017/CK-2026-000018',
      '0373-1234567 0373-7654321',
      '41078120260720-0001', // digits split where an ID number has no part
      '第一批二十三顶，共一百二十床',
    ]) {
      expect(holdsIdNumber(text), text).toBe(false);
    }
  });

  it('leaves each one out of the text (***), whole or masked as a household’s is — the rest of the text as typed (sweep 20c F7)', () => {
    expect(withoutIdNumbers('户主张三身份证410781198609091236，又 ４１０７８１８６０９０９１２３ 旧证')).toBe('户主张三身份证***，又 *** 旧证');
    expect(withoutIdNumbers('证件号 4107 8119 8609 0912 36 号')).toBe('证件号 *** 号');
    expect(withoutIdNumbers('无证件号，电话 13812345678')).toBe('无证件号，电话 13812345678');
    expect(withoutIdNumbers('某村410781-19820315-1236，又四一〇七八一一九八二〇三一五一二三六')).toBe('某村***，又***');
    // D29: a masked number (a refusal naming another household's, or one copied from the screen) is left out too.
    expect(withoutIdNumbers('该户主与住址已凭另一身份证号码（410781********0011）登记领取；旧证 410781*****123X')).toBe(
      '该户主与住址已凭另一身份证号码（***）登记领取；旧证 ***',
    );
    // A code with letters or more digits around the stars is not one.
    expect(withoutIdNumbers('QS410781********1236、4107811********1236')).toBe('QS410781********1236、4107811********1236');
  });

  it('names the first free-text field holding one; other fields (the household’s own idNumber, a batch number) are not read', () => {
    expect(idNumberInFreeText({ household: { headName: '王', idNumber: '410781198609091236' }, batchNo: '410781198609091236' })).toBeNull();
    expect(idNumberInFreeText({ household: { headName: '王', address: '身份证410781198609091236' } })).toEqual(['household', 'address']);
    expect(idNumberInFreeText({ lines: [{ note: 'x' }, { note: '410781920303127' }] })).toEqual(['lines', '1', 'note']);
    // Names are read by everyone in the region (sweep 16a F9): an incident's, a 安置点's.
    expect(idNumberInFreeText({ name: '某户410781198203151236洪涝' })).toEqual(['name']);
    expect(idNumberInFreeText({ destinations: [{ name: '安置点', lines: [] }, { name: '张410781198203151236家' }] })).toEqual(['destinations', '1', 'name']);
  });
});
