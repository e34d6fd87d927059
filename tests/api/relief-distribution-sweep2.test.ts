import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { key, QUILT } from '../support/ledger.ts';
import { ledgerCounts, ok } from '../support/ledger-ops.ts';
import { stockedPoint } from '../support/relief.ts';

// Sweep-2 findings on 发放到人 (D29; D24: no one person moves reserves alone):
// - M2: a distribution was posted without a signature reference. API.md's field is nullable, so the API keeps accepting
//   one without (a client may record it on paper); the console's 发放 form requires it (tests/browser/console.test.ts).
// - M1: the keeper alone gave a 3-person household 60 quilts with a free-text reason, and a "household" of up to 50
//   people needed no reason at all. Now a household of more than 10 needs overrideReason, as a change of size does, and
//   every distribution beyond the standard is told to the command: an alert RELIEF_OVER_STANDARD in the region's scope,
//   naming the point, the document, items, standard, reason and distributor — never the household.
// - L1: an 18-digit ID number's check digit (GB 11643-1999) is not verified, so a typo makes a second household. Kept:
//   a misread digit must not keep a family from relief (relief-distribution-identity.test.ts pins it). Under the same
//   head and address, though, the retyped number is counted as the household served there (sweep 14c MEDIUM-1:
//   relief-household-retyped-id.test.ts).

