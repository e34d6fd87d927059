import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { agreementRaw } from '../support/agreements.ts';
import { errorCode, NOW, useTestApp, type TestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, QUILT, SANDBAG, WEIHUI } from '../support/ledger.ts';
import { ok, purchase, receiveRaw } from '../support/ledger-ops.ts';
import { createRegionalAdmin } from '../support/regional-admin.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// D6 agreements: 协议储备 (AGREEMENT), 企业代储 (ENTRUSTED), 产能储备 (CAPACITY); spot checks (抽查).
// Today is 2026-07-20. The tests of this file share one database; listings are limited to regions a scenario owns.

const ENTRUSTED = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）
const ENTRUSTED_JINCHENG = storeId('S-140500-02'); // 晋城 entrusted store: outside 新乡's administrator's region
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）
const SINGLE_TENT = itemId('LIV-002');
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const AGREEMENT_FIELDS = `id mode contractNo validFrom validTo annualFee status company { name } region { code } store { id kind }
  lines { item { id } quantity lastCheckedQuantity effectiveQuantity dailyCapacity unitPrice responseHours leadDays contingentValue }
  checks { checkedOn findings recordedBy { username } lines { item { id } countedQuantity } }`;

const create = async (t: TestApp, input: Record<string, unknown>, as = 'admin') => ok(await agreementRaw(t, input, as, AGREEMENT_FIELDS)).createAgreement;

const checkRaw = (t: TestApp, input: Record<string, unknown>, as = 'admin') =>
  t.gql(
    `mutation($input: AgreementCheckInput!) { recordAgreementCheck(input: $input) { id checkedOn findings recordedBy { username } lines { item { id } countedQuantity } } }`,
    { input },
    as,
  );

const agreementById = async (t: TestApp, id: string, as = 'admin') =>
  ok(await t.gql(`query($id: ID!) { agreement(id: $id) { ${AGREEMENT_FIELDS} } }`, { id }, as)).agreement;

const listRaw = (t: TestApp, vars: { regionCode?: string; activeOn?: string }, as = 'admin') =>
  t.gql(
    `query($r: String, $on: Date) { agreements(regionCode: $r, activeOn: $on, first: 100) { totalCount edges { node { id contractNo status validFrom validTo } } } }`,
    { r: vars.regionCode, on: vars.activeOn },
    as,
  );
/** [contractNo, status] of the listed agreements, sorted by contract number. */
const listed = async (t: TestApp, vars: { regionCode?: string; activeOn?: string }, as = 'admin') => {
  const res = ok(await listRaw(t, vars, as)).agreements;
  const rows = res.edges.map((e: any) => [e.node.contractNo ?? '', e.node.status]).sort((a: string[], b: string[]) => a[0].localeCompare(b[0]));
  expect(res.totalCount).toBe(rows.length);
  return rows;
};

const counts = async (t: TestApp) => {
  const [r] = await queryRows<{ a: number; l: number; c: number; cl: number }>(
    t.database.db,
    sql`SELECT (SELECT count(*)::int FROM agreements) AS a, (SELECT count(*)::int FROM agreement_lines) AS l,
               (SELECT count(*)::int FROM agreement_checks) AS c, (SELECT count(*)::int FROM agreement_check_lines) AS cl`,
  );
  return { agreements: Number(r.a), lines: Number(r.l), checks: Number(r.c), checkLines: Number(r.cl) };
};

const agreementInput = (over: Record<string, unknown> = {}) => ({
  mode: 'AGREEMENT',
  companyName: '新乡市惠民百货配送有限公司',
  regionCode: '410700',
  storeId: AGREEMENT_STORE,
  contractNo: 'XY-2026-001',
  validFrom: '2026-01-01',
  validTo: '2026-12-31',
  annualFee: '30000.00',
  lines: [
    { itemId: QUILT, quantity: 3000, unitPrice: '158.00', responseHours: 6 },
    { itemId: COTTON_TENT, quantity: 500, unitPrice: '2180.00', responseHours: 8 },
  ],
  ...over,
});

