import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, NOW, useTestApp, type TestApp } from '../support/harness.ts';
import { JINCHENG, key, QUILT, receive, stockAt, TANGZHUANG, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { download, parseCsv } from '../support/paperwork.ts';
import { createIncident } from '../support/relief.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Findings paperwork-relief #1, #2, #3 (the incident part), #6:
// - D25: a 安置点's managers are keepers the caller's region already covers; another region's keeper is refused unnamed.
// - D26, D19, D6: expired (frozen) stock meets no quota — reserveGaps, its export and reserveFloor leave it out.
// - D28, D29: no distribution is dated before the disaster.
// - D29: a distribution's lines give the quantity handed over, positive.

const LIFE_JACKET = itemId('FLD-009'); // 救生衣
const RAINCOAT = itemId('FLD-010'); // 救生圈: the China-date boundary scenario
const POINT_FIELDS = `id name`;
const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};
const message = (res: { errors?: { message: string }[] }) => res.errors?.[0]?.message ?? '';

const openPoint = (t: TestApp, as: string, input: Record<string, unknown>) =>
  t.gql(`mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { ${POINT_FIELDS} } }`, { i: input }, as);

const createUser = async (t: TestApp, input: Record<string, unknown>) =>
  ok(
    await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { password: TEST_PASSWORD, displayName: `测试${String(input.username)}`, ...input } },
      'admin',
    ),
  ).createUser.id as string;

const updateUser = (t: TestApp, as: string, id: string, input: Record<string, unknown>) =>
  t.gql(`mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id displayName } }`, { id, i: input }, as);

const storesOf = async (t: TestApp, as: string) => (ok(await t.gql(`{ me { stores { id } } }`, {}, as)).me.stores as { id: string }[]).map((s) => s.id);

