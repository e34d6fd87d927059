import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { seedDemoReserves } from '../../seeds/demo-reserves.ts';
import { seedDemoStock } from '../../seeds/demo-stock.ts';
import { batchIdOf } from '../../server/inventory/batch-ids.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, JINCHENG, key, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ledgerCounts, ok, receiveRaw } from '../support/ledger-ops.ts';

// Sweep finding H1. D3 owner ≠ holder, D21 valuation by funding source and owner, README "a receipt may not add to a
// batch number registered outside the receiver's scope", and receiveStock's own owner rule (the store's government, one
// above it, or a company store's operator): a receipt — or a call-off delivery, which is one — may add to an existing
// batch only if that batch is owned by one the receipt itself may give the goods. Readable is not enough: 晋城's
// JC-MZP-2110 becomes readable to 新乡's dispatcher once part of it ships into 卫辉 under the 新乡–晋城 联储 agreement;
// a donation to 卫辉, or tents a 新乡 agreement company delivers, posted into it would become 晋城市人民政府's, on city
// funds and a 2021 production date. Refused as a batch number taken elsewhere, naming nothing of that batch.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const JC_BATCH = 'JC-MZP-2110'; // 棉帐篷 ×300 at 晋城市救灾物资储备库 (demo stock), owner 晋城市人民政府, CITY funds
const WH_BATCH = 'WH-MZP-2005'; // 棉帐篷 ×150 at 卫辉市救灾物资储备库, owner 卫辉市人民政府
// The demo batches' ids, with this database's key (sweep 14a F1).
let JC_BATCH_ID = '';
let WH_BATCH_ID = '';
beforeAll(async () => {
  JC_BATCH_ID = await batchIdOf(t.database.db, COTTON_TENT, JC_BATCH);
  WH_BATCH_ID = await batchIdOf(t.database.db, COTTON_TENT, WH_BATCH);
});
const XX_BATCH = 'XX-MZP-2403'; // 棉帐篷 at 新乡市救灾物资储备库, owner 新乡市人民政府
const HUIMIN = '新乡市惠民百货配送有限公司'; // 新乡's agreement: 棉帐篷 500 at 2180.00 (demo reserves)
const TAKEN = `批号 ${JC_BATCH} 不能用于本次入库，请核对批号或另编一个批号`; // sweep 4 L4: without saying it is registered elsewhere
const BATCH = `id batchNo productionDate expiryDate unitPrice fundingSource reserveMode owner { name }`;
const PLAN = `id status lines { tier quantity store { id } batch { batchNo } destination { store { id } } }
  callOffs { id status quantity company { name } }`;

/** The batch as it stands, straight from the database (every attribute a receipt could have changed). */
const jcBatch = async () =>
  (
    await queryRows(
      t.database.db,
      sql`SELECT b.batch_no, b.production_date::text, b.expiry_date::text, b.unit_price::text, b.funding_source, b.reserve_mode, o.name AS owner
            FROM batches b LEFT JOIN organizations o ON o.id = b.owner_org_id WHERE b.id = ${JC_BATCH_ID}::uuid`,
    )
  )[0];
/** Each store's balance of the batch (on hand and in transit). */
const jcBalances = () =>
  queryRows(t.database.db, sql`SELECT store_id::text, on_hand, in_transit FROM balances WHERE batch_id = ${JC_BATCH_ID}::uuid ORDER BY store_id`);
const lastAudit = async (operation: string) =>
  (
    await queryRows<{ outcome: string; message: string | null }>(
      t.database.db,
      sql`SELECT outcome, message FROM audit_log WHERE operation = ${operation} ORDER BY id DESC LIMIT 1`,
    )
  )[0];
const errorOf = (res: GqlResult) => res.errors?.[0] ?? { message: '', extensions: {} as Record<string, unknown> };

let plan: any;
let point: string; // the 安置点 the plan ships to, in 卫辉市 (the dispatcher's scope)
let callOffId: string;

