import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, receive, XINXIANG } from '../support/ledger.ts';
import { DIMENSIONS, ENTRUSTED_XX, fen, valuationOf, yuan, type Dimension } from '../support/finance.ts';

// D6, D3, D21: the reserve mode follows who owns the goods, and a company's own stock (协议储备) is not part of the value
// of public reserves — it is kept out of valuation's total and groups (agreement reserves are shown apart, as contingent
// value), on the full replay and on the snapshot (period close) path alike.

const AGREEMENT_XX = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）, operator 新乡市惠民百货配送有限公司
const BEFORE_APRIL_CUTOFF = '2026-04-20T10:00:00+08:00';

describe('company-owned stock in valuation (D6, D21)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  const operatorOf = async (store: string) =>
    (await queryRows<{ id: string }>(t.database.db, sql`SELECT operator_org_id::text AS id FROM stores WHERE id = ${store}::uuid`))[0].id;
  const ownerOf = async (batchId: string) =>
    (await queryRows<{ id: string }>(t.database.db, sql`SELECT owner_org_id::text AS id FROM batches WHERE id = ${batchId}::uuid`))[0].id;
  const modeOf = async (batchId: string) =>
    (await queryRows<{ m: string }>(t.database.db, sql`SELECT reserve_mode::text AS m FROM batches WHERE id = ${batchId}::uuid`))[0].m;
  const line = (batchNo: string, extra: Record<string, unknown>) => ({
    itemId: QUILT,
    quantity: 100,
    batchNo,
    productionDate: '2026-01-01',
    expiryDate: '2029-05-01',
    unitPrice: '100.00',
    ...extra,
  });

  let company: string;
  let entrustedOperator: string;
  let cityGovernment: string;
  beforeAll(async () => {
    company = await operatorOf(AGREEMENT_XX);
    entrustedOperator = await operatorOf(ENTRUSTED_XX);
    // 新乡市人民政府: the default owner of goods received at the city's store (registered on first use).
    const cityStock = await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 1, unitPrice: '1.00', batchNo: 'CITY-OWNER-1' }]);
    cityGovernment = await ownerOf(cityStock.lines[0].batch.id);
  });

  /** D3, D6: the company stock the ledger records, shown apart from the total (sweep 8a F3). */
  const companyStockOf = async (regionCode: string, asOf?: string) => {
    const res = await t.gql(
      `query($r: String, $at: DateTime) { valuation(regionCode: $r, asOf: $at) { companyStock } }`,
      { r: regionCode, at: asOf },
      'auditor',
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data.valuation.companyStock as string;
  };

  /** Every grouping's groups add up to the total (D21). */
  const expectGroupsSum = async (regionCode: string, total: string) => {
    for (const d of DIMENSIONS) {
      const v = await valuationOf(t, 'admin', { regionCode, groupBy: [d] as Dimension[] });
      expect(yuan(v.groups.reduce((s: bigint, g: { value: string }) => s + fen(g.value), 0n)), d).toBe(total);
      expect(v.total).toBe(total);
    }
  };

  it('D6/D21: a company-owned receipt at an agreement store is AGREEMENT and stays out of the public total and groups', async () => {
    const before = await valuationOf(t, 'admin', { regionCode: '410711' });
    const city = await valuationOf(t, 'admin', { regionCode: '410700' });
    const companyBefore = await companyStockOf('410700');
    const doc = await receive(t, 'admin', AGREEMENT_XX, [line('CO-OWN-1', { fundingSource: 'ENTERPRISE', ownerOrgId: company })], {
      source: 'OTHER',
      reference: 'x',
    });
    expect(await modeOf(doc.lines[0].batch.id)).toBe('AGREEMENT');
    const after = await valuationOf(t, 'admin', { regionCode: '410711', groupBy: ['RESERVE_MODE', 'FUNDING_SOURCE'] });
    expect(after.total).toBe(before.total);
    expect(after.contingentAgreementValue).toBe(before.contingentAgreementValue);
    expect(after.groups.map((g: { key: string[] }) => g.key[0])).not.toContain('AGREEMENT');
    expect((await valuationOf(t, 'admin', { regionCode: '410700' })).total).toBe(city.total);
    await expectGroupsSum('410711', before.total);
    // … and is shown apart, so that the journal's +10,000.00 is accounted for: Δtotal 0 + ΔcompanyStock 10,000.00.
    expect(await companyStockOf('410700')).toBe(yuan(fen(companyBefore) + 10000_00n));
    expect(await companyStockOf('410721')).toBe('0.00'); // another county's value does not carry it
  });

  it('D6: the default owner at an agreement store is the company — AGREEMENT, not valued', async () => {
    const before = await valuationOf(t, 'admin', { regionCode: '410711' });
    const doc = await receive(t, 'admin', AGREEMENT_XX, [line('CO-OWN-2', {})]);
    expect(await modeOf(doc.lines[0].batch.id)).toBe('AGREEMENT');
    expect((await valuationOf(t, 'admin', { regionCode: '410711' })).total).toBe(before.total);
  });

  it('D6: government-owned (CITY-funded) goods at an agreement store are ENTRUSTED and valued', async () => {
    const before = await valuationOf(t, 'admin', { regionCode: '410711' });
    const doc = await receive(t, 'admin', AGREEMENT_XX, [line('GOV-IN-AGR-1', { fundingSource: 'CITY', ownerOrgId: cityGovernment })]);
    expect(await modeOf(doc.lines[0].batch.id)).toBe('ENTRUSTED');
    const after = await valuationOf(t, 'admin', { regionCode: '410711', groupBy: ['RESERVE_MODE'] });
    expect(after.total).toBe(yuan(fen(before.total) + 10000_00n));
    await expectGroupsSum('410711', after.total);
  });

  it('D6: the operator’s own goods at an entrusted store are AGREEMENT (not valued); government goods there ENTRUSTED; a government store PHYSICAL', async () => {
    const county = await valuationOf(t, 'admin', { regionCode: '410721' });
    const own = await receive(t, 'admin', ENTRUSTED_XX, [line('CO-OWN-ENT-1', { fundingSource: 'ENTERPRISE', ownerOrgId: entrustedOperator })]);
    expect(await modeOf(own.lines[0].batch.id)).toBe('AGREEMENT');
    expect((await valuationOf(t, 'admin', { regionCode: '410721' })).total).toBe(county.total);
    const gov = await receive(t, 'admin', ENTRUSTED_XX, [line('GOV-ENT-1', {})]);
    expect(await modeOf(gov.lines[0].batch.id)).toBe('ENTRUSTED');
    expect((await valuationOf(t, 'admin', { regionCode: '410721' })).total).toBe(yuan(fen(county.total) + 10000_00n));
    const phys = await receive(t, 'admin', XINXIANG, [line('GOV-PHYS-1', {})]);
    expect(await modeOf(phys.lines[0].batch.id)).toBe('PHYSICAL');
    await expectGroupsSum('410700', (await valuationOf(t, 'admin', { regionCode: '410700' })).total);
  });

  it('D21: the snapshot (period close) path leaves company stock out as the full replay does', async () => {
    // Company stock and government stock dated before the April cutoff, valued before the close (full replay) …
    await receive(t, 'admin', AGREEMENT_XX, [line('CO-SNAP-1', { fundingSource: 'ENTERPRISE', ownerOrgId: company })], { occurredAt: BEFORE_APRIL_CUTOFF });
    await receive(t, 'admin', AGREEMENT_XX, [line('GOV-SNAP-1', { fundingSource: 'CITY', ownerOrgId: cityGovernment })], { occurredAt: BEFORE_APRIL_CUTOFF });
    const at = '2026-05-10T00:00:00+08:00';
    const args = { asOf: at, regionCode: '410700', groupBy: ['STORE', 'RESERVE_MODE'] as Dimension[] };
    const replayed = await valuationOf(t, 'admin', args);
    const companyReplayed = await companyStockOf('410700', at);
    expect(fen(companyReplayed)).toBeGreaterThanOrEqual(10000_00n);
    expect((replayed as unknown as { snapshotMonth: string | null }).snapshotMonth).toBeNull();
    // … then from April's snapshot: the same total and groups.
    const closed = await t.gql(`mutation { closePeriod(month: "2026-04") { month } }`, {}, 'admin');
    expect(closed.errors, JSON.stringify(closed.errors)).toBeUndefined();
    const snapped = await valuationOf(t, 'admin', args);
    expect((snapped as unknown as { snapshotMonth: string | null }).snapshotMonth).toBe('2026-04');
    expect(snapped.total).toBe(replayed.total);
    expect(await companyStockOf('410700', at)).toBe(companyReplayed);
    expect((snapped as unknown as { groups: unknown[] }).groups).toEqual((replayed as unknown as { groups: unknown[] }).groups);
  });
});
