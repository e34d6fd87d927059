import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, NOW, useTestApp, type TestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, issue, JINCHENG, QUILT, receive, SANDBAG, TANGZHUANG, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createRegionalAdmin } from '../support/regional-admin.ts';

// D19 quotas (储备定额) and gaps, D6 physical floor, D19 township coverage (6 大类 300 种).
// The tests of this file share one database: each scenario uses its own items or regions.

const COAT = itemId('LIV-005'); // 棉大衣 — the gap scenario
const LIFE_JACKET = itemId('FLD-009'); // 救生衣 — above quota
const TOWEL_QUILT = itemId('LIV-007'); // 毛巾被
const SLEEPING_BAG = itemId('LIV-009'); // 睡袋
const STOVE = itemId('LIV-014'); // 取暖炉
const TARP = itemId('LIV-016'); // 苫布
const BREATHING_APPARATUS = itemId('FIR-001'); // 空气呼吸器 (FIREFIGHTING)
const ENTRUSTED = storeId('S-410721-02'); // 新乡县代储库 (ENTRUSTED)
const AGREEMENT_STORE = storeId('S-410711-02'); // 惠民百货 (AGREEMENT: company stock)
const SUNXINGCUN = storeId('S-410781102-01'); // 卫辉市孙杏村镇 (the ordering scenario)
const TAIGONG = storeId('S-410781101-01'); // 卫辉市太公镇 (the coverage scenario)
const HUIXIAN = storeId('S-410782-01'); // 辉县市 (the floor scenario)
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const QUOTA_FIELDS = `id quantity item { id } store { id } region { code }`;
const upsertRaw = (t: TestApp, as: string, input: Record<string, unknown>) =>
  t.gql(`mutation($input: QuotaInput!) { upsertQuota(input: $input) { ${QUOTA_FIELDS} } }`, { input }, as);
const upsert = async (t: TestApp, input: Record<string, unknown>, as = 'admin') => ok(await upsertRaw(t, as, input)).upsertQuota;

const GAP_FIELDS = `item { id } store { id } region { code } quota available physical agreementCommitted gap`;
const gapsRaw = (t: TestApp, regionCode: string, as = 'admin') =>
  t.gql(`query($r: String!) { reserveGaps(regionCode: $r) { ${GAP_FIELDS} } }`, { r: regionCode }, as);
const gaps = async (t: TestApp, regionCode: string, as = 'admin') => ok(await gapsRaw(t, regionCode, as)).reserveGaps as any[];

/** The gap line of an item for a store quota (store id) or a region quota (12-digit code). */
const lineOf = (lines: any[], item: string, target: string) => lines.find((l) => l.item.id === item && (l.store?.id === target || l.region?.code === target));

