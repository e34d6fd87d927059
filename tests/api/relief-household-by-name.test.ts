import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, onHandOf, QUILT } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { quiltDistributor, stockedPoint } from '../support/relief.ts';

// D29, API.md: distributeRelief's household is `{ headName size idNumber address }` with idNumber and address optional —
// a household given by its head's name and size only is served, and is its head within the incident. The per-household
// cap is not evaded by leaving fields out: name-only distributions to one head add up; a head the incident registered by
// ID number or address must be given one of them; and a request with an address or ID number counts what its head
// received by name alone.

const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};

describe('D29: a household given by the head’s name and size only', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  let incidentId: string;
  let point: string;

  const distribute = quiltDistributor(t, () => ({ incidentId, point }), 'id household { headName size idNumberMasked address } overrideReason');
  const distributionCount = async () =>
    ok(await t.gql(`query($f: DistributionFilter!) { distributions(filter: $f) { totalCount } }`, { f: { incidentId } }, 'dispatcher')).distributions
      .totalCount as number;

  beforeAll(async () => {
    // 60 棉被 at the point; the standard 1 per person.
    ({ incidentId, point } = await stockedPoint(t, '汲水镇第二小学安置点', 'HHNAME-MB-2031'));
  });

  it('D29: a household with neither ID number nor address is accepted and recorded as given (no masked number, no address)', async () => {
    const res = ok(await distribute({ headName: '张大山', size: 2 }, 1)).distributeRelief;
    expect(res.household).toEqual({ headName: '张大山', size: 2, idNumberMasked: null, address: null });
    expect(await onHandOf(t, point, QUILT)).toBe(59);
  });

  it('D29: name-only distributions to one head add up against the standard — the second beyond it is refused at the quantity', async () => {
    ok(await distribute({ headName: '刘小满', size: 2 }, 1));
    // 「刘 小满」 is 刘小满: 1 of 2 received, 2 more is beyond the standard.
    const beyond = await distribute({ headName: '刘 小满', size: 2 }, 2);
    expect(errorCode(beyond)).toBe('BAD_USER_INPUT');
    expect(ext(beyond)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 2, already: 1, requested: 2 });
    expect(beyond.errors![0].message).toContain('超出救助标准');
    // The size first recorded for the head applies, as for any household.
    expect(ext(await distribute({ headName: '刘小满', size: 4 }, 1))).toMatchObject({ field: 'input.household.size', recordedSize: 2 });
    ok(await distribute({ headName: '刘小满', size: 2 }, 1));
    expect(ext(await distribute({ headName: '刘小满', size: 2 }, 1))).toMatchObject({ field: 'input.lines.0.quantity', allowance: 2, already: 2 });
  });

  it('D29: beyond the point’s stock, a name-only household is refused with INSUFFICIENT_STOCK and nothing changes', async () => {
    const [onHand, count] = [await onHandOf(t, point, QUILT), await distributionCount()];
    const res = await distribute({ headName: '敬老院', size: 50 }, onHand + 1, { overrideReason: '集体户（敬老院，50 位老人）' });
    expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
    expect([await onHandOf(t, point, QUILT), await distributionCount()]).toEqual([onHand, count]);
  });

  it('D29: a head registered by ID number (or by address) in the incident is refused by name alone, at input.household.idNumber, and nothing changes', async () => {
    ok(await distribute({ headName: '王铁柱', size: 3, idNumber: '410781198203031234' }, 3));
    ok(await distribute({ headName: '赵春花', size: 2, address: '汲水镇汲水村三组 4 号' }, 2));
    const [onHand, count] = [await onHandOf(t, point, QUILT), await distributionCount()];
    for (const headName of ['王铁柱', '赵 春花']) {
      const res = await distribute({ headName, size: 3 }, 1);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.household.idNumber');
      expect(res.errors![0].message).toContain('已在本事件中凭身份证号码或住址登记');
      expect(res.errors![0].message).toContain('须填写身份证号码或住址');
    }
    expect([await onHandOf(t, point, QUILT), await distributionCount()]).toEqual([onHand, count]);
    // As for a head and address registered by ID number, the keeper may state why (overrideReason).
    const stated = ok(await distribute({ headName: '王铁柱', size: 3 }, 1, { overrideReason: '身份证遗失，核对户口簿为同一户' })).distributeRelief;
    expect(stated.household).toEqual({ headName: '王铁柱', size: 3, idNumberMasked: null, address: null });
  });

  it('D29: served by name first, the same head with an address or ID number counts what it received — no fresh allowance, the size recorded', async () => {
    ok(await distribute({ headName: '陈秀兰', size: 3 }, 2));
    const withAddress = await distribute({ headName: '陈秀兰', size: 3, address: '汲水镇汲水村五组 7 号' }, 2);
    expect(errorCode(withAddress)).toBe('BAD_USER_INPUT');
    expect(ext(withAddress)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 3, already: 2, requested: 2 });
    const withId = await distribute({ headName: '陈 秀兰', size: 3, idNumber: '410781197507075678' }, 2);
    expect(ext(withId)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 3, already: 2, requested: 2 });
    // The size recorded by name applies to the household given with an address.
    expect(ext(await distribute({ headName: '陈秀兰', size: 6, address: '汲水镇汲水村五组 7 号' }, 1))).toMatchObject({
      field: 'input.household.size',
      recordedSize: 3,
    });
    const rest = ok(await distribute({ headName: '陈秀兰', size: 3, address: '汲水镇汲水村五组 7 号' }, 1)).distributeRelief;
    expect(rest.household).toEqual({ headName: '陈秀兰', size: 3, idNumberMasked: null, address: '汲水镇汲水村五组 7 号' });
    expect(ext(await distribute({ headName: '陈秀兰', size: 3, address: '汲水镇汲水村五组 7 号' }, 1))).toMatchObject({ already: 3 });
  });

  it('D29: one head at once by name alone and with an address — one passes, the others are refused', async () => {
    // 1 of 2 received by name: whichever comes first takes the last one; the others find it taken or the head registered.
    ok(await distribute({ headName: '孙大河', size: 2 }, 1));
    const results = await Promise.all([
      distribute({ headName: '孙大河', size: 2 }, 1),
      distribute({ headName: '孙大河', size: 2, address: '汲水镇汲水村六组 1 号' }, 1),
      distribute({ headName: '孙 大河', size: 2 }, 1),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).every((r) => errorCode(r) === 'BAD_USER_INPUT')).toBe(true);
  });
});
