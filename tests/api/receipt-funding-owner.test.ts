import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, QUILT, receive, XINXIANG } from '../support/ledger.ts';
import { ENTRUSTED_XX } from '../support/finance.ts';

// D3, D6, D21, D23 (sweep 15b F7): a receipt's funding source and its owner agree. Government-funded goods are the
// government's, so they are never booked as a company's own 协议储备 stock (which leaves without an order and is not
// valued); a company's own money does not buy government stock.

const AGREEMENT_XX = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）

describe('receipt funding source vs owner (D3, D6, D21, D23)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  let n = 0;
  const line = (batchNo: string, extra: Record<string, unknown>) => ({
    itemId: QUILT,
    quantity: 5,
    batchNo,
    productionDate: '2026-01-01',
    expiryDate: '2029-05-01',
    unitPrice: '10.00',
    ...extra,
  });
  const tryReceive = (store: string, lines: Record<string, unknown>[]) =>
    t.gql(
      `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`,
      { input: { storeId: store, source: 'PURCHASE', contractNo: 'HT-F7', inspectionReportNo: 'YS-F7', idempotencyKey: `f7-${++n}`, lines } },
      'admin',
    );
  const batchCount = async (batchNo: string) =>
    (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM batches WHERE batch_no = ${batchNo}`))[0].n;
  const operatorOf = async (store: string) =>
    (await queryRows<{ id: string }>(t.database.db, sql`SELECT operator_org_id::text AS id FROM stores WHERE id = ${store}::uuid`))[0].id;

  it('D3/D23: government-funded goods into an agreement store as the company’s own are refused at lines.N.fundingSource, nothing posted', async () => {
    // Sweep 21b F3: a line naming no owner is owned by its funds' government where the store may record it — PROVINCE,
    // CITY and COUNTY funds here (牧野区 store) are that government's (企业代储, below), so only funds no government of
    // the store's stands for (CENTRAL; TOWNSHIP, below the store's level) fall to the store's default owner, the company.
    for (const funding of ['CENTRAL', 'TOWNSHIP']) {
      const res = await tryReceive(AGREEMENT_XX, [line('F7-OK-1', {}), line(`F7-GOV-${funding}`, { fundingSource: funding })]);
      expect(res.errors?.[0].extensions?.code, funding).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions?.field).toBe('input.lines.1.fundingSource');
      expect(res.errors?.[0].message).toContain('协议储备存放的是企业自有物资');
      expect(res.errors?.[0].message).toContain('企业代储');
      expect(await batchCount(`F7-GOV-${funding}`)).toBe(0);
      expect(await batchCount('F7-OK-1')).toBe(0);
    }
    // Named as the company's explicitly: the same.
    const company = await operatorOf(AGREEMENT_XX);
    const named = await tryReceive(AGREEMENT_XX, [line('F7-GOV-NAMED', { fundingSource: 'CITY', ownerOrgId: company })]);
    expect(named.errors?.[0].extensions?.field).toBe('input.lines.0.fundingSource');
  });

  it('D3, D6, D21 (sweep 21b F3): PROVINCE/CITY/COUNTY funds at the agreement store without owner are that government’s, 企业代储', async () => {
    const res = await tryReceive(
      AGREEMENT_XX,
      ['PROVINCE', 'CITY', 'COUNTY'].map((f) => line(`F7-GOV-OWN-${f}`, { fundingSource: f })),
    );
    expect(res.errors).toBeUndefined();
    const rows = await queryRows<{ batch_no: string; mode: string; owner: string }>(
      t.database.db,
      sql`SELECT b.batch_no, b.reserve_mode::text AS mode, o.name AS owner FROM batches b JOIN organizations o ON o.id = b.owner_org_id
           WHERE b.batch_no LIKE 'F7-GOV-OWN-%' ORDER BY b.batch_no`,
    );
    expect(rows.map((r) => [r.batch_no, r.mode, r.owner])).toEqual([
      ['F7-GOV-OWN-CITY', 'ENTRUSTED', '新乡市人民政府'],
      ['F7-GOV-OWN-COUNTY', 'ENTRUSTED', '牧野区人民政府'],
      ['F7-GOV-OWN-PROVINCE', 'ENTRUSTED', '河南省人民政府'],
    ]);
  });

  it('D6: the company’s own (ENTERPRISE, DONATION or unstated) goods at its agreement store are still received', async () => {
    await receive(t, 'admin', AGREEMENT_XX, [
      line('F7-ENT-1', { fundingSource: 'ENTERPRISE' }),
      line('F7-DON-1', { fundingSource: 'DONATION' }),
      line('F7-DEF-1', {}),
    ]);
  });

  it('D6 reverse: ENTERPRISE funding booked as government stock (entrusted or government store) is refused; named as the operator’s it is received', async () => {
    // Sweep 21b F3: without owner, ENTERPRISE funds at an entrusted store are its operator's own (the default its
    // receiptOwners entry shows), so only a government named as owner books them as government stock there.
    const owners = await t.gql(`query($s: ID!) { receiptOwners(storeId: $s) { level organization { id } } }`, { s: ENTRUSTED_XX }, 'admin');
    const governmentOwner = (owners.data!.receiptOwners as { level: string | null; organization: { id: string } }[]).find((o) => o.level === 'COUNTY')!
      .organization.id;
    const ent = await tryReceive(ENTRUSTED_XX, [line('F7-ENT-GOV-1', { fundingSource: 'ENTERPRISE', ownerOrgId: governmentOwner })]);
    expect(ent.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(ent.errors?.[0].extensions?.field).toBe('input.lines.0.fundingSource');
    expect(ent.errors?.[0].message).toContain('本库运营企业');
    const gov = await tryReceive(XINXIANG, [line('F7-ENT-GOV-2', { fundingSource: 'ENTERPRISE' })]);
    expect(gov.errors?.[0].extensions?.field).toBe('input.lines.0.fundingSource');
    expect(gov.errors?.[0].message).toContain('捐赠');
    expect(await batchCount('F7-ENT-GOV-1')).toBe(0);
    expect(await batchCount('F7-ENT-GOV-2')).toBe(0);
    await receive(t, 'admin', ENTRUSTED_XX, [line('F7-ENT-OWN', { fundingSource: 'ENTERPRISE', ownerOrgId: await operatorOf(ENTRUSTED_XX) })]);
    const [byDefault] = (await receive(t, 'admin', ENTRUSTED_XX, [line('F7-ENT-DEFAULT', { fundingSource: 'ENTERPRISE' })])).lines;
    const [row] = await queryRows<{ owner: string; mode: string }>(
      t.database.db,
      sql`SELECT owner_org_id::text AS owner, reserve_mode::text AS mode FROM batches WHERE id = ${byDefault.batch.id}::uuid`,
    );
    expect(row).toEqual({ owner: await operatorOf(ENTRUSTED_XX), mode: 'AGREEMENT' });
  });
});