const quotaCount = async (t: TestApp) => {
  const [r] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM quotas`);
  return Number(r.n);
};

const check = async (t: TestApp, agreementId: string, checkedOn: string, lines: { itemId: string; countedQuantity: number }[]) =>
  ok(
    await t.gql(
      `mutation($input: AgreementCheckInput!) { recordAgreementCheck(input: $input) { id } }`,
      { input: { agreementId, checkedOn, lines, findings: '抽查' } },
      'admin',
    ),
  );

describe('reserves: quotas, gaps, floor and coverage (D6, D19)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  // A 新乡 regional administrator: quotas are the administrators' (DOMAIN "Who uses it"), each inside its own region.
  beforeAll(() => createRegionalAdmin(t, 'xx-quota-admin', '410700'));

  describe('upsertQuota (D19)', () => {
    it('D19: sets a store quota, and a second upsert replaces it (same quota, new quantity)', async () => {
      const before = await quotaCount(t);
      const a = await upsert(t, { storeId: WEIHUI, itemId: QUILT, quantity: 200 });
      expect(a).toMatchObject({ quantity: 200, item: { id: QUILT }, store: { id: WEIHUI }, region: null });
      const b = await upsert(t, { storeId: WEIHUI, itemId: QUILT, quantity: 300 });
      expect(b).toEqual({ ...a, quantity: 300 });
      expect(await quotaCount(t)).toBe(before + 1);
      const line = lineOf(await gaps(t, '410781'), QUILT, WEIHUI);
      expect(line).toMatchObject({ quota: 300, available: 0, gap: 300 });
    });

    it('D19: sets a region quota for the subtree (6-digit code in, 12-digit region out); a 新乡 administrator may in 新乡', async () => {
      const before = await quotaCount(t);
      const a = await upsert(t, { regionCode: '410781', itemId: SANDBAG, quantity: 5000 }, 'xx-quota-admin');
      expect(a).toMatchObject({ quantity: 5000, item: { id: SANDBAG }, store: null, region: { code: '410781000000' } });
      const b = await upsert(t, { regionCode: '410781000000', itemId: SANDBAG, quantity: 6000 }, 'xx-quota-admin');
      expect(b).toEqual({ ...a, quantity: 6000 });
      // a store quota and a region quota of the same item are separate
      const c = await upsert(t, { storeId: WEIHUI, itemId: SANDBAG, quantity: 800 }, 'xx-quota-admin');
      expect(c.id).not.toBe(a.id);
      expect(await quotaCount(t)).toBe(before + 2);
    });

    describe('refusals change nothing', () => {
      async function expectRefused(as: string, input: Record<string, unknown>, code: string) {
        const before = await quotaCount(t);
        const res = await upsertRaw(t, as, input);
        expect(errorCode(res), JSON.stringify(res.errors)).toBe(code);
        expect(res.data).toBeNull();
        expect(await quotaCount(t)).toBe(before);
        return res;
      }

      it('D19: both storeId and regionCode, or neither → BAD_USER_INPUT', async () => {
        await expectRefused('admin', { storeId: WEIHUI, regionCode: '410781', itemId: TARP, quantity: 10 }, 'BAD_USER_INPUT');
        await expectRefused('admin', { itemId: TARP, quantity: 10 }, 'BAD_USER_INPUT');
      });

      it.each([0, -10])('D19: quantity %i → BAD_USER_INPUT', async (quantity) => {
        const res = await expectRefused('admin', { storeId: WEIHUI, itemId: TARP, quantity }, 'BAD_USER_INPUT');
        expect(res.errors![0].extensions.field).toBe('input.quantity');
      });

      it('D19: an upsert to 0 does not change an existing quota', async () => {
        await upsert(t, { storeId: WEIHUI, itemId: TARP, quantity: 15 });
        await expectRefused('admin', { storeId: WEIHUI, itemId: TARP, quantity: 0 }, 'BAD_USER_INPUT');
        expect(lineOf(await gaps(t, '410781'), TARP, WEIHUI).quota).toBe(15);
      });

      it('D19: unknown item, store or region → NOT_FOUND; a malformed region code → BAD_USER_INPUT', async () => {
        await expectRefused('admin', { storeId: WEIHUI, itemId: UNKNOWN, quantity: 10 }, 'NOT_FOUND');
        await expectRefused('admin', { storeId: UNKNOWN, itemId: TARP, quantity: 10 }, 'NOT_FOUND');
        await expectRefused('admin', { regionCode: '419999', itemId: TARP, quantity: 10 }, 'NOT_FOUND');
        await expectRefused('admin', { regionCode: '4107', itemId: TARP, quantity: 10 }, 'BAD_USER_INPUT');
      });

      it("D19: a keeper, an auditor, and a dispatcher even in its own region (quotas are the administrators') → FORBIDDEN", async () => {
        await expectRefused('keeper', { storeId: WEIHUI, itemId: TARP, quantity: 10 }, 'FORBIDDEN');
        await expectRefused('auditor', { regionCode: '410700', itemId: TARP, quantity: 10 }, 'FORBIDDEN');
        await expectRefused('dispatcher', { storeId: WEIHUI, itemId: TARP, quantity: 10 }, 'FORBIDDEN');
        await expectRefused('director', { regionCode: '410781', itemId: TARP, quantity: 10 }, 'FORBIDDEN');
      });

      it('D19: a 新乡 administrator outside 新乡 (a 晋城 store, the 晋城 region, the whole province) → FORBIDDEN', async () => {
        await expectRefused('xx-quota-admin', { storeId: JINCHENG, itemId: TARP, quantity: 10 }, 'FORBIDDEN');
        await expectRefused('xx-quota-admin', { regionCode: '140500', itemId: TARP, quantity: 10 }, 'FORBIDDEN');
        await expectRefused('xx-quota-admin', { regionCode: '410000', itemId: TARP, quantity: 10 }, 'FORBIDDEN');
      });
    });
  });

  describe('reserveGaps (D19, D6)', () => {
    beforeAll(async () => {
      await upsert(t, { storeId: WEIHUI, itemId: COAT, quantity: 100 });
      await upsert(t, { regionCode: '410781', itemId: COAT, quantity: 200 });
      await upsert(t, { regionCode: '410700', itemId: COAT, quantity: 1000 });
      await receive(t, 'admin', WEIHUI, [{ itemId: COAT, quantity: 30, batchNo: 'GAP-WH' }]);
      await receive(t, 'admin', TANGZHUANG, [{ itemId: COAT, quantity: 50, batchNo: 'GAP-TZ' }]);
      await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: COAT, quantity: 40, batchNo: 'GAP-XX' }]);
      await receive(t, 'admin', ENTRUSTED, [{ itemId: COAT, quantity: 60, batchNo: 'GAP-EN' }]); // government stock in a company store
      await receive(t, 'admin', AGREEMENT_STORE, [{ itemId: COAT, quantity: 500, batchNo: 'GAP-AG' }]); // the company's own stock
      await receive(t, 'admin', JINCHENG, [{ itemId: COAT, quantity: 70, batchNo: 'GAP-JC' }]); // outside 新乡
    });

    it('D19: a store quota counts available own stock at that store only', async () => {
      expect(lineOf(await gaps(t, '410781'), COAT, WEIHUI)).toEqual({
        item: { id: COAT },
        store: { id: WEIHUI },
        region: null,
        quota: 100,
        available: 30,
        physical: 30,
        agreementCommitted: 0,
        gap: 70,
      });
    });

    it('D19: a region quota counts own stock in the whole subtree (county store + township store)', async () => {
      expect(lineOf(await gaps(t, '410781'), COAT, '410781000000')).toMatchObject({ store: null, quota: 200, available: 80, physical: 80, gap: 120 });
    });

    it('D6, D19: a city quota counts entrusted stock as own but not the agreement store’s company stock, nor stock outside the city', async () => {
      // 30 + 50 + 40 (physical) + 60 (entrusted); not the 500 at the agreement store, not the 70 in 晋城
      expect(lineOf(await gaps(t, '410700'), COAT, '410700000000')).toMatchObject({ quota: 1000, available: 180, physical: 120, gap: 820 });
    });

    it('D19: only quotas of the queried subtree are listed (the city quota is not a 卫辉市 gap)', async () => {
      const lines = await gaps(t, '410781');
      expect(lineOf(lines, COAT, '410700000000')).toBeUndefined();
      expect(lines.every((l) => (l.region?.code ?? '410781').startsWith('410781'))).toBe(true);
    });

    it('D19: reserved stock is not available', async () => {
      // No API reserves stock yet (dispatch will): reserve 10 of GAP-WH directly, and release it afterwards.
      const reserve = (n: number) =>
        t.database.db.execute(
          sql`UPDATE balances SET reserved = ${n} WHERE store_id = ${WEIHUI}::uuid AND batch_id = (SELECT id FROM batches WHERE batch_no = 'GAP-WH')`,
        );
      await reserve(10);
      try {
        expect(lineOf(await gaps(t, '410781'), COAT, WEIHUI)).toMatchObject({ available: 20, physical: 20, gap: 80 });
        expect(lineOf(await gaps(t, '410781'), COAT, '410781000000')).toMatchObject({ available: 70, gap: 130 });
        expect(lineOf(await gaps(t, '410700'), COAT, '410700000000')).toMatchObject({ available: 170, physical: 110, gap: 830 });
      } finally {
        await reserve(0);
      }
      expect(lineOf(await gaps(t, '410781'), COAT, WEIHUI)).toMatchObject({ available: 30, gap: 70 });
    });

    it('D19: stock above quota gives gap 0, never negative', async () => {
      await upsert(t, { storeId: WEIHUI, itemId: LIFE_JACKET, quantity: 10 });
      await receive(t, 'admin', WEIHUI, [{ itemId: LIFE_JACKET, quantity: 25, batchNo: 'GAP-LJ' }]);
      expect(lineOf(await gaps(t, '410781'), LIFE_JACKET, WEIHUI)).toMatchObject({ quota: 10, available: 25, gap: 0 });
    });

    it('D6, D19: agreement-committed quantity is shown apart — active AGREEMENT lines of the quota region only; the gap ignores it', async () => {
      const common = { companyName: '新乡市惠民百货配送有限公司', validFrom: '2026-01-01', validTo: '2026-12-31' };
      const city = await createAgreement(t, {
        ...common,
        mode: 'AGREEMENT',
        regionCode: '410700',
        storeId: AGREEMENT_STORE,
        lines: [{ itemId: COAT, quantity: 300, unitPrice: '185.00', responseHours: 12 }],
      });
      await createAgreement(t, {
        ...common,
        mode: 'AGREEMENT',
        regionCode: '410781',
        companyName: '卫辉市被服厂',
        lines: [{ itemId: COAT, quantity: 40, unitPrice: '185.00', responseHours: 4 }],
      });
      // none of these count: expired, not yet started, capacity, entrusted (that stock is in the ledger already)
      await createAgreement(t, {
        ...common,
        mode: 'AGREEMENT',
        regionCode: '410700',
        validFrom: '2025-01-01',
        validTo: '2026-06-30',
        contractNo: 'XY-2025-COAT', // contracts of their own beside the city's (sweep 18a F7: one without a number overlapping it is refused)
        lines: [{ itemId: COAT, quantity: 999, unitPrice: '185.00', responseHours: 8 }],
      });
      await createAgreement(t, {
        ...common,
        mode: 'AGREEMENT',
        regionCode: '410700',
        validFrom: '2026-09-01',
        validTo: '2027-08-31',
        contractNo: 'XY-2026-COAT-NEXT',
        lines: [{ itemId: COAT, quantity: 888, unitPrice: '185.00', responseHours: 8 }],
      });
      await createAgreement(t, {
        ...common,
        mode: 'CAPACITY',
        regionCode: '410700',
        companyName: '新乡市服装厂',
        lines: [{ itemId: COAT, dailyCapacity: 100, leadDays: 3, unitPrice: '185.00' }],
      });
      await createAgreement(t, {
        ...common,
        mode: 'ENTRUSTED',
        regionCode: '410721',
        storeId: ENTRUSTED,
        companyName: '新乡县中原物流仓储有限公司',
        lines: [{ itemId: COAT, quantity: 60 }],
      });

      const county = await gaps(t, '410781');
      expect(lineOf(county, COAT, WEIHUI)).toMatchObject({ available: 30, agreementCommitted: 40, gap: 70 }); // the store's own county
      expect(lineOf(county, COAT, '410781000000')).toMatchObject({ available: 80, agreementCommitted: 40, gap: 120 });
      const cityGaps = await gaps(t, '410700');
      expect(lineOf(cityGaps, COAT, '410700000000')).toMatchObject({ available: 180, agreementCommitted: 340, gap: 820 });
      // a store quota counts the agreements of the store's own region (卫辉市), not the city's, whatever region is asked
      expect(lineOf(cityGaps, COAT, WEIHUI)).toMatchObject({ available: 30, agreementCommitted: 40, gap: 70 });

      // D6: after a spot check the line counts for min(committed, last counted) …
      await check(t, city, '2026-07-01', [{ itemId: COAT, countedQuantity: 120 }]);
      expect(lineOf(await gaps(t, '410700'), COAT, '410700000000')).toMatchObject({ agreementCommitted: 160, gap: 820 });
      // … until a later check; a count above the commitment does not raise it
      await check(t, city, '2026-07-15', [{ itemId: COAT, countedQuantity: 400 }]);
      expect(lineOf(await gaps(t, '410700'), COAT, '410700000000')).toMatchObject({ agreementCommitted: 340, gap: 820 });
      // an earlier-dated check recorded afterwards does not replace the later one
      t.clock.advance(1);
      try {
        await check(t, city, '2026-07-10', [{ itemId: COAT, countedQuantity: 5 }]);
      } finally {
        t.clock.set(NOW);
      }
      expect(lineOf(await gaps(t, '410700'), COAT, '410700000000')).toMatchObject({ agreementCommitted: 340 });
    });

    it('D19: worst first (largest share of the quota missing), stock above quota last', async () => {
      // 孙杏村镇: stove 40 short of 40, sleeping bags 25 of 50, tarps 10 of 100, towel quilts above quota
      await upsert(t, { storeId: SUNXINGCUN, itemId: TARP, quantity: 100 });
      await upsert(t, { storeId: SUNXINGCUN, itemId: STOVE, quantity: 40 });
      await upsert(t, { storeId: SUNXINGCUN, itemId: SLEEPING_BAG, quantity: 50 });
      await upsert(t, { storeId: SUNXINGCUN, itemId: TOWEL_QUILT, quantity: 20 });
      await receive(t, 'admin', SUNXINGCUN, [
        { itemId: TARP, quantity: 90 },
        { itemId: SLEEPING_BAG, quantity: 25 },
        { itemId: TOWEL_QUILT, quantity: 40 },
      ]);
      const lines = await gaps(t, '410781102000');
      expect(lines.map((l) => [l.item.id, l.quota, l.available, l.gap])).toEqual([
        [STOVE, 40, 0, 40],
        [SLEEPING_BAG, 50, 25, 25],
        [TARP, 100, 90, 10],
        [TOWEL_QUILT, 20, 40, 0],
      ]);
      expect(lines.every((l) => l.store.id === SUNXINGCUN)).toBe(true);
    });

    it('D19: the whole 卫辉市 list is sorted worst first too', async () => {
      const lines = await gaps(t, '410781');
      const shares = lines.map((l) => l.gap / l.quota);
      expect(shares).toEqual([...shares].sort((a, b) => b - a));
      expect(lines.length).toBeGreaterThanOrEqual(9);
    });

    it('D19: an auditor reads gaps of its region; a keeper or a dispatcher outside → FORBIDDEN; unknown region → NOT_FOUND', async () => {
      expect(lineOf(await gaps(t, '410781', 'auditor'), COAT, WEIHUI)).toMatchObject({ quota: 100, gap: 70 });
      expect(errorCode(await gapsRaw(t, '410781', 'keeper'))).toBe('FORBIDDEN');
      expect(errorCode(await gapsRaw(t, '140500', 'dispatcher'))).toBe('FORBIDDEN');
      expect(errorCode(await gapsRaw(t, '419999', 'admin'))).toBe('NOT_FOUND');
    });
  });

  describe('reserveFloor (D6: government physical stock ≥ 50% of the quota)', () => {
    const FLOOR = `query($r: String!) { reserveFloor(regionCode: $r) { region { code } share meetsFloor lines { item { id } quota physical share meetsFloor } } }`;
    const floor = async (r: string, as = 'admin') => ok(await t.gql(FLOOR, { r }, as)).reserveFloor as any[];

    it('D6: share = physical ÷ quota; entrusted stock is not physical', async () => {
      await upsert(t, { regionCode: '410721', itemId: QUILT, quantity: 100 });
      await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: QUILT, quantity: 30, batchNo: 'FLOOR-PH' }]);
      await receive(t, 'admin', ENTRUSTED, [{ itemId: QUILT, quantity: 40, batchNo: 'FLOOR-EN' }]);
      expect(await floor('410721')).toEqual([
        {
          region: { code: '410721000000' },
          share: 0.3,
          meetsFloor: false,
          lines: [{ item: { id: QUILT }, quota: 100, physical: 30, share: 0.3, meetsFloor: false }],
        },
      ]);
      // the gap counts the entrusted stock as own stock all the same
      expect(lineOf(await gaps(t, '410721'), QUILT, '410721000000')).toMatchObject({ available: 70, physical: 30, gap: 30 });
    });

    it('D6: exactly 50% meets the floor', async () => {
      await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: QUILT, quantity: 20, batchNo: 'FLOOR-PH2' }]);
      const [region] = await floor('410721');
      expect(region).toMatchObject({ share: 0.5, meetsFloor: true });
      expect(region.lines[0]).toMatchObject({ physical: 50, share: 0.5, meetsFloor: true });
    });

    it('D6: per region over its region quotas — its share is its weakest item’s (units are not added, one item’s surplus covers no other), and it meets the floor only when every item does; store quotas are not part of the floor', async () => {
      await upsert(t, { regionCode: '410782', itemId: QUILT, quantity: 100 });
      await upsert(t, { regionCode: '410782', itemId: COTTON_TENT, quantity: 10 });
      await upsert(t, { storeId: HUIXIAN, itemId: SLEEPING_BAG, quantity: 10 });
      await receive(t, 'admin', HUIXIAN, [
        { itemId: QUILT, quantity: 150 },
        { itemId: COTTON_TENT, quantity: 2 },
      ]);
      const [region, ...rest] = await floor('410782');
      expect(rest).toEqual([]);
      expect(region.region.code).toBe('410782000000');
      expect(region.share).toBeCloseTo(0.2, 10); // 棉帐篷 2 of 10 — not (min(150, 100) + 2) / (100 + 10), which adds 床 and 顶
      expect(region.meetsFloor).toBe(false);
      const byItem = Object.fromEntries(region.lines.map((l: any) => [l.item.id, [l.quota, l.physical, l.share, l.meetsFloor]]));
      expect(byItem).toEqual({ [QUILT]: [100, 150, 1, true], [COTTON_TENT]: [10, 2, 0.2, false] });
    });

    it('D6: a city lists each region with region quotas, by code; the city quota without enough physical stock fails', async () => {
      const regions = await floor('410700', 'dispatcher');
      expect(regions.map((r) => r.region.code)).toEqual(['410700000000', '410721000000', '410781000000', '410782000000']);
      const city = regions[0];
      // the city's only region quota is the coat quota: 120 physical of 1000
      expect(city).toMatchObject({ share: 0.12, meetsFloor: false });
      const auditor = await floor('410700', 'auditor');
      expect(auditor.map((r) => r.region.code)).toEqual(regions.map((r) => r.region.code));
      expect(errorCode(await t.gql(FLOOR, { r: '140500' }, 'dispatcher'))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(FLOOR, { r: '410781' }, 'keeper'))).toBe('FORBIDDEN');
    });
  });

  describe('coverage (D19: 6 大类 300 种 per township)', () => {
    const COVERAGE = `query($r: String!, $c: Int, $k: Int) { coverage(regionCode: $r, targetCategories: $c, targetKinds: $k) {
      region { code name level } categoriesHeld kindsHeld targetCategories targetKinds meetsTarget missingCategories } }`;
    const coverage = async (vars: { r: string; c?: number; k?: number }, as = 'admin') => ok(await t.gql(COVERAGE, vars, as)).coverage as any[];
    const ofTownship = (lines: any[], code: string) => lines.find((l) => l.region.code === code);

    beforeAll(async () => {
      await receive(t, 'admin', TAIGONG, [
        { itemId: QUILT, quantity: 10, batchNo: 'COV-Q' },
        { itemId: COTTON_TENT, quantity: 2, batchNo: 'COV-T' },
        { itemId: SANDBAG, quantity: 100, batchNo: 'COV-S' },
        { itemId: BREATHING_APPARATUS, quantity: 1, batchNo: 'COV-F' },
      ]);
    });

    it('D19: one line per township of 卫辉市, in code order', async () => {
      const lines = await coverage({ r: '410781' });
      expect(lines).toHaveLength(13);
      expect(lines.every((l) => l.region.level === 'TOWNSHIP' && l.region.code.startsWith('410781'))).toBe(true);
      expect(lines.map((l) => l.region.code)).toEqual([...lines.map((l) => l.region.code)].sort());
      expect(lines[0].region).toMatchObject({ code: '410781100000', name: '汲水镇' });
    });

    it('D19: a township holding 4 kinds in 3 categories, against the default target — 珲春’s 6 大类 capped at the catalog’s five categories (sweep 10b A3) — and 300 kinds', async () => {
      const line = ofTownship(await coverage({ r: '410781' }), '410781101000');
      expect(line).toEqual({
        region: { code: '410781101000', name: '太公镇', level: 'TOWNSHIP' },
        categoriesHeld: 3,
        kindsHeld: 4,
        targetCategories: 5,
        targetKinds: 300,
        meetsTarget: false,
        missingCategories: ['FOREST_FIRE', 'MINE_RESCUE'],
      });
    });

    it('D19: a township with nothing in stock holds 0 and misses all five plan categories', async () => {
      const line = ofTownship(await coverage({ r: '410781' }), '410781104000'); // 李源屯镇
      expect(line).toMatchObject({
        categoriesHeld: 0,
        kindsHeld: 0,
        meetsTarget: false,
        missingCategories: ['LIVING', 'FIREFIGHTING', 'FOREST_FIRE', 'FLOOD', 'MINE_RESCUE'],
      });
    });

    it('D19: the target is overridable by arguments', async () => {
      const lines = await coverage({ r: '410781', c: 3, k: 4 });
      expect(ofTownship(lines, '410781101000')).toMatchObject({ targetCategories: 3, targetKinds: 4, meetsTarget: true });
      expect(ofTownship(lines, '410781104000')).toMatchObject({ targetCategories: 3, targetKinds: 4, meetsTarget: false });
      expect(ofTownship(await coverage({ r: '410781', c: 3, k: 5 }), '410781101000').meetsTarget).toBe(false);
    });

    it('D19: a category target above the catalog’s categories (no township could reach it) is BAD_USER_INPUT naming targetCategories', async () => {
      const res = await t.gql(`query { coverage(regionCode: "410781", targetCategories: 6) { targetCategories } }`, {}, 'dispatcher');
      expect(res.errors?.[0]).toMatchObject({
        message: '目标类别数不能超过物资目录的类别数（5 类）',
        extensions: { code: 'BAD_USER_INPUT', field: 'targetCategories' },
      });
    });

    it('D19: stock issued to zero is no longer held', async () => {
      const res = await issue(t, 'admin', TAIGONG, [{ itemId: BREATHING_APPARATUS, quantity: 1 }]);
      expect(res.errors).toBeUndefined();
      const line = ofTownship(await coverage({ r: '410781101000' }), '410781101000');
      expect(line).toMatchObject({ categoriesHeld: 2, kindsHeld: 3, missingCategories: ['FIREFIGHTING', 'FOREST_FIRE', 'MINE_RESCUE'] });
    });

    it('D19: a township code lists just that township', async () => {
      const lines = await coverage({ r: '410781101000' });
      expect(lines.map((l) => l.region.code)).toEqual(['410781101000']);
    });

    it('D19: targets below 1 → BAD_USER_INPUT; a keeper or a dispatcher outside → FORBIDDEN; an auditor reads', async () => {
      expect(errorCode(await t.gql(COVERAGE, { r: '410781', c: 0 }, 'admin'))).toBe('BAD_USER_INPUT');
      expect(errorCode(await t.gql(COVERAGE, { r: '410781', k: -1 }, 'admin'))).toBe('BAD_USER_INPUT');
      expect(errorCode(await t.gql(COVERAGE, { r: '410781' }, 'keeper'))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(COVERAGE, { r: '140500' }, 'dispatcher'))).toBe('FORBIDDEN');
      expect(await coverage({ r: '410781' }, 'auditor')).toHaveLength(13);
    });
  });
});
