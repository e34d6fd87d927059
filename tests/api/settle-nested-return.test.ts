import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { QUILT, receive, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';

// D25, D15 (sweep 15b F3): a nested debt — 新乡县 owes 新乡市 — is settled by the transfer-in that brought the county's
// own goods from the county's store into the city's, though the county lies inside the city's region. Moving the
// city's own goods into the city's store is no return; a receipt into the county's own store never reached the city.

const t = useTestApp();
let cityGovernment: string;

/** 新乡县 owes 新乡市 `quantity` 棉被 (a settlement as a county plan using the city’s store opens, D15), dated before every document. */
async function countyOwesCity(quantity: number): Promise<string> {
  const id = randomUUID();
  await t.database.db.execute(
    sql`INSERT INTO settlements (id, status, owed_to_region, owed_by_region, store_id, item_id, quantity, value, created_at)
        VALUES (${id}::uuid, 'OPEN', '410700000000', '410721000000', ${XINXIANG}::uuid, ${QUILT}::uuid, ${quantity}, ${`${quantity * 158}.00`}, '2020-01-01T00:00:00Z')`,
  );
  return id;
}

/** Ships `batchId` (quantity) from the county's store into the city's and receives it: the TRANSFER_IN's id. */
async function countyToCity(batchId: string, quantity: number): Promise<string> {
  const shipped = ok(
    await shipRaw(t, 'admin', { fromStoreId: XINXIANG_COUNTY, toStoreId: XINXIANG, lines: [{ itemId: QUILT, batchId, quantity }] }),
  ).shipTransfer;
  ok(await receiveTransferRaw(t, 'director', { transferId: shipped.id, lines: [{ batchId, quantity }] }));
  const [doc] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM documents WHERE transfer_id = ${shipped.id}::uuid AND type = 'TRANSFER_IN'`);
  return doc.id;
}

const settle = (input: Record<string, unknown>) => t.gql(`mutation($i: SettleInput!) { settle(input: $i) { status documentId } }`, { i: input }, 'admin');

const countyBatch = async (batchNo: string, extra: Record<string, unknown> = {}) =>
  (await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: QUILT, quantity: 10, batchNo, unitPrice: '158.00', expiryDate: '2032-01-01', ...extra }])).lines[0]
    .batch.id as string;

beforeAll(async () => {
  await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 1, batchNo: 'F3-CITY-REG', unitPrice: '1.00', expiryDate: '2032-01-01' }]);
  [{ id: cityGovernment }] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text AS id FROM organizations WHERE name = '新乡市人民政府'`);
});

describe('D25/D15: a county repays its city in kind (sweep 15b F3)', () => {
  it('the transfer-in of the county’s own goods from its store into the city’s store settles what the county owes', async () => {
    const settlementId = await countyOwesCity(10);
    const documentId = await countyToCity(await countyBatch('F3-XXX-1'), 10);
    expect(ok(await settle({ settlementId, documentId })).settle).toEqual({ status: 'SETTLED', documentId });
  });

  it('the city’s own goods (owned by 新乡市, held in the county’s store) moved into the city’s store are no return', async () => {
    const settlementId = await countyOwesCity(10);
    const documentId = await countyToCity(await countyBatch('F3-CITY-OWN-1', { ownerOrgId: cityGovernment }), 10);
    const res = await settle({ settlementId, documentId });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions?.field).toBe('input.documentId');
    expect(res.errors?.[0].message).toContain('调入的物资不归欠方所有');
  });

  it('a receipt of the county’s goods into the county’s own store is refused for the true reason: they never reached the city', async () => {
    const settlementId = await countyOwesCity(10);
    const receipt = await receive(t, 'admin', XINXIANG_COUNTY, [
      { itemId: QUILT, quantity: 10, batchNo: 'F3-XXX-RK', unitPrice: '158.00', expiryDate: '2032-01-01' },
    ]);
    const res = await settle({ settlementId, documentId: receipt.id });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toContain('没有归还到被欠方的仓库');
    expect(res.errors?.[0].message).not.toContain('不归欠方所有');
  });
});
