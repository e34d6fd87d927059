import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { HOUSEHOLD_REGISTERED_ELSEWHERE } from '../../server/relief/rules.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { key, onHandOf, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { openPoint, stockedPoint } from '../support/relief.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// D29 (sweep 14c MEDIUM-1): "a household receives no more than the standard without an override and a reason". The
// same ID number under another head's name already needed a reason; the mirror case did not — the same head at the same
// address under ANOTHER ID number (one digit pair changed: a misread, or a deliberate retype) was a fresh household, and
// its standard could be drawn twice with no reason and no alert. Now it is counted as the household already served
// there (what it drew, its size): within the standard it is simply served; beyond it (or under another size) it is
// refused at input.household.idNumber, naming the other number masked, unless overrideReason says why it is another
// family — then served, and the hand-out beyond the standard is told to the command (RELIEF_OVER_STANDARD).

const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};
const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind message quantity } }`;
const FENG = { headName: '冯国强', size: 2, idNumber: '410781197707070031', address: '汲水镇北街' };
const RETYPED = '410781197707070049'; // the finding's: the last digit pair changed

describe('D29 (sweep 14c MEDIUM-1): the same head and address under another ID number is the same household unless a reason says otherwise', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });
  let incidentId: string;
  let point: string;

  const distribute = (household: Record<string, unknown>, quantity: number, extra: Record<string, unknown> = {}, idempotencyKey = key()) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id number overrideReason household { headName size idNumberMasked address } } }`,
      // Sweep 23b F8: one slip, one distribution of the incident (D29) — each its own 签收凭证号, a replay its first one.
      {
        i: {
          storeId: point,
          incidentId,
          household,
          lines: [{ itemId: QUILT, quantity }],
          signatureRef: `QS-RT-${idempotencyKey.slice(0, 8)}`,
          idempotencyKey,
          ...extra,
        },
      },
      'keeper',
    );
  const distributions = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM distributions`))[0].n);
  const overStandard = async () => (ok(await t.gql(ALERTS, { r: '410781' }, 'dispatcher')).alerts as any[]).filter((a) => a.kind === 'RELIEF_OVER_STANDARD');

  /** A refusal at input.household.idNumber naming the other number masked; nothing posted, nothing recorded. */
  async function expectRefused(household: Record<string, unknown>, quantity: number, message: string | RegExp) {
    const [counts, before, stock] = [await ledgerCounts(t), await distributions(), await onHandOf(t, point, QUILT)];
    const res = await distribute(household, quantity);
    expect(errorCode(res), JSON.stringify(household)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.household.idNumber');
    expect(res.errors![0].message).toMatch(message);
    // No personal data beyond the masked number the API shows: not the full numbers, not the address.
    for (const personal of [FENG.idNumber, RETYPED, '19770707', '汲水镇北街']) expect(res.errors![0].message).not.toContain(personal);
    expect(await ledgerCounts(t)).toEqual(counts);
    expect(await distributions()).toBe(before);
    expect(await onHandOf(t, point, QUILT)).toBe(stock);
    return res;
  }

  beforeAll(async () => {
    // 60 棉被 at the point; the standard 1 per person.
    ({ incidentId, point } = await stockedPoint(t, '汲水镇第一小学安置点', 'RETYPED-MB-2031'));
    // The finding's step 1: 冯国强's household of 2 receives its standard, 2 quilts.
    const first = ok(await distribute(FENG, 2)).distributeRelief;
    expect(first.household).toEqual({ headName: '冯国强', size: 2, idNumberMasked: '410781********0031', address: '汲水镇北街' });
  });

  it('D29 (sweep 14c MEDIUM-1): the finding’s repro — the same head and address under a retyped ID number — is refused beyond the standard, naming the other number masked; nothing is written', async () => {
    const res = await expectRefused(
      { ...FENG, idNumber: RETYPED },
      1,
      // Sweep 22c F6: every quantity with its unit, after a space (was 「每户可领 2床…已领 2，本次 1」).
      '该户主与住址已凭另一身份证号码（410781********0031）登记领取，按同一户计算：超出救助标准，「棉被」每户可领 2 床（2 人），已领 2 床，本次 1 床；如确为另一户，请在「超标准发放原因」中说明',
    );
    expect(ext(res)).toMatchObject({ allowance: 2, already: 2, requested: 1, itemId: QUILT, line: 0 });
    // Whatever the keyboard made of the name or the address (nameKey/addressKey: spaces, full-width, a trailing 。), and a
    // number whose changed digits are the masked ones (the same mask, another fingerprint): the same refusal.
    for (const household of [
      { ...FENG, idNumber: RETYPED, headName: '冯 国强', address: '汲水镇 北街。' },
      { ...FENG, idNumber: '410781197808080031' },
      { ...FENG, idNumber: '４１０７８１１９７７０７０７００４９' },
    ])
      await expectRefused(household, 1, '已凭另一身份证号码（410781********0031）登记领取');
    // Another size under the retyped number is the recorded household's size changed: refused as well, though 3 quilts
    // for 3 people would be within a standard of its own.
    const resized = await expectRefused(
      { ...FENG, idNumber: RETYPED, size: 3 },
      1,
      /已凭另一身份证号码（410781\*{8}0031）登记领取，按同一户计算：已登记 2 人，本次填写 3 人；如确为另一户或人数有变/,
    );
    expect(ext(resized)).toMatchObject({ recordedSize: 2 });
  });

  it('D29, D24 (sweep 14c MEDIUM-1): with overrideReason (another family) it is served, the reason recorded, and the command alerted as for any hand-out beyond the standard', async () => {
    const reason = '核对户口簿，系同名另一户';
    const served = ok(await distribute({ ...FENG, idNumber: RETYPED }, 1, { overrideReason: reason })).distributeRelief;
    expect(served).toMatchObject({ overrideReason: reason, household: { headName: '冯国强', size: 2, idNumberMasked: '410781********0049' } });
    const alert = (await overStandard()).find((a) => a.key === `RELIEF_OVER_STANDARD:${served.id}`);
    expect(alert).toMatchObject({ quantity: 1 });
    expect(alert.message).toContain(`超标准发放 ${served.number}：2 人户，棉被 1 床（此前已领 2 床，标准 2 床）；原因：${reason}`);
    for (const personal of ['冯国强', '0031', '0049', '北街']) expect(alert.message).not.toContain(personal);
    // Every further hand-out under either number is counted against the same standard: refused without a reason.
    await expectRefused(FENG, 1, '已凭另一身份证号码（410781********0049）登记领取');
    await expectRefused({ ...FENG, idNumber: RETYPED }, 1, '已凭另一身份证号码（410781********0031）登记领取');
  });

  it('D29 (sweep 14c MEDIUM-1): within the standard — the combined amount not beyond it — a retyped number is simply served', async () => {
    const chu = { headName: '褚建华', size: 3, idNumber: '410781196505050026', address: '汲水镇南街 8 号' };
    ok(await distribute(chu, 1));
    const retyped = ok(await distribute({ ...chu, idNumber: '410781196505050034' }, 2)).distributeRelief;
    expect(retyped).toMatchObject({ overrideReason: null, household: { idNumberMasked: '410781********0034' } });
    expect((await overStandard()).some((a) => a.key.endsWith(retyped.id))).toBe(false);
    // 3 of 3 now, across the two numbers: one more under the first is beyond the standard.
    const res = await expectRefused(chu, 1, '已凭另一身份证号码（410781********0034）登记领取');
    expect(ext(res)).toMatchObject({ allowance: 3, already: 3, requested: 1 });
  });

  it('D29: a genuinely different head at the same address, or the same head at another address or with no address, is its own household — unaffected', async () => {
    // Another head at 冯国强's address, with its own number: its own standard, no reason asked.
    const brother = ok(await distribute({ headName: '冯国华', size: 2, idNumber: '410781198001010057', address: '汲水镇北街' }, 2)).distributeRelief;
    expect(brother).toMatchObject({ overrideReason: null, household: { headName: '冯国华', size: 2 } });
    // 冯国强 at another address, or with no address, under another number: another household (a namesake elsewhere).
    ok(await distribute({ headName: '冯国强', size: 4, idNumber: '410781199009090065', address: '汲水镇西街 3 号' }, 4));
    ok(await distribute({ headName: '冯国强', size: 1, idNumber: '410781199109090073' }, 1));
  });

  it('D29 (sweep 12b F4): at a point whose records the keeper may not read, the retyped number beyond the standard gets the one refusal that names nothing', async () => {
    const pointA = await openPoint(t, incidentId, '汲水测试安置点A');
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: 'rt-point-a', displayName: '用户 rt-point-a', password: TEST_PASSWORD, role: 'KEEPER', storeIds: [pointA] } },
        'admin',
      ),
    );
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'RETYPED-MB-A', expiryDate: '2031-01-01' }]);
    const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: pointA, lines: [{ itemId: QUILT, quantity: 10 }] })).shipTransfer;
    ok(
      await receiveTransferRaw(t, 'rt-point-a', {
        transferId: shipped.id,
        lines: shipped.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })),
      }),
    );
    // Served its standard at the demo keeper's point; then at A, by A's manager, under a retyped number.
    const jiang = { headName: '蒋德明', size: 2, idNumber: '410781197303030018', address: '唐庄镇东街' };
    ok(await distribute(jiang, 2));
    const stockA = await onHandOf(t, pointA, QUILT);
    const res = await t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`,
      {
        i: {
          storeId: pointA,
          incidentId,
          household: { ...jiang, idNumber: '410781197303030026' },
          lines: [{ itemId: QUILT, quantity: 1 }],
          signatureRef: `QS-RT-2-${key().slice(0, 8)}`, // one slip each (sweep 23b F8)
          idempotencyKey: key(),
        },
      },
      'rt-point-a',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]).toMatchObject({ message: HOUSEHOLD_REGISTERED_ELSEWHERE, extensions: { field: 'input.household' } });
    expect(await onHandOf(t, pointA, QUILT)).toBe(stockA);
  });
});
