import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { DOC_FIELDS, expectLedgerConsistent, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok, stocktakeRaw } from '../support/ledger-ops.ts';
import { stockedPoint } from '../support/relief.ts';

// Console sweep M3: a refusal is read by the person at the screen, who sees the form's words, not the API's codes or
// field names. The stocktake's reason list names the reasons as the console's 差异原因 list does (the codes stay in
// extensions.allowed for clients, D11); the over-standard reason is called what the 发放 form calls it (D29); a quota
// names neither storeId nor regionCode (D19).

const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};
/** No ASCII identifier (a code such as STOCKTAKE_LOSS or a field such as overrideReason) in a message. */
const NO_CODES = /^[^A-Za-z]*$/;

describe('console sweep M3: refusals in the form’s words, without codes or field names', () => {
  const t = useTestApp({ resetClock: true });
  afterEach(() => expectLedgerConsistent(t));

  it('D11: a stocktake difference without a reason lists the reasons by name (可选：盘亏、破损…); the codes stay in extensions.allowed', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [
      { itemId: itemId('LIV-004'), quantity: 30, batchNo: 'CSM-PD-1', unitPrice: '10.00', expiryDate: '2031-01-01' },
    ]);
    const batchId = doc.lines[0].batch.id as string;
    const reasons = ok(await t.gql(`{ stockReasons { code name direction usages } }`, {}, 'keeper')).stockReasons as {
      code: string;
      name: string;
      direction: string;
      usages: string[];
    }[];
    const of = (direction: string) => reasons.filter((r) => r.usages.includes('STOCKTAKE') && r.direction === direction);
    for (const [counted, direction] of [
      [29, 'DECREASE'],
      [31, 'INCREASE'],
    ] as const) {
      const res = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: counted }] }, DOC_FIELDS, false);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.counts.0.reason');
      // The names of the reasons the console offers for this direction (in the API's order, whatever stockReasons lists).
      const listed = /^账面 30、实盘 \d+，差异须说明原因（可选：(.+)）$/.exec(res.errors![0].message)?.[1].split('、');
      expect([...(listed ?? [])].sort()).toEqual(
        of(direction)
          .map((r) => r.name)
          .sort(),
      );
      expect(res.errors![0].message).toMatch(NO_CODES);
      expect([...(ext(res).allowed as string[])].sort()).toEqual(
        of(direction)
          .map((r) => r.code)
          .sort(),
      );
    }
    // The finding's text, as the keeper saw it, now without the codes.
    const loss = await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 29 }] }, DOC_FIELDS, false);
    expect(loss.errors![0].message).toBe('账面 30、实盘 29，差异须说明原因（可选：盘亏、破损、霉变、过期、丢失、虫蛀鼠咬）');
  });

  it('D19: a quota for neither a store nor a region (or for both) is refused as 请选择仓库或填写区划代码（二选一）', async () => {
    for (const target of [{}, { storeId: WEIHUI, regionCode: '410781' }]) {
      const res = await t.gql(
        `mutation($input: QuotaInput!) { upsertQuota(input: $input) { id } }`,
        { input: { itemId: itemId('LIV-009'), quantity: 10, ...target } },
        'admin',
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.storeId');
      expect(res.errors![0].message).toBe('请选择仓库或填写区划代码（二选一）');
    }
  });

  describe('D29: 发放 names the form’s 「超标准发放原因」, never overrideReason', () => {
    let incidentId: string;
    let point: string;
    const distribute = (i: Record<string, unknown>) =>
      t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`,
        // Sweep 23b F8: one slip, one distribution of the incident (D29) — each its own 签收凭证号, a replay its first one.
        {
          i: { storeId: point, incidentId, lines: [{ itemId: QUILT, quantity: 1 }], signatureRef: `QS-CSM-${key().slice(0, 8)}`, idempotencyKey: key(), ...i },
        },
        'keeper',
      );
    const refused = async (i: Record<string, unknown>, field: string, message: string) => {
      const res = await distribute(i);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe(field);
      expect(res.errors![0].message).toBe(message);
      expect(res.errors![0].message).not.toContain('overrideReason');
    };

    beforeAll(async () => {
      ({ incidentId, point } = await stockedPoint(t, '唐庄镇第二小学安置点', 'CSM-MB-2031'));
    });

    it('beyond the standard: 确需超标准发放须填写「超标准发放原因」', async () => {
      await refused(
        { household: { headName: '周一', size: 4, address: '唐庄镇唐庄村七组 1 号' }, lines: [{ itemId: QUILT, quantity: 20 }] },
        'input.lines.0.quantity',
        '超出救助标准：「棉被」每户可领 4 床（4 人），已领 0 床，本次 20 床；确需超标准发放须填写「超标准发放原因」' /* sweep 22c F6 */,
      );
    });

    it('a household of more than 10, a changed size and another head name for an ID number: each names 「超标准发放原因」', async () => {
      await refused(
        { household: { headName: '敬老院', size: 11, address: '唐庄镇敬老院二院' }, lines: [{ itemId: QUILT, quantity: 1 }] },
        'input.household.size',
        '家庭人口 11 人，超过 10 人（集体户等）须在「超标准发放原因」中说明',
      );
      const household = { headName: '吴二', size: 3, idNumber: '410781197001010070', address: '唐庄镇唐庄村七组 2 号' };
      ok(await distribute({ household }));
      await refused({ household: { ...household, size: 5 } }, 'input.household.size', '该户已登记 3 人，本次填写 5 人；改变人数须在「超标准发放原因」中说明');
      await refused(
        { household: { ...household, headName: '吴三' } },
        'input.household.headName',
        '该身份证号码在本事件中已登记的户主姓名与本次不同，请核对证件；确需按本次姓名发放须在「超标准发放原因」中说明，仍按同一户计算',
      );
    });
  });
});
