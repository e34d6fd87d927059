import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, onHandOf, QUILT } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { quiltDistributor, stockedPoint } from '../support/relief.ts';

// D29 (sweep 7b M3): a household given by its head and address is the same household whatever the keyboard made of it —
// full-width digits (as an input method types them), an invisible zero-width character, a trailing 。 — so a look-alike
// gets no fresh allowance: beyond the standard it is refused at the quantity, as the plain spelling is. What is
// recorded is the text as read.

describe('D29: a look-alike head or address is the same household', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  let incidentId: string;
  let point: string;
  const distribute = quiltDistributor(t, () => ({ incidentId, point }), 'id household { headName address }');

  beforeAll(async () => {
    // 60 棉被 at the point; the standard 1 per person.
    ({ incidentId, point } = await stockedPoint(t, '汲水镇第三小学安置点', 'LOOKALIKE-MB-2031'));
  });

  it('sweep 7b M3: full-width digits, a zero-width character or a trailing 。 make no new household — each is refused beyond the standard', async () => {
    const first = ok(await distribute({ headName: '钱八', size: 1, address: '汲水镇汲水村3组12号' }, 1)).distributeRelief;
    expect(first.household).toEqual({ headName: '钱八', address: '汲水镇汲水村3组12号' });
    const held = await onHandOf(t, point, QUILT);
    for (const household of [
      { headName: '钱八', size: 1, address: '汲水镇汲水村３组１２号' },
      { headName: '钱八', size: 1, address: '汲水镇汲水村3组12号。' },
      { headName: '钱八', size: 1, address: '汲水镇\u200b汲水村3组12号' },
      { headName: '钱\u200d八', size: 1, address: '汲水镇汲水村3组12号' },
      { headName: '\ufeff钱八', size: 1, address: '汲水镇汲水村3组12号 。' },
    ]) {
      const res = await distribute(household, 1);
      expect(res.errors?.[0].extensions, JSON.stringify(household)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.quantity', already: 1 });
      expect(res.errors?.[0].message).toContain('超出救助标准');
    }
    expect(await onHandOf(t, point, QUILT)).toBe(held);
  });

  it('D29 (sweep 7b L8): an ID number in full-width digits is the same number — the same household', async () => {
    ok(await distribute({ headName: '周九', size: 1, idNumber: '410781198001011234' }, 1));
    const again = await distribute({ headName: '周九', size: 1, idNumber: '４１０７８１１９８００１０１１２３４' }, 1);
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines.0.quantity', already: 1 });
  });

  it('D29: what is recorded is the text as read — folded, without invisible characters or trailing punctuation', async () => {
    const res = ok(await distribute({ headName: '孙\u200b七', size: 2, address: '汲水镇东街１号。' }, 1)).distributeRelief;
    expect(res.household).toEqual({ headName: '孙七', address: '汲水镇东街1号' });
  });
});
