import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { quiltDistributor, stockedPoint } from '../support/relief.ts';

// D29: a household receives no more than the standard without an override and a reason — whatever size or name a
// request claims. A household is known by its ID number when given (not by the head's name), else by head and address;
// its size is the one recorded in the incident, changed only with a reason. Two numbers with one mask (a county's
// families whose numbers end alike) are told apart by the stored fingerprint.

const ID_ZHAO = '410781199001011234';
const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};

describe('D29: who a household is, and its recorded size, when relief is distributed', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  let incidentId: string;
  let point: string;

  const distribute = quiltDistributor(t, () => ({ incidentId, point }), 'id household { headName size idNumberMasked } overrideReason');

  beforeAll(async () => {
    ({ incidentId, point } = await stockedPoint(t, '汲水镇第一小学安置点', 'HHID-MB-2031'));
  });

  it('D29: a household of 3 receives 3; an unchanged repeat is still refused over the standard', async () => {
    const first = ok(await distribute({ headName: '赵六', size: 3, idNumber: ID_ZHAO }, 3)).distributeRelief;
    expect(first.household).toEqual({ headName: '赵六', size: 3, idNumberMasked: '410781********1234' });
    const again = await distribute({ headName: '赵六', size: 3, idNumber: ID_ZHAO }, 1);
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(ext(again)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 3, already: 3, requested: 1 });
  });

  it('D29: claiming another size is refused at input.household.size, naming the recorded size', async () => {
    for (const size of [6, 2]) {
      const res = await distribute({ headName: '赵六', size, idNumber: ID_ZHAO }, 1);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res)).toMatchObject({ field: 'input.household.size', recordedSize: 3 });
      expect(res.errors![0].message).toContain('该户已登记 3 人');
      expect(res.errors![0].message).toContain('「超标准发放原因」');
    }
  });

  it('D29: the same ID number under another name is refused at input.household.headName; with a reason it counts against the same household', async () => {
    // Spaces, a lower-case x or surrounding blanks do not make another number or name.
    const misspelt = await distribute({ headName: '赵小六', size: 3, idNumber: ` ${ID_ZHAO} ` }, 3);
    expect(errorCode(misspelt)).toBe('BAD_USER_INPUT');
    expect(ext(misspelt).field).toBe('input.household.headName');
    expect(misspelt.errors![0].message).not.toContain('赵六');
    // 「赵 六」 is 赵六: the only refusal left is the standard.
    expect(ext(await distribute({ headName: '赵 六', size: 3, idNumber: ID_ZHAO }, 3)).field).toBe('input.lines.0.quantity');

    // A second household, 孙七 (2 people), served once under a misspelt name with a reason: both count against it.
    const ID_SUN = '41078119850505432x';
    ok(await distribute({ headName: '孙七', size: 2, idNumber: ID_SUN }, 1));
    const corrected = ok(
      await distribute({ headName: '孙琪', size: 2, idNumber: ID_SUN.toUpperCase() }, 1, { overrideReason: '户主姓名登记笔误，核对证件为同一户' }),
    ).distributeRelief;
    expect(corrected.household).toMatchObject({ headName: '孙琪', idNumberMasked: '410781********432X' });
    const more = await distribute({ headName: '孙七', size: 2, idNumber: ID_SUN }, 1);
    expect(ext(more)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 2, already: 2, requested: 1 });
  });

  it('D29: a size change with an override reason is accepted, and from then on the new size counts', async () => {
    const grown = ok(await distribute({ headName: '赵六', size: 4, idNumber: ID_ZHAO }, 1, { overrideReason: '新生儿，核实户口簿增至 4 人' })).distributeRelief;
    expect(grown).toMatchObject({ household: { size: 4 }, overrideReason: '新生儿，核实户口簿增至 4 人' });
    // Now 4 received of 4: the recorded size is 4, so 3 needs a reason and 4 is held to the standard.
    expect(ext(await distribute({ headName: '赵六', size: 3, idNumber: ID_ZHAO }, 1))).toMatchObject({ field: 'input.household.size', recordedSize: 4 });
    expect(ext(await distribute({ headName: '赵六', size: 4, idNumber: ID_ZHAO }, 1))).toMatchObject({
      field: 'input.lines.0.quantity',
      allowance: 4,
      already: 4,
    });
  });

  it('D29: a different ID number is a different household, even under the same name', async () => {
    const other = ok(await distribute({ headName: '赵六', size: 2, idNumber: '410781199202025678' }, 2)).distributeRelief;
    expect(other.household).toMatchObject({ size: 2, idNumberMasked: '410781********5678' });
  });

  it('D29: without an ID number a household is its head and address; once registered by ID number, the number is required', async () => {
    ok(await distribute({ headName: '钱八', size: 2, address: '汲水镇汲水村一组 5 号' }, 2));
    expect(ext(await distribute({ headName: '钱八', size: 5, address: '汲水镇汲水村一组 5 号' }, 1))).toMatchObject({
      field: 'input.household.size',
      recordedSize: 2,
    });
    // A household first served by address and then by ID number stays one household.
    const withId = await distribute({ headName: '钱 八', size: 2, idNumber: '410781197003031111', address: '汲水镇汲水村一组5号' }, 1);
    expect(ext(withId)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 2, already: 2 });

    ok(await distribute({ headName: '李九', size: 1, idNumber: '410781196006062222', address: '汲水镇汲水村二组 8 号' }, 1));
    const withoutId = await distribute({ headName: '李九', size: 1, address: '汲水镇汲水村二组 8 号' }, 1);
    expect(errorCode(withoutId)).toBe('BAD_USER_INPUT');
    expect(ext(withoutId).field).toBe('input.household.idNumber');
  });

  it('D29: two distributions to one household at once — under different names and sizes — cannot both pass', async () => {
    const id = '410781198808083333';
    const results = await Promise.all([
      distribute({ headName: '周十', size: 2, idNumber: id }, 2),
      distribute({ headName: '周拾', size: 5, idNumber: id }, 2),
      distribute({ headName: '周十', size: 2, idNumber: id }, 2),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).every((r) => errorCode(r) === 'BAD_USER_INPUT')).toBe(true);
  });

  it('D29: two families of one county whose ID numbers end alike are two households — each its own allowance, both counted as served', async () => {
    const served = async () =>
      ok(await t.gql(`query($id: ID!) { incident(id: $id) { householdsServed } }`, { id: incidentId }, 'admin')).incident.householdsServed;
    const before = await served();
    // 410781 + another birth date + 1234: masked as ID_ZHAO is (410781********1234), and not 赵六's household.
    const wu = { headName: '吴五', size: 2, idNumber: '410781197505051234' };
    const other = ok(await distribute(wu, 2)).distributeRelief;
    expect(other.household).toEqual({ headName: '吴五', size: 2, idNumberMasked: '410781********1234' });
    expect(await served()).toBe(before + 1);
    // Its own allowance is held: one more is over 吴五's standard (2 of 2), not refused as 赵六's name or size.
    expect(ext(await distribute(wu, 1))).toMatchObject({ field: 'input.lines.0.quantity', allowance: 2, already: 2, requested: 1 });
  });

  it('D29: a distribution recorded before the fingerprint (0025) still counts for every number of its mask, as it did', async () => {
    ok(await distribute({ headName: '郑一', size: 1, idNumber: '410781196101017777' }, 1));
    await queryRows(
      t.database.db,
      sql`UPDATE distributions SET id_number_fingerprint = NULL, household_key = 'id:' || id_number_masked WHERE head_name = '郑一'`,
    );
    const other = await distribute({ headName: '冯二', size: 1, idNumber: '410781197202027777' }, 1);
    expect(errorCode(other)).toBe('BAD_USER_INPUT');
    expect(ext(other).field).toBe('input.household.headName');
  });
});
