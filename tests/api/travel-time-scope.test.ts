import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { JINCHENG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged } from '../support/refusals.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// H1 (sweep 3): a travel time (DESIGN: a store → region entry that overrides the planner's estimate) steers the plans
// made for the region it leads to. An administrator sets one only where both the store and the region lie in their
// scope; a county's administrator had rewritten 晋城's (another province's) entries and a city store's. Refused:
// FORBIDDEN, nothing written, audited. The system-wide administrator sets any (dispatch-rules.test.ts).

const t = useTestApp();
const COUNTY_ADMIN = 'weihui-admin';

const set = (storeId: string, regionCode: string, hours: number, as = COUNTY_ADMIN) =>
  t.gql(
    `mutation($s: ID!, $r: String!, $h: Float!) { setTravelTime(storeId: $s, regionCode: $r, hours: $h) { storeId regionCode hours } }`,
    { s: storeId, r: regionCode, h: hours },
    as,
  );
const entries = async () =>
  (
    await queryRows<{ store_id: string; region_code: string; hours: number }>(
      t.database.db,
      sql`SELECT store_id::text, region_code, hours FROM travel_times ORDER BY 1, 2`,
    )
  ).map((r) => [r.store_id, r.region_code, Number(r.hours)]);

describe('H1 (sweep 3): travel times are set within the administrator’s scope', () => {
  beforeAll(async () => {
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: COUNTY_ADMIN, displayName: '卫辉市管理员', password: TEST_PASSWORD, role: 'ADMIN', regionCode: '410781' } },
        'admin',
      ),
    );
  });

  it('H1: a county administrator sets its own store’s time to its own township', async () => {
    expect(ok(await set(WEIHUI, '410781100000', 1.5)).setTravelTime).toEqual({ storeId: WEIHUI, regionCode: '410781100000', hours: 1.5 });
    expect(await entries()).toContainEqual([WEIHUI, '410781100000', 1.5]);
  });

  it.each([
    ['the city’s store (outside the county) to a township of the county', XINXIANG, '410781100000', '无权访问：该仓库超出您的权限范围'],
    ['its own store to another province’s city (晋城)', WEIHUI, '140500', '无权访问：区划「晋城市」超出您的权限范围'],
    ['its own store to the city above it', WEIHUI, '410700', '无权访问：区划「新乡市」超出您的权限范围'],
    ['another province’s store to its own township', JINCHENG, '410781100000', '无权访问：该仓库超出您的权限范围'],
  ])('H1: %s → FORBIDDEN; nothing written; audited', async (_what, store, region, message) => {
    const before = await entries();
    await expectRefusedUnchanged(t, 'setTravelTime', () => set(store, region, 200), 'FORBIDDEN', message);
    expect(await entries()).toEqual(before);
  });

  it('H1: an entry already set by the system-wide administrator is not changed by the county’s', async () => {
    ok(await set(XINXIANG, '410781100000', 2, 'admin'));
    const before = await entries();
    await expectRefusedUnchanged(t, 'setTravelTime', () => set(XINXIANG, '410781100000', 200), 'FORBIDDEN', '无权访问：该仓库超出您的权限范围');
    expect(await entries()).toEqual(before);
  });
});

describe('a travel time is more than 0 and less than 240 hours (sweep 13a LOW: 0 was refused with "0 到 240")', () => {
  it.each([0, -1, 240])('hours %s → BAD_USER_INPUT at hours, saying what was received; nothing written', async (hours) => {
    const before = await entries();
    const res = await set(WEIHUI, '410781100000', hours, 'admin');
    expect(res.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'hours' },
      message: `路程时间须大于 0 且小于 240 小时（收到 ${hours}）`,
    });
    expect(await entries()).toEqual(before);
  });
});