describe('reserves: agreements (D6)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  // 新乡's administrator: agreements are the administrators' (DOMAIN "Who uses it"), each inside its own region.
  beforeAll(() => createRegionalAdmin(t, 'xx-admin', '410700'));

  describe('createAgreement (D6)', () => {
    it('D6: AGREEMENT — company stock by contract: committed quantity, unit price, response hours, validity, annual fee', async () => {
      const a = await create(t, agreementInput());
      expect(a).toMatchObject({
        mode: 'AGREEMENT',
        contractNo: 'XY-2026-001',
        validFrom: '2026-01-01',
        validTo: '2026-12-31',
        annualFee: '30000.00',
        status: 'ACTIVE',
        company: { name: '新乡市惠民百货配送有限公司' },
        region: { code: '410700000000' },
        store: { id: AGREEMENT_STORE, kind: 'AGREEMENT' },
        checks: [],
      });
      const byItem = Object.fromEntries(a.lines.map((l: any) => [l.item.id, l]));
      expect(byItem[QUILT]).toEqual({
        item: { id: QUILT },
        quantity: 3000,
        lastCheckedQuantity: null,
        effectiveQuantity: 3000,
        dailyCapacity: null,
        unitPrice: '158.00',
        responseHours: 6,
        leadDays: null,
        contingentValue: '474000.00',
      });
      expect(byItem[COTTON_TENT]).toMatchObject({ quantity: 500, effectiveQuantity: 500, responseHours: 8, contingentValue: '1090000.00' });
      expect(await agreementById(t, a.id)).toEqual(a);
    });

    it('D6: AGREEMENT without a store (the company stock is elsewhere) is allowed', async () => {
      const a = await create(
        t,
        agreementInput({
          storeId: null,
          regionCode: '410781',
          companyName: '卫辉市应急物资协议储备企业联合体',
          lines: [{ itemId: SANDBAG, quantity: 20000, unitPrice: '1.10', responseHours: 4 }],
        }),
      );
      expect(a).toMatchObject({ mode: 'AGREEMENT', store: null, region: { code: '410781000000' } });
      expect(a.lines).toEqual([expect.objectContaining({ quantity: 20000, effectiveQuantity: 20000, contingentValue: '22000.00' })]);
    });

    it('D6: ENTRUSTED — government stock in the company’s entrusted store; the agreement carries the fee', async () => {
      const a = await create(t, {
        mode: 'ENTRUSTED',
        companyName: '新乡县中原物流仓储有限公司',
        regionCode: '410721',
        storeId: ENTRUSTED,
        validFrom: '2025-01-01',
        validTo: '2027-12-31',
        annualFee: '45000.00',
        lines: [{ itemId: QUILT, quantity: 1000 }],
      });
      expect(a).toMatchObject({
        mode: 'ENTRUSTED',
        annualFee: '45000.00',
        status: 'ACTIVE',
        store: { id: ENTRUSTED, kind: 'ENTRUSTED' },
        region: { code: '410721000000' },
      });
      expect(a.lines).toEqual([
        expect.objectContaining({ item: { id: QUILT }, quantity: 1000, effectiveQuantity: 1000, responseHours: null, contingentValue: null }),
      ]);
    });

    it('D6: CAPACITY — daily capacity after a lead time in days (lead 0 when not given)', async () => {
      const a = await create(t, {
        mode: 'CAPACITY',
        companyName: '新乡市新星帐篷制造有限公司',
        regionCode: '410700',
        validFrom: '2026-01-01',
        validTo: '2028-12-31',
        annualFee: '8000.00',
        lines: [
          { itemId: COTTON_TENT, dailyCapacity: 300, leadDays: 2, unitPrice: '2100.00' },
          { itemId: SINGLE_TENT, dailyCapacity: 800, unitPrice: '960.00' },
        ],
      });
      expect(a).toMatchObject({ mode: 'CAPACITY', store: null, status: 'ACTIVE' });
      const byItem = Object.fromEntries(a.lines.map((l: any) => [l.item.id, [l.dailyCapacity, l.leadDays, l.quantity, l.unitPrice, l.contingentValue]]));
      expect(byItem).toEqual({ [COTTON_TENT]: [300, 2, null, '2100.00', null], [SINGLE_TENT]: [800, 0, null, '960.00', null] });
    });

    it('D6: 新乡’s administrator creates agreements in 新乡', async () => {
      const a = await create(t, agreementInput({ contractNo: 'XY-DISP', regionCode: '410781', storeId: null }), 'xx-admin');
      expect(a.region.code).toBe('410781000000');
    });

    describe('bad input changes nothing', () => {
      async function expectRefused(input: Record<string, unknown>, code: string, as = 'admin') {
        const before = await counts(t);
        const res = await agreementRaw(t, input, as, AGREEMENT_FIELDS);
        expect(errorCode(res), JSON.stringify(res.errors)).toBe(code);
        expect(res.data).toBeNull();
        expect(await counts(t)).toEqual(before);
        return res.errors![0].extensions;
      }
      const line = (over: Record<string, unknown>) =>
        agreementInput({ lines: [{ itemId: QUILT, quantity: 100, unitPrice: '158.00', responseHours: 6, ...over }] });

      it('D6: validTo before validFrom → BAD_USER_INPUT', async () => {
        const ext = await expectRefused(agreementInput({ validFrom: '2026-07-01', validTo: '2026-06-30' }), 'BAD_USER_INPUT');
        expect(ext.field).toBe('input.validTo');
      });

      it.each([0, -5])('D6: quantity %i → BAD_USER_INPUT', async (quantity) => {
        const ext = await expectRefused(line({ quantity }), 'BAD_USER_INPUT');
        expect(ext.field).toBe('input.lines.0.quantity');
      });

      it.each([0, -1])('D6: daily capacity %i → BAD_USER_INPUT', async (dailyCapacity) => {
        await expectRefused(
          { ...agreementInput({ mode: 'CAPACITY', storeId: null }), lines: [{ itemId: COTTON_TENT, dailyCapacity, leadDays: 2 }] },
          'BAD_USER_INPUT',
        );
      });

      it('D6: a negative unit price or annual fee → BAD_USER_INPUT', async () => {
        const ext = await expectRefused(line({ unitPrice: '-1.00' }), 'BAD_USER_INPUT');
        expect(ext.field).toBe('input.lines.0.unitPrice');
        await expectRefused(agreementInput({ annualFee: '-100.00' }), 'BAD_USER_INPUT');
      });

      it('D6: a CAPACITY line without daily capacity → BAD_USER_INPUT', async () => {
        const ext = await expectRefused(
          { ...agreementInput({ mode: 'CAPACITY', storeId: null }), lines: [{ itemId: COTTON_TENT, leadDays: 2, quantity: 100 }] },
          'BAD_USER_INPUT',
        );
        expect(ext.field).toBe('input.lines.0.dailyCapacity');
      });

      it('D6: an AGREEMENT line without response hours (or with 0) → BAD_USER_INPUT', async () => {
        const ext = await expectRefused(line({ responseHours: null }), 'BAD_USER_INPUT');
        expect(ext.field).toBe('input.lines.0.responseHours');
        await expectRefused(line({ responseHours: 0 }), 'BAD_USER_INPUT');
      });

      it('D6: an AGREEMENT or ENTRUSTED line without quantity → BAD_USER_INPUT', async () => {
        await expectRefused(line({ quantity: null }), 'BAD_USER_INPUT');
        await expectRefused(agreementInput({ mode: 'ENTRUSTED', storeId: ENTRUSTED, regionCode: '410721', lines: [{ itemId: QUILT }] }), 'BAD_USER_INPUT');
      });

      it('D6: no lines, or the same item twice → BAD_USER_INPUT', async () => {
        await expectRefused(agreementInput({ lines: [] }), 'BAD_USER_INPUT');
        await expectRefused(
          agreementInput({
            lines: [
              { itemId: QUILT, quantity: 1, responseHours: 6 },
              { itemId: QUILT, quantity: 2, responseHours: 6 },
            ],
          }),
          'BAD_USER_INPUT',
        );
      });

      it('D6: a negative lead time or a response time over 720 hours → BAD_USER_INPUT', async () => {
        await expectRefused(
          { ...agreementInput({ mode: 'CAPACITY', storeId: null }), lines: [{ itemId: COTTON_TENT, dailyCapacity: 10, leadDays: -1 }] },
          'BAD_USER_INPUT',
        );
        await expectRefused(line({ responseHours: 721 }), 'BAD_USER_INPUT');
      });

      it('D6: PHYSICAL is not an agreement mode → BAD_USER_INPUT', async () => {
        await expectRefused(agreementInput({ mode: 'PHYSICAL' }), 'BAD_USER_INPUT');
      });

      it('D6: unknown item or store → NOT_FOUND; unknown region → NOT_FOUND', async () => {
        const ext = await expectRefused(line({ itemId: UNKNOWN }), 'NOT_FOUND');
        expect(ext.field).toBe('input.lines.0.itemId');
        expect((await expectRefused(agreementInput({ storeId: UNKNOWN }), 'NOT_FOUND')).field).toBe('input.storeId');
        await expectRefused(agreementInput({ regionCode: '419999' }), 'NOT_FOUND');
      });

      it('D6: ENTRUSTED requires an ENTRUSTED store (none, a government store, an agreement store → BAD_USER_INPUT)', async () => {
        const entrusted = (storeId: string | null) =>
          agreementInput({ mode: 'ENTRUSTED', regionCode: '410721', storeId, lines: [{ itemId: QUILT, quantity: 100 }] });
        expect((await expectRefused(entrusted(null), 'BAD_USER_INPUT')).field).toBe('input.storeId');
        expect((await expectRefused(entrusted(WEIHUI), 'BAD_USER_INPUT')).field).toBe('input.storeId');
        expect((await expectRefused(entrusted(AGREEMENT_STORE), 'BAD_USER_INPUT')).field).toBe('input.storeId');
      });

      it('D6: an AGREEMENT naming an entrusted or government store → BAD_USER_INPUT', async () => {
        await expectRefused(agreementInput({ storeId: ENTRUSTED }), 'BAD_USER_INPUT');
        await expectRefused(agreementInput({ storeId: WEIHUI }), 'BAD_USER_INPUT');
      });

      it('D6: a keeper, an auditor, or a dispatcher even in its own region → FORBIDDEN', async () => {
        await expectRefused(agreementInput(), 'FORBIDDEN', 'keeper');
        await expectRefused(agreementInput(), 'FORBIDDEN', 'auditor');
        await expectRefused(agreementInput({ contractNo: 'XY-DISP-2', regionCode: '410781', storeId: null }), 'FORBIDDEN', 'dispatcher');
      });

      it('D6: 新乡’s administrator outside 新乡 (晋城 region, or a 晋城 store) → FORBIDDEN', async () => {
        await expectRefused(agreementInput({ regionCode: '140500', storeId: null }), 'FORBIDDEN', 'xx-admin');
        await expectRefused(
          agreementInput({ mode: 'ENTRUSTED', regionCode: '410721', storeId: ENTRUSTED_JINCHENG, lines: [{ itemId: QUILT, quantity: 100 }] }),
          'FORBIDDEN',
          'xx-admin',
        );
      });
    });
  });

  describe('agreements(regionCode, activeOn) (D6)', () => {
    beforeAll(async () => {
      // 辉县市 (410782): four agreements around today 2026-07-20
      const huixian = (contractNo: string, validFrom: string, validTo: string) =>
        create(t, agreementInput({ regionCode: '410782', storeId: null, contractNo, validFrom, validTo, companyName: '辉县市百货公司' }));
      await huixian('HX-1-EXPIRED', '2025-01-01', '2025-12-31');
      await huixian('HX-2-EXPIRING', '2026-01-01', '2026-09-30');
      await huixian('HX-3-ACTIVE', '2026-01-01', '2027-12-31');
      await huixian('HX-4-LATER', '2026-09-01', '2027-08-31');
    });

    it('D6: without activeOn every agreement of the region is listed, with its status today', async () => {
      expect(await listed(t, { regionCode: '410782' })).toEqual([
        ['HX-1-EXPIRED', 'EXPIRED'],
        ['HX-2-EXPIRING', 'EXPIRING'], // 72 days left
        ['HX-3-ACTIVE', 'ACTIVE'],
        ['HX-4-LATER', 'NOT_STARTED'],
      ]);
    });

    it('D6: activeOn lists only agreements valid on that date, with their status on that date', async () => {
      expect(await listed(t, { regionCode: '410782', activeOn: '2026-07-20' })).toEqual([
        ['HX-2-EXPIRING', 'EXPIRING'],
        ['HX-3-ACTIVE', 'ACTIVE'],
      ]);
      expect(await listed(t, { regionCode: '410782', activeOn: '2026-10-15' })).toEqual([
        ['HX-3-ACTIVE', 'ACTIVE'],
        ['HX-4-LATER', 'ACTIVE'],
      ]);
      expect(await listed(t, { regionCode: '410782', activeOn: '2027-10-15' })).toEqual([['HX-3-ACTIVE', 'EXPIRING']]); // 77 days left
      expect(await listed(t, { regionCode: '410782', activeOn: '2025-06-01' })).toEqual([['HX-1-EXPIRED', 'ACTIVE']]);
      expect(await listed(t, { regionCode: '410782', activeOn: '2028-01-01' })).toEqual([]);
    });

    it('D6: validFrom and validTo are inclusive', async () => {
      // HX-2's last day, and HX-4 has started
      expect(await listed(t, { regionCode: '410782', activeOn: '2026-09-30' })).toEqual([
        ['HX-2-EXPIRING', 'EXPIRING'],
        ['HX-3-ACTIVE', 'ACTIVE'],
        ['HX-4-LATER', 'ACTIVE'],
      ]);
      // HX-4's first day; the day before it is not listed
      expect((await listed(t, { regionCode: '410782', activeOn: '2026-09-01' })).map((r: string[]) => r[0])).toContain('HX-4-LATER');
      expect((await listed(t, { regionCode: '410782', activeOn: '2026-08-31' })).map((r: string[]) => r[0])).not.toContain('HX-4-LATER');
      // the day after HX-2's last day
      expect((await listed(t, { regionCode: '410782', activeOn: '2026-10-01' })).map((r: string[]) => r[0])).not.toContain('HX-2-EXPIRING');
    });

    it('D6: a region lists its subtree: the city sees the counties’ agreements; a county not its neighbour’s', async () => {
      const city = (await listed(t, { regionCode: '410700' })).map((r: string[]) => r[0]);
      expect(city).toEqual(expect.arrayContaining(['HX-1-EXPIRED', 'HX-2-EXPIRING', 'HX-3-ACTIVE', 'HX-4-LATER']));
      expect((await listed(t, { regionCode: '410781' })).map((r: string[]) => r[0])).not.toContain('HX-3-ACTIVE');
    });

    it('D6: an auditor reads; a keeper or a dispatcher outside the region → FORBIDDEN', async () => {
      expect(await listed(t, { regionCode: '410782' }, 'auditor')).toHaveLength(4);
      expect(errorCode(await listRaw(t, { regionCode: '410782' }, 'keeper'))).toBe('FORBIDDEN');
      expect(errorCode(await listRaw(t, {}, 'keeper'))).toBe('FORBIDDEN');
      expect(errorCode(await listRaw(t, { regionCode: '140500' }, 'dispatcher'))).toBe('FORBIDDEN');
    });
  });

  describe('recordAgreementCheck (抽查, D6)', () => {
    let id: string;
    beforeAll(async () => {
      id = (await create(t, agreementInput({ contractNo: 'CHECK-1', regionCode: '410783', storeId: null, companyName: '长垣市康泰卫生材料有限公司' }))).id;
    });
    const lineOf = (a: any, item: string) => a.lines.find((l: any) => l.item.id === item);

    it('D6: records date, counts and findings; the line then counts for min(committed, counted)', async () => {
      const check = ok(
        await checkRaw(t, {
          agreementId: id,
          checkedOn: '2026-06-15',
          findings: '棉被实存 2600 床，少于协议 3000 床',
          lines: [{ itemId: QUILT, countedQuantity: 2600 }],
        }),
      ).recordAgreementCheck;
      expect(check).toMatchObject({
        checkedOn: '2026-06-15',
        findings: '棉被实存 2600 床，少于协议 3000 床',
        recordedBy: { username: 'admin' },
        lines: [{ item: { id: QUILT }, countedQuantity: 2600 }],
      });
      const a = await agreementById(t, id);
      expect(lineOf(a, QUILT)).toMatchObject({ quantity: 3000, lastCheckedQuantity: 2600, effectiveQuantity: 2600, contingentValue: '410800.00' });
      // a line the check did not count keeps its commitment
      expect(lineOf(a, COTTON_TENT)).toMatchObject({ quantity: 500, lastCheckedQuantity: null, effectiveQuantity: 500 });
    });

    it('D6: a later check replaces the earlier count (above the commitment the line counts for the commitment)', async () => {
      ok(
        await checkRaw(
          t,
          {
            agreementId: id,
            checkedOn: '2026-07-10',
            lines: [
              { itemId: QUILT, countedQuantity: 3200 },
              { itemId: COTTON_TENT, countedQuantity: 450 },
            ],
          },
          'xx-admin',
        ),
      );
      const a = await agreementById(t, id);
      expect(lineOf(a, QUILT)).toMatchObject({ lastCheckedQuantity: 3200, effectiveQuantity: 3000 });
      expect(lineOf(a, COTTON_TENT)).toMatchObject({ lastCheckedQuantity: 450, effectiveQuantity: 450 });
    });

    it('D6: a check dated earlier than the last one does not replace it, even when recorded later', async () => {
      t.clock.advance(1); // recorded an hour later, still today in China
      try {
        ok(await checkRaw(t, { agreementId: id, checkedOn: '2026-06-20', lines: [{ itemId: QUILT, countedQuantity: 10 }] }));
      } finally {
        t.clock.set(NOW);
      }
      const a = await agreementById(t, id);
      expect(lineOf(a, QUILT)).toMatchObject({ lastCheckedQuantity: 3200, effectiveQuantity: 3000 });
      expect(a.checks.map((c: any) => [c.checkedOn, c.recordedBy.username])).toEqual([
        ['2026-07-10', 'xx-admin'],
        ['2026-06-20', 'admin'],
        ['2026-06-15', 'admin'],
      ]);
    });

    it('D6: a check today is allowed and counts 0 when nothing was found', async () => {
      ok(await checkRaw(t, { agreementId: id, checkedOn: '2026-07-20', lines: [{ itemId: COTTON_TENT, countedQuantity: 0 }] }));
      expect(lineOf(await agreementById(t, id), COTTON_TENT)).toMatchObject({ lastCheckedQuantity: 0, effectiveQuantity: 0, contingentValue: '0.00' });
    });

    describe('refusals change nothing', () => {
      async function expectRefused(input: Record<string, unknown>, code: string, as = 'admin') {
        const before = await counts(t);
        const res = await checkRaw(t, input, as);
        expect(errorCode(res), JSON.stringify(res.errors)).toBe(code);
        expect(res.data).toBeNull();
        expect(await counts(t)).toEqual(before);
        return res.errors![0].extensions;
      }

      it('D6: an item not in the agreement → BAD_USER_INPUT', async () => {
        const ext = await expectRefused(
          {
            agreementId: id,
            checkedOn: '2026-07-01',
            lines: [
              { itemId: QUILT, countedQuantity: 1 },
              { itemId: SANDBAG, countedQuantity: 5 },
            ],
          },
          'BAD_USER_INPUT',
        );
        expect(ext.field).toBe('input.lines.1.itemId');
      });

      it('D6: checkedOn in the future (tomorrow) → BAD_USER_INPUT', async () => {
        const ext = await expectRefused({ agreementId: id, checkedOn: '2026-07-21', lines: [{ itemId: QUILT, countedQuantity: 1 }] }, 'BAD_USER_INPUT');
        expect(ext.field).toBe('input.checkedOn');
      });

      it('D6: checkedOn before the agreement started → BAD_USER_INPUT', async () => {
        await expectRefused({ agreementId: id, checkedOn: '2025-12-31', lines: [{ itemId: QUILT, countedQuantity: 1 }] }, 'BAD_USER_INPUT');
      });

      it('D6: the same item twice in one check → BAD_USER_INPUT', async () => {
        const lines = [
          { itemId: QUILT, countedQuantity: 1 },
          { itemId: QUILT, countedQuantity: 2 },
        ];
        expect((await expectRefused({ agreementId: id, checkedOn: '2026-07-01', lines }, 'BAD_USER_INPUT')).field).toBe('input.lines.1.itemId');
      });

      it('D6: a negative count → BAD_USER_INPUT', async () => {
        await expectRefused({ agreementId: id, checkedOn: '2026-07-01', lines: [{ itemId: QUILT, countedQuantity: -1 }] }, 'BAD_USER_INPUT');
      });

      it('D6: a CAPACITY agreement has no stock to count → INVALID_STATE', async () => {
        const cap = await create(t, {
          mode: 'CAPACITY',
          companyName: '长垣市帐篷厂',
          regionCode: '410783',
          validFrom: '2026-01-01',
          validTo: '2027-12-31',
          lines: [{ itemId: COTTON_TENT, dailyCapacity: 50, unitPrice: '2100.00' }],
        });
        await expectRefused({ agreementId: cap.id, checkedOn: '2026-07-01', lines: [{ itemId: COTTON_TENT, countedQuantity: 1 }] }, 'INVALID_STATE');
      });

      it('D6: an unknown agreement → NOT_FOUND', async () => {
        await expectRefused({ agreementId: UNKNOWN, checkedOn: '2026-07-01', lines: [{ itemId: QUILT, countedQuantity: 1 }] }, 'NOT_FOUND');
      });

      it('D6: a keeper, an auditor, or a dispatcher even in its own region → FORBIDDEN', async () => {
        for (const as of ['keeper', 'auditor', 'dispatcher']) {
          await expectRefused({ agreementId: id, checkedOn: '2026-07-01', lines: [{ itemId: QUILT, countedQuantity: 1 }] }, 'FORBIDDEN', as);
        }
      });

      it('D6: 新乡’s administrator cannot check an agreement outside its region → FORBIDDEN', async () => {
        const jc = await create(t, agreementInput({ regionCode: '140500', storeId: null, contractNo: 'JC-1', companyName: '晋城市百货公司' }));
        await expectRefused({ agreementId: jc.id, checkedOn: '2026-07-01', lines: [{ itemId: QUILT, countedQuantity: 1 }] }, 'FORBIDDEN', 'xx-admin');
        expect(errorCode(await t.gql(`query($id: ID!) { agreement(id: $id) { id } }`, { id: jc.id }, 'auditor'))).toBe('FORBIDDEN');
      });
    });
  });

  describe('keepers of entrusted stores (D6)', () => {
    beforeAll(async () => {
      const user = ok(
        await t.gql(
          `mutation($input: CreateUserInput!) { createUser(input: $input) { username role stores { id kind } } }`,
          { input: { username: 'daichu-keeper', displayName: '代储库库管员', password: TEST_PASSWORD, role: 'KEEPER', storeIds: [ENTRUSTED] } },
          'admin',
        ),
      ).createUser;
      expect(user).toEqual({ username: 'daichu-keeper', role: 'KEEPER', stores: [{ id: ENTRUSTED, kind: 'ENTRUSTED' }] });
    });

    it('D6: the keeper of an entrusted store receives stock there; the batch is ENTRUSTED government stock', async () => {
      const res = await receiveRaw(
        t,
        'daichu-keeper',
        purchase(ENTRUSTED, [{ itemId: QUILT, quantity: 200, batchNo: 'DC-2026-01', unitPrice: '150.00' }]),
        `id type store { id } actor { username } lines { quantity batch { batchNo reserveMode fundingSource owner { name } } }`,
      );
      const doc = ok(res).receiveStock;
      expect(doc).toMatchObject({ type: 'RECEIPT', store: { id: ENTRUSTED }, actor: { username: 'daichu-keeper' } });
      expect(doc.lines).toEqual([
        { quantity: 200, batch: { batchNo: 'DC-2026-01', reserveMode: 'ENTRUSTED', fundingSource: 'COUNTY', owner: { name: '新乡县人民政府' } } },
      ]);
    });

    it('D6: that keeper posts nowhere else and manages no agreements (FORBIDDEN)', async () => {
      expect(errorCode(await receiveRaw(t, 'daichu-keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1 }])))).toBe('FORBIDDEN');
      expect(
        errorCode(
          await agreementRaw(
            t,
            agreementInput({ mode: 'ENTRUSTED', regionCode: '410721', storeId: ENTRUSTED, lines: [{ itemId: QUILT, quantity: 1 }] }),
            'daichu-keeper',
            AGREEMENT_FIELDS,
          ),
        ),
      ).toBe('FORBIDDEN');
    });
  });
});