const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};
const DISTRIBUTION = `id number signatureRef overrideReason household { headName size idNumberMasked }`;
const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind severity message regionCode store { id } item { id } quantity } }`;

describe('D29 (sweep 2): signature reference, household size, and over-standard distributions told to the command', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });
  let incidentId: string;
  let point: string;

  const distribute = (i: Record<string, unknown>, idempotencyKey = key()) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { ${DISTRIBUTION} } }`,
      // Sweep 23b F8: one slip, one distribution of the incident (D29) — each its own 签收凭证号, a replay its first one.
      {
        i: { storeId: point, incidentId, lines: [{ itemId: QUILT, quantity: 1 }], signatureRef: `QS-SW2-${idempotencyKey.slice(0, 8)}`, idempotencyKey, ...i },
      },
      'keeper',
    );
  const distributions = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM distributions`))[0].n);
  /** The audit row of the request made with an idempotency key: its outcome and the message the keeper was told. */
  const audited = (idempotencyKey: string) =>
    queryRows<{ outcome: string; message: string | null }>(
      t.database.db,
      sql`SELECT outcome, message FROM audit_log WHERE operation = 'distributeRelief' AND input->'input'->>'idempotencyKey' = ${idempotencyKey} ORDER BY id`,
    );
  /** A refusal: the code, field and message; nothing posted; its audit row says what the keeper was told. */
  async function expectRefused(input: Record<string, unknown>, field: string, message: string | RegExp) {
    const [counts, before] = [await ledgerCounts(t), await distributions()];
    const k = key();
    const res = await distribute(input, k);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe(field);
    expect(res.errors![0].message).toMatch(message);
    expect(await ledgerCounts(t)).toEqual(counts);
    expect(await distributions()).toBe(before);
    expect(await audited(k)).toEqual([{ outcome: 'BAD_USER_INPUT', message: res.errors![0].message }]);
    return res;
  }
  const alertsOf = async (as: string, r?: string) => ok(await t.gql(ALERTS, { r }, as)).alerts as any[];
  const overStandard = async (as: string) => (await alertsOf(as)).filter((a) => a.kind === 'RELIEF_OVER_STANDARD');

  beforeAll(async () => {
    ({ incidentId, point } = await stockedPoint(t, '唐庄镇中心学校安置点', 'SW2-MB-2031'));
  });

  it('D29 (M2): a signature reference is recorded as given (trimmed); the API accepts a distribution without one, as API.md has the field nullable', async () => {
    const household = { headName: '钱一', size: 5, idNumber: '410781197001010054' };
    const posted = ok(await distribute({ household, signatureRef: '  QS-0014 ' })).distributeRelief;
    expect(posted.signatureRef).toBe('QS-0014');
    const without = ok(await distribute({ household: { ...household, headName: '钱一' }, signatureRef: null })).distributeRelief;
    expect(without.signatureRef).toBeNull();
  });

  it('D29 (M1): a household of more than 10 people is recorded only with overrideReason (集体户), as a change of size is; 10 needs none', async () => {
    const res = await expectRefused(
      { household: { headName: '敬老院', size: 11, address: '唐庄镇敬老院' }, lines: [{ itemId: QUILT, quantity: 11 }] },
      'input.household.size',
      /^家庭人口 11 人，超过 10 人（集体户等）须在「超标准发放原因」中说明$/,
    );
    expect(ext(res).maxWithoutReason).toBe(10);
    // The finding's 20, 30 and 50 as well.
    for (const size of [20, 50]) {
      await expectRefused({ household: { headName: '大户', size, address: '唐庄镇唐庄村' } }, 'input.household.size', `家庭人口 ${size} 人`);
    }
    // Past the largest size at all, the limit is named (sweep 18c F8: 「家庭人口过多」 did not say it).
    await expectRefused(
      { household: { headName: '大户', size: 51, address: '唐庄镇唐庄村' }, overrideReason: '集体户' },
      'input.household.size',
      /家庭人口最多 50 人$/,
    );
    ok(await distribute({ household: { headName: '孙十', size: 10, address: '唐庄镇唐庄村六组 1 号' }, lines: [{ itemId: QUILT, quantity: 10 }] }));

    const home = { headName: '敬老院', size: 11, address: '唐庄镇敬老院' };
    const recorded = ok(
      await distribute({ household: home, lines: [{ itemId: QUILT, quantity: 6 }], overrideReason: '集体户（敬老院，11 位老人）' }),
    ).distributeRelief;
    expect(recorded).toMatchObject({ household: { size: 11 }, overrideReason: '集体户（敬老院，11 位老人）' });
    // Recorded with a reason, the size is the household's: the rest of its allowance needs none.
    ok(await distribute({ household: home, lines: [{ itemId: QUILT, quantity: 5 }] }));
  });

  it('D29, D24 (M1): a distribution beyond the standard is an alert to the region’s command — not another region’s, not naming the household; one within it is not', async () => {
    const household = { headName: '吴大户', size: 3, idNumber: '410781196001010076', address: '唐庄镇唐庄村七组 9 号' };
    // Within the standard (3 of 3), even with a reason given (here for nothing): no alert.
    const within = ok(await distribute({ household, lines: [{ itemId: QUILT, quantity: 3 }], overrideReason: '核对证件' })).distributeRelief;
    expect((await overStandard('dispatcher')).some((a) => a.key.endsWith(within.id))).toBe(false);

    const over = ok(await distribute({ household, lines: [{ itemId: QUILT, quantity: 2 }], overrideReason: '家中有病人' })).distributeRelief;
    const fresh = { headName: '郑大户', size: 3, idNumber: '410781196202020086', address: '唐庄镇唐庄村八组 2 号' };
    const sixty = ok(await distribute({ household: fresh, lines: [{ itemId: QUILT, quantity: 12 }], overrideReason: '家中有病人' })).distributeRelief;

    const forDispatcher = await overStandard('dispatcher');
    const alert = forDispatcher.find((a) => a.key === `RELIEF_OVER_STANDARD:${over.id}`);
    expect(alert).toMatchObject({ severity: 'WARNING', regionCode: '410781100000', store: { id: point }, item: { id: QUILT }, quantity: 2 });
    expect(alert.message).toBe(
      `唐庄镇中心学校安置点 超标准发放 ${over.number}：3 人户，棉被 2 床（此前已领 3 床，标准 3 床）；原因：家中有病人；发放人 卫辉市储备库库管员`,
    );
    const big = forDispatcher.find((a) => a.key === `RELIEF_OVER_STANDARD:${sixty.id}`);
    expect(big.message).toContain(`超标准发放 ${sixty.number}：3 人户，棉被 12 床（标准 3 床）`);
    // D29: personal data only to the roles that need it — no name, number or address in what is announced.
    for (const a of forDispatcher) {
      for (const personal of ['吴大户', '郑大户', '0076', '0086', '410781196', '七组', '八组']) expect(a.message).not.toContain(personal);
    }
    // The command of the region and those above or auditing it see it; the keeper sees their own point's; 晋城 does not.
    for (const as of ['director', 'admin', 'auditor', 'keeper']) {
      expect(
        (await overStandard(as)).map((a) => a.key),
        as,
      ).toEqual(expect.arrayContaining([alert.key, big.key]));
    }
    expect(await overStandard('jincheng')).toEqual([]);
    expect((await alertsOf('dispatcher', '410781105000')).some((a) => a.key === alert.key)).toBe(false); // another township
    expect((await alertsOf('dispatcher', '410781100000')).some((a) => a.key === alert.key)).toBe(true);

    // Announced for 7 days after it was recorded, then no longer listed.
    t.clock.set('2026-07-26T02:00:00Z');
    expect((await overStandard('dispatcher')).some((a) => a.key === alert.key)).toBe(true);
    t.clock.set('2026-07-27T02:00:01Z');
    expect((await overStandard('dispatcher')).some((a) => a.key === alert.key)).toBe(false);
  });
});