const pointCount = async (t: TestApp) =>
  Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM stores WHERE kind = 'DISTRIBUTION_POINT'`))[0].n);

describe('relief scope and reserve gaps (findings paperwork-relief #1, #2, #3, #6)', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  describe('D25: 安置点 managers are keepers the caller already covers', () => {
    let jinchengIncident: string;
    let xinxiangIncident: string;
    let jinchengKeeper: string;
    let bothKeeper: string;
    const KEEPER = userId('keeper');
    const JINCHENG_POINT = { name: '城区一中安置点', regionCode: '140502', lat: 35.49, lng: 112.85 };
    const XINXIANG_POINT = { regionCode: '410781100000', lat: 35.475, lng: 114.012 };

    beforeAll(async () => {
      jinchengIncident = await createIncident(
        t,
        { name: '晋城测试火灾', type: 'FIRE', regionCode: '140502', location: { lat: 35.49, lng: 112.85 } },
        'jincheng',
      );
      xinxiangIncident = await createIncident(t, { affectedPopulation: 100 });
      jinchengKeeper = await createUser(t, { username: 'jc-keeper', role: 'KEEPER', storeIds: [JINCHENG] });
      bothKeeper = await createUser(t, { username: 'both-keeper', role: 'KEEPER', storeIds: [WEIHUI, JINCHENG] });
    });

    it("D25: another region's dispatcher cannot make our keeper manage its 安置点 — FORBIDDEN at input.managerIds.N (out of its scope, sweep 12b F8), unnamed; an unknown user NOT_FOUND", async () => {
      const before = await pointCount(t);
      const res = await openPoint(t, 'jincheng', { incidentId: jinchengIncident, ...JINCHENG_POINT, managerIds: [KEEPER] });
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(ext(res).field).toBe('input.managerIds.0');
      expect(message(res)).toContain('该用户');
      expect(message(res)).not.toContain('卫辉市储备库库管员');
      expect(await pointCount(t)).toBe(before);
      expect(await storesOf(t, 'keeper')).toEqual([WEIHUI]);
      const unknown = await openPoint(t, 'jincheng', { incidentId: jinchengIncident, ...JINCHENG_POINT, managerIds: [randomUUID()] });
      expect(errorCode(unknown)).toBe('NOT_FOUND');
      expect(ext(unknown).field).toBe('input.managerIds.0');
      expect(await pointCount(t)).toBe(before);
    });

    it("D25: the refusal names the input line (after duplicates) and no other region's user — a dispatcher, or a keeper holding one store beyond", async () => {
      const director = userId('director');
      const asDispatcher = await openPoint(t, 'jincheng', {
        incidentId: jinchengIncident,
        ...JINCHENG_POINT,
        managerIds: [jinchengKeeper, jinchengKeeper, director],
      });
      expect(ext(asDispatcher).field).toBe('input.managerIds.2');
      expect(message(asDispatcher)).toContain('该用户');
      expect(message(asDispatcher)).not.toContain('副局长');
      // Every store the keeper holds must lie in the caller's region: one 晋城 store puts the keeper beyond 新乡's reach.
      const both = await openPoint(t, 'dispatcher', {
        incidentId: xinxiangIncident,
        name: '唐庄镇第一小学安置点',
        ...XINXIANG_POINT,
        managerIds: [KEEPER, bothKeeper],
      });
      expect(errorCode(both)).toBe('FORBIDDEN');
      expect(ext(both).field).toBe('input.managerIds.1');
      expect(message(both)).not.toContain('both-keeper');
      expect(await storesOf(t, 'keeper')).toEqual([WEIHUI]);
    });

    it('D25: keepers the caller covers may manage: a 晋城 point with a 晋城 keeper, a 新乡 point with the 卫辉 keeper; an unscoped administrator covers all', async () => {
      const jc = ok(await openPoint(t, 'jincheng', { incidentId: jinchengIncident, ...JINCHENG_POINT, managerIds: [jinchengKeeper] })).openDistributionPoint;
      // me.stores: the stockpiles kept first, then the 安置点 managed, each by code (a client's stores[0] is its stockpile).
      expect(await storesOf(t, 'jc-keeper')).toEqual([JINCHENG, jc.id]);
      const xx = ok(
        await openPoint(t, 'dispatcher', { incidentId: xinxiangIncident, name: '唐庄镇第一小学安置点', ...XINXIANG_POINT, managerIds: [KEEPER] }),
      ).openDistributionPoint;
      expect(await storesOf(t, 'keeper')).toEqual([WEIHUI, xx.id]);
      const both = ok(
        await openPoint(t, 'admin', { incidentId: xinxiangIncident, name: '唐庄镇中学安置点', ...XINXIANG_POINT, managerIds: [bothKeeper] }),
      ).openDistributionPoint;
      expect(await storesOf(t, 'both-keeper')).toEqual([JINCHENG, WEIHUI, both.id]); // S-140500-01 before S-410781-01, the point last
    });

    it("D24, D25: a regional administrator keeps control of its keepers (a refused point leaves them in reach) and manages no other region's", async () => {
      await createUser(t, { username: 'xx-admin', role: 'ADMIN', regionCode: '410700' });
      const refused = await openPoint(t, 'jincheng', {
        incidentId: jinchengIncident,
        name: '城区二中安置点',
        regionCode: '140502',
        lat: 35.49,
        lng: 112.85,
        managerIds: [KEEPER],
      });
      expect(errorCode(refused)).toBe('FORBIDDEN');
      expect(ok(await updateUser(t, 'xx-admin', KEEPER, { displayName: '卫辉市储备库库管员' })).updateUser.displayName).toBe('卫辉市储备库库管员');
      // updateUser's own store grants stay within the administrator's region, and another region's keeper is not theirs.
      expect(errorCode(await updateUser(t, 'xx-admin', KEEPER, { storeIds: [WEIHUI, JINCHENG] }))).toBe('FORBIDDEN');
      const other = await updateUser(t, 'xx-admin', jinchengKeeper, { displayName: '改名' });
      expect(errorCode(other)).toBe('FORBIDDEN');
      expect(message(other)).toContain('该用户');
      expect(errorCode(await updateUser(t, 'xx-admin', bothKeeper, { active: false }))).toBe('FORBIDDEN');
    });
  });

  describe('D26, D19, D6: expired stock is frozen and meets no quota', () => {
    const LATER = '2026-07-26T02:00:00Z'; // 卫辉's 400 救生衣 expired on 2026-07-25 (China)
    beforeAll(async () => {
      await receive(t, 'admin', WEIHUI, [{ itemId: LIFE_JACKET, quantity: 400, batchNo: 'GAP-JSY-0725', expiryDate: '2026-07-25' }]);
      await receive(t, 'admin', TANGZHUANG, [{ itemId: LIFE_JACKET, quantity: 60, batchNo: 'GAP-JSY-2905', expiryDate: '2029-05-01' }]);
      ok(await t.gql(`mutation { upsertQuota(input: { storeId: "${WEIHUI}", itemId: "${LIFE_JACKET}", quantity: 400 }) { id } }`, {}, 'admin'));
      ok(await t.gql(`mutation { upsertQuota(input: { regionCode: "410781", itemId: "${LIFE_JACKET}", quantity: 400 }) { id } }`, {}, 'admin'));
    });
    const weihuiLine = async () =>
      (
        ok(await t.gql(`{ reserveGaps(regionCode: "410781") { item { id } store { id } quota available physical gap } }`, {}, 'dispatcher'))
          .reserveGaps as any[]
      ).find((g) => g.item.id === LIFE_JACKET && g.store?.id === WEIHUI);

    it('D26, D19: reserveGaps leaves out an expired batch — 400 expired 救生衣 against a quota of 400 is a gap of 400', async () => {
      expect(await weihuiLine()).toMatchObject({ quota: 400, available: 400, physical: 400, gap: 0 });
      t.clock.set(LATER);
      const lines = (await stockAt(t, WEIHUI, LIFE_JACKET)) as any[];
      expect(lines.map((l) => [l.batch.batchNo, l.onHand])).toEqual([['GAP-JSY-0725', 400]]);
      expect(await weihuiLine()).toEqual({ item: { id: LIFE_JACKET }, store: { id: WEIHUI }, quota: 400, available: 0, physical: 0, gap: 400 });
    });

    it('D26, D19: the 储备缺口 CSV export says the same', async () => {
      t.clock.set(LATER);
      const res = await download(t, '/exports/reserve-gaps.csv', 'dispatcher', { regionCode: '410781' });
      expect(res.status).toBe(200);
      const row = parseCsv(res.text).find((r) => r[0] === '卫辉市救灾物资储备库' && r[4] === '救生衣');
      expect(row?.slice(7)).toEqual(['400', '0', '0', '0', '400']);
    });

    it('D26, D6: reserveFloor counts no expired physical stock — 卫辉 holds 60 usable 救生衣 (唐庄) of a 400 region quota', async () => {
      t.clock.set(LATER);
      const floor = ok(
        await t.gql(`{ reserveFloor(regionCode: "410781") { region { code } lines { item { id } quota physical share meetsFloor } } }`, {}, 'dispatcher'),
      ).reserveFloor;
      const line = floor.find((r: any) => r.region.code === '410781000000').lines.find((l: any) => l.item.id === LIFE_JACKET);
      expect(line).toEqual({ item: { id: LIFE_JACKET }, quota: 400, physical: 60, share: 0.15, meetsFloor: false });
    });

    it('D26: "expired" is the China date — a batch expiring 2026-07-20 counts until 23:59:59 on the 20th (China) and not from 00:00 on the 21st', async () => {
      ok(await t.gql(`mutation { upsertQuota(input: { storeId: "${XINXIANG_COUNTY}", itemId: "${RAINCOAT}", quantity: 50 }) { id } }`, {}, 'admin'));
      await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: RAINCOAT, quantity: 50, batchNo: 'GAP-EXP-0720', expiryDate: '2026-07-20' }]);
      const line = async () =>
        (ok(await t.gql(`{ reserveGaps(regionCode: "410721") { item { id } store { id } available gap } }`, {}, 'admin')).reserveGaps as any[]).find(
          (g) => g.item.id === RAINCOAT && g.store?.id === XINXIANG_COUNTY,
        );
      t.clock.set('2026-07-20T15:59:59Z'); // 2026-07-20 23:59:59 in China
      expect(await line()).toMatchObject({ available: 50, gap: 0 });
      t.clock.set('2026-07-20T16:00:00Z'); // 2026-07-21 00:00 in China
      expect(await line()).toMatchObject({ available: 0, gap: 50 });
    });
  });

  describe('D28, D29: distributions after the disaster, lines as handed over', () => {
    let incidentId: string;
    let point: string;
    const distribute = (input: Record<string, unknown>) =>
      t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id distributedAt lines { quantity value item { id } } } }`,
        {
          i: {
            storeId: point,
            incidentId,
            household: { headName: '李七', size: 2, idNumber: '410781199001012222' },
            lines: [{ itemId: QUILT, quantity: 2 }],
            idempotencyKey: key(),
            ...input,
          },
        },
        'keeper',
      );
    const distributionCount = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM distributions`))[0].n);

    beforeAll(async () => {
      // The incident occurred now (2026-07-20 10:00 in China); the 安置点 receives its 棉被 at the same instant.
      await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'DIST-MB-2031', expiryDate: '2031-01-01' }]);
      incidentId = await createIncident(t, { name: '卫辉市暴雨', affectedPopulation: 100 });
      point = ok(
        await openPoint(t, 'dispatcher', {
          incidentId,
          name: '汲水镇第一小学安置点',
          regionCode: '410781100000',
          lat: 35.4,
          lng: 114.06,
          managerIds: [userId('keeper')],
        }),
      ).openDistributionPoint.id;
      const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: point, lines: [{ itemId: QUILT, quantity: 10 }] })).shipTransfer;
      ok(
        await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, lines: shipped.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })) }),
      );
    });

    it("D28, D29: a distribution dated before the incident's occurredAt is refused at input.occurredAt, in China time, and nothing is posted", async () => {
      const before = await distributionCount();
      const early = await distribute({ occurredAt: '2026-07-19T08:00:00+08:00' });
      expect(errorCode(early)).toBe('BAD_USER_INPUT');
      expect(ext(early)).toMatchObject({ field: 'input.occurredAt', incidentOccurredAt: '2026-07-20T10:00:00+08:00' });
      expect(message(early)).toContain('2026-07-19 08:00');
      expect(message(early)).toContain('2026-07-20 10:00');
      expect(message(early)).toContain('北京时间');
      // A UTC instant one second before the disaster is said in China time, to the second.
      const second = await distribute({ occurredAt: '2026-07-20T01:59:59Z' });
      expect(ext(second).field).toBe('input.occurredAt');
      expect(message(second)).toContain('2026-07-20 09:59');
      expect(await distributionCount()).toBe(before);
    });

    it('D28, D29: at the moment of the disaster or later it is accepted', async () => {
      const at = ok(await distribute({ occurredAt: '2026-07-20T10:00:00+08:00' })).distributeRelief;
      expect(new Date(at.distributedAt).toISOString()).toBe(NOW.replace('Z', '.000Z'));
    });

    it("D29: a distribution's lines give the quantity handed over, positive; its 出库单 keeps the signed stock change", async () => {
      const d = ok(
        await distribute({ household: { headName: '李八', size: 1, idNumber: '410781199001013333' }, lines: [{ itemId: QUILT, quantity: 1 }] }),
      ).distributeRelief;
      expect(d.lines.map((l: any) => [l.item.id, l.quantity])).toEqual([[QUILT, 1]]);
      expect(Number(d.lines[0].value)).toBeGreaterThan(0);
      const listed = ok(
        await t.gql(`query($s: ID!) { distributions(filter: { storeId: $s }) { edges { node { id lines { quantity } } } } }`, { s: point }, 'keeper'),
      ).distributions.edges.map((e: any) => e.node);
      // Both were handed out at the same instant (the clock stands still): their order is the ids'.
      expect(listed.map((n: any) => n.lines.map((l: any) => l.quantity)).sort()).toEqual([[1], [2]]);
      const doc = ok(await t.gql(`query($id: ID!) { document(id: $id) { lines { quantity } } }`, { id: d.id }, 'keeper')).document;
      expect(doc.lines.map((l: any) => l.quantity)).toEqual([-1]);
    });
  });
});