beforeAll(async () => {
  await seedDemoStock(t.database.db, t.clock);
  await seedDemoReserves(t.database.db, t.clock);
  const incidentId = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '卫辉市洪涝（H1）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.06 }, affectedPopulation: 20000 } },
      'dispatcher',
    ),
  ).createIncident.id;
  // The finding's plan: 2000 棉帐篷 take 晋城's JC-MZP-2110 under the 联储 agreement and a 新乡 agreement reserve.
  const destination = { name: '协议测试点', regionCode: '410781105000', lat: 35.45, lng: 113.97, lines: [{ itemId: COTTON_TENT, quantity: 2000 }] };
  const requested = ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
      { i: { incidentId, destinations: [destination] } },
      'dispatcher',
    ),
  ).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: requested.id }, 'director'));
  plan = ok(
    await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`,
      { p: requested.id, k: key() },
      'dispatcher',
    ),
  ).executeDispatchPlan;
  point = plan.lines[0].destination.store.id;
  callOffId = plan.callOffs.find((c: any) => c.company.name === HUIMIN).id;
});

describe('H1: a receipt never adds to a batch owned by one it may not give the goods (D3, D21)', () => {
  it('the setup: JC-MZP-2110 ships from 晋城 into 卫辉 and becomes readable to 新乡’s dispatcher; a 新乡 agreement call-off is issued', async () => {
    expect(plan.status).toBe('EXECUTING');
    // The plan line shows 晋城's store and quantity, not its batch (DispatchPlanLine.batch, sweep 12b F3: a 联储 partner's
    // line never names the batch); the batch itself becomes readable once shipped into 卫辉 (below).
    expect(plan.lines).toContainEqual(expect.objectContaining({ store: { id: JINCHENG }, batch: null, quantity: 300 }));
    expect(plan.callOffs).toContainEqual(expect.objectContaining({ id: callOffId, status: 'ISSUED', company: { name: HUIMIN } }));
    expect(await jcBalances()).toContainEqual({ store_id: point, on_hand: 0, in_transit: 300 });
    const seen = ok(await t.gql(`query($id: ID!) { batch(id: $id) { ${BATCH} } }`, { id: JC_BATCH_ID }, 'dispatcher')).batch;
    expect(seen).toMatchObject({ batchNo: JC_BATCH, fundingSource: 'CITY', owner: { name: '晋城市人民政府' } });
  });

  /** The refusal: BAD_USER_INPUT at `field`, the batch-taken wording, nothing of the batch, nothing written; audited. */
  async function expectRefused(operation: string, run: () => Promise<GqlResult>, field: string) {
    const before = { counts: await ledgerCounts(t), batch: await jcBatch(), balances: await jcBalances() };
    const res = await run();
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(errorOf(res).message).toBe(TAKEN);
    expect(errorOf(res).extensions.field).toBe(field);
    expect(errorOf(res).extensions).not.toHaveProperty('batchId');
    expect(errorOf(res).extensions).not.toHaveProperty('fields');
    expect(JSON.stringify(res.errors)).not.toMatch(/晋城|产权|2021|CITY/);
    expect(await ledgerCounts(t)).toEqual(before.counts);
    expect(await jcBatch()).toEqual(before.batch);
    expect(await jcBalances()).toEqual(before.balances);
    expect(before.batch).toMatchObject({ owner: '晋城市人民政府', funding_source: 'CITY', production_date: '2021-10-01' });
    // D22: the refusal has its audit row, which says no more than the answer.
    expect(await lastAudit(operation)).toEqual({ outcome: 'BAD_USER_INPUT', message: TAKEN });
  }

  const confirmDelivery = (extra: Record<string, unknown>) =>
    t.gql(
      `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id number lines { batch { ${BATCH} } } } }`,
      { i: { callOffId, idempotencyKey: key(), ...extra } },
      'dispatcher',
    );

  it('route a, D3/D21: a 新乡 agreement call-off delivered under 晋城’s batch number → BAD_USER_INPUT at input.batchNo; the call-off stays ISSUED', async () => {
    await expectRefused('confirmCallOffDelivery', () => confirmDelivery({ batchNo: JC_BATCH }), 'input.batchNo');
    await expectRefused('confirmCallOffDelivery', () => confirmDelivery({ batchNo: JC_BATCH, productionDate: '2021-10-01' }), 'input.batchNo');
    const callOffs = ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { callOffs { id status } } }`, { p: plan.id }, 'dispatcher')).dispatchPlan.callOffs;
    expect(callOffs.find((c: any) => c.id === callOffId).status).toBe('ISSUED');
  });

  it('route b, D3/D21: a donation to 卫辉 under 晋城’s batch number → BAD_USER_INPUT at input.lines.0.batchNo (with or without a donor named)', async () => {
    const line = { itemId: COTTON_TENT, quantity: 5, batchNo: JC_BATCH, productionDate: '2021-10-01', unitPrice: '2180.00' };
    const donation = (extra: Record<string, unknown>) => ({ storeId: WEIHUI, source: 'DONATION', lines: [line], ...extra });
    // With a donor (the path that registers organisations, batchFor) and without (the one round trip, ledger_prepare).
    await expectRefused('receiveStock', () => receiveRaw(t, 'dispatcher', donation({ sourceName: '某企业' })), 'input.lines.0.batchNo');
    await expectRefused('receiveStock', () => receiveRaw(t, 'dispatcher', donation({})), 'input.lines.0.batchNo');
    // At the 安置点 where part of the batch is in transit, and by the keeper at the keeper's store (who cannot read it), likewise.
    await expectRefused('receiveStock', () => receiveRaw(t, 'dispatcher', donation({ storeId: point })), 'input.lines.0.batchNo');
    await expectRefused('receiveStock', () => receiveRaw(t, 'keeper', donation({ sourceName: '某企业' })), 'input.lines.0.batchNo');
    // A later line refuses the whole receipt at that line.
    const two = { storeId: WEIHUI, source: 'DONATION', lines: [{ ...line, batchNo: `WH-H1-${key().slice(0, 6)}` }, line] };
    await expectRefused('receiveStock', () => receiveRaw(t, 'dispatcher', two), 'input.lines.1.batchNo');
  });

  it('what works stays: a keeper receives more of its own batch; a city batch moved within scope takes more at a county store', async () => {
    const own = ok(
      await receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'OTHER', lines: [{ itemId: COTTON_TENT, quantity: 2, batchNo: WH_BATCH }] }),
    ).receiveStock;
    expect(own.lines[0].batch.id).toBe(WH_BATCH_ID);
    // 新乡市人民政府's batch at 新乡县's store: a government above the store, one the receipt itself may name. (Not a
    // donation: a donation into a city-funded batch would book donated goods as city money, sweep 7b M2.)
    const county = ok(
      await receiveRaw(t, 'dispatcher', {
        storeId: XINXIANG_COUNTY,
        source: 'OTHER',
        sourceName: '某企业',
        lines: [{ itemId: COTTON_TENT, quantity: 3, batchNo: XX_BATCH }],
      }),
    ).receiveStock;
    expect(county.lines[0].batch.batchNo).toBe(XX_BATCH);
  });

  it('D3: a stated owner other than the batch’s (both ones the store may record) names the differing owner, as a differing price is named', async () => {
    const [xinxiang] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM organizations WHERE name = '新乡市人民政府'`);
    const before = await ledgerCounts(t);
    const res = await receiveRaw(t, 'dispatcher', {
      storeId: WEIHUI,
      source: 'OTHER',
      lines: [{ itemId: COTTON_TENT, quantity: 1, batchNo: WH_BATCH, ownerOrgId: xinxiang.id }],
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(errorOf(res).message).toBe(`批号 ${WH_BATCH} 已存在，且产权单位与已登记的不同`);
    expect(errorOf(res).extensions).toMatchObject({ field: 'input.lines.0.batchNo', batchId: WH_BATCH_ID, fields: ['ownerOrgId'] });
    expect(await ledgerCounts(t)).toEqual(before);
  });

  it('D3: a call-off never joins another government’s batch, even one the store may record; under a batch number of its own it is posted, the contracting government’s', async () => {
    // 卫辉市人民政府's WH-MZP-2005 is readable and recordable at a 卫辉 安置点, but the delivery is 新乡市人民政府's (D3).
    const before = await ledgerCounts(t);
    const local = await confirmDelivery({ batchNo: WH_BATCH });
    expect(errorCode(local)).toBe('BAD_USER_INPUT');
    expect(errorOf(local).extensions).toMatchObject({ field: 'input.batchNo', fields: ['ownerOrgId'] });
    expect(await ledgerCounts(t)).toEqual(before);

    const batchNo = `HM-MZP-${key().slice(0, 6)}`;
    const delivered = ok(await confirmDelivery({ batchNo, productionDate: '2026-07-01' })).confirmCallOffDelivery;
    expect(delivered.lines[0].batch).toMatchObject({
      batchNo,
      productionDate: '2026-07-01',
      unitPrice: '2180.00',
      fundingSource: 'CITY',
      reserveMode: 'PHYSICAL',
      owner: { name: '新乡市人民政府' },
    });
    expect(await jcBatch()).toMatchObject({ owner: '晋城市人民政府', production_date: '2021-10-01' });
  });
});
