import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { userId } from '../../seeds/demo.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';

// D29 发放到人: 安置点 opened for an incident, relief standards per region and item, distributions to households.

const BLANKET = itemId('LIV-006'); // 毛毯
const ID_NUMBER = '41078119800105123X';
const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};
// The selection leaves the incident out (a keeper managing the point reads it as reference data: contract-as-written.test.ts).
const DISTRIBUTION = `id number store { id } household { headName size idNumberMasked address }
  lines { quantity item { id } batch { batchNo } } distributedBy { username } distributedAt signatureRef overrideReason`;

describe('D29: distribution to households at a 安置点', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  let incidentId: string;
  let point: string;
  let second: string;

  const distribute = (input: Record<string, unknown>, as = 'keeper', idempotencyKey = key()) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { ${DISTRIBUTION} } }`,
      {
        i: {
          storeId: point,
          incidentId,
          household: { headName: '王建国', size: 3, idNumber: ID_NUMBER, address: '唐庄镇唐庄村三组 12 号' },
          // Sweep 23b F8: one slip, one distribution of the incident (D29) — each its own 签收凭证号, a replay its first one.
          signatureRef: `QZ-${idempotencyKey.slice(0, 8)}`,
          idempotencyKey,
          ...input,
        },
      },
      as,
    );

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 40, batchNo: 'DIST-MB-2031', expiryDate: '2031-01-01' },
      { itemId: QUILT, quantity: 10, batchNo: 'DIST-MB-2029', expiryDate: '2029-01-01' },
      { itemId: BLANKET, quantity: 20, batchNo: 'DIST-MT-2030', expiryDate: '2030-01-01' },
    ]);
    incidentId = await createIncident(t, { affectedPopulation: 1000, responseLevel: 4 });
  });

  it('D29: a dispatcher opens 安置点 for the incident with capacity and managers (keepers), who then receive there', async () => {
    const open = async (name: string, capacity: number) =>
      ok(
        await t.gql(
          `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id name kind capacity region { code } address } }`,
          {
            i: { incidentId, name, regionCode: '410781100000', lat: 35.475, lng: 114.012, address: '唐庄镇第一小学', capacity, managerIds: [userId('keeper')] },
          },
          'dispatcher',
        ),
      ).openDistributionPoint;
    const p = await open('唐庄镇第一小学安置点', 600);
    expect(p).toMatchObject({ kind: 'DISTRIBUTION_POINT', capacity: 600, region: { code: '410781100000' } });
    point = p.id;
    second = (await open('唐庄镇中学安置点', 400)).id;
    const notKeeper = await t.gql(
      `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
      { i: { incidentId, name: '错误安置点', regionCode: '410781100000', lat: 35.4, lng: 114.0, managerIds: [userId('auditor')] } },
      'dispatcher',
    );
    expect(errorCode(notKeeper)).toBe('BAD_USER_INPUT');
    expect(ext(notKeeper).field).toBe('input.managerIds.0');
    expect(
      errorCode(
        await t.gql(
          `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
          { i: { incidentId, name: '库管开设', regionCode: '410781100000', lat: 35.4, lng: 114 } },
          'keeper',
        ),
      ),
    ).toBe('FORBIDDEN');

    const shipped = ok(
      await shipRaw(t, 'keeper', {
        fromStoreId: WEIHUI,
        toStoreId: point,
        lines: [
          { itemId: QUILT, quantity: 50 },
          { itemId: BLANKET, quantity: 20 },
        ],
      }),
    ).shipTransfer;
    // The manager (the keeper, assigned to the point) receives there.
    ok(
      await receiveTransferRaw(t, 'keeper', {
        transferId: shipped.id,
        lines: shipped.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })),
      }),
    );
  });

  it('D29: relief standards per region and item; the one set nearest applies', async () => {
    const upsert = (input: Record<string, unknown>, as = 'dispatcher') =>
      t.gql(`mutation($i: ReliefStandardInput!) { upsertReliefStandard(input: $i) { region { code } item { id } perPerson perHousehold } }`, { i: input }, as);
    ok(await upsert({ regionCode: '410700', itemId: QUILT, perPerson: 2 }));
    ok(await upsert({ regionCode: '410781', itemId: QUILT, perPerson: 1 }));
    ok(await upsert({ regionCode: '410700', itemId: BLANKET, perHousehold: 2 }));
    expect(errorCode(await upsert({ regionCode: '410781', itemId: BLANKET }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await upsert({ regionCode: '410781', itemId: BLANKET, perPerson: 1, perHousehold: 1 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await upsert({ regionCode: '140500', itemId: BLANKET, perHousehold: 1 }))).toBe('FORBIDDEN');
    expect(errorCode(await upsert({ regionCode: '410781', itemId: BLANKET, perHousehold: 1 }, 'keeper'))).toBe('FORBIDDEN');
    const unknown = await upsert({ regionCode: '410781', itemId: '00000000-0000-4000-8000-000000000009', perPerson: 1 });
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.itemId' });
    const applied = ok(await t.gql(`{ reliefStandards(regionCode: "410781100000") { region { code } item { id } perPerson perHousehold } }`, {}, 'keeper'))
      .reliefStandards as any[];
    expect(applied.find((s) => s.item.id === QUILT)).toEqual({ region: { code: '410781000000' }, item: { id: QUILT }, perPerson: 1, perHousehold: null });
    expect(applied.find((s) => s.item.id === BLANKET)).toEqual({ region: { code: '410700000000' }, item: { id: BLANKET }, perPerson: null, perHousehold: 2 });
  });

  it('D28, D29: suggested demand per 安置点 from the affected population (shared by capacity) and the standards', async () => {
    const lines = ok(
      await t.gql(`query($id: ID!) { incident(id: $id) { suggestedDemand { store { id } item { id } people quantity } } }`, { id: incidentId }, 'dispatcher'),
    ).incident.suggestedDemand as any[];
    const at = (store: string, item: string) => lines.find((l) => l.store.id === store && l.item.id === item);
    expect(at(point, QUILT)).toMatchObject({ people: 600, quantity: 600 });
    expect(at(second, QUILT)).toMatchObject({ people: 400, quantity: 400 });
    // 毛毯 2 per household; 600 people ÷ 2.62 per household → 230 households.
    expect(at(point, BLANKET)).toMatchObject({ people: 600, quantity: 460 });
  });

  let first: any;
  it('D29: a manager distributes to a household: an issue from the point, FEFO, with the masked ID number only', async () => {
    first = ok(
      await distribute({
        signatureRef: 'QZ-0001',
        lines: [
          { itemId: QUILT, quantity: 3 },
          { itemId: BLANKET, quantity: 2 },
        ],
      }),
    ).distributeRelief;
    expect(first).toMatchObject({
      number: expect.stringMatching(/^CK-2026-\d{6}$/),
      store: { id: point },
      household: { headName: '王建国', size: 3, idNumberMasked: '410781********123X', address: '唐庄镇唐庄村三组 12 号' },
      distributedBy: { username: 'keeper' },
      signatureRef: 'QZ-0001',
      overrideReason: null,
    });
    // The quantities handed over, positive (D29; the issue's own lines keep the signed stock change).
    expect(first.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
      ['DIST-MB-2029', 3],
      ['DIST-MT-2030', 2],
    ]);
    // Store only what is needed: the full ID number is nowhere in the database, not even in the audit log.
    const [found] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT (SELECT count(*) FROM distributions WHERE id_number_masked LIKE '%19800105%')
               + (SELECT count(*) FROM audit_log WHERE input::text LIKE '%19800105%')
               + (SELECT count(*) FROM documents WHERE recipient LIKE '%王建国%' OR details::text LIKE '%19800105%') AS n`,
    );
    expect(Number(found.n)).toBe(0);
  });

  it('D29: idempotent — the same key and input return the first distribution and post nothing more', async () => {
    const k = key();
    const a = ok(
      await distribute({ household: { headName: '李秀英', size: 1, idNumber: '410781195502053344' }, lines: [{ itemId: QUILT, quantity: 1 }] }, 'keeper', k),
    ).distributeRelief;
    const b = ok(
      await distribute({ household: { headName: '李秀英', size: 1, idNumber: '410781195502053344' }, lines: [{ itemId: QUILT, quantity: 1 }] }, 'keeper', k),
    ).distributeRelief;
    expect(b.id).toBe(a.id);
    const again = await distribute(
      { household: { headName: '李秀英', size: 1, idNumber: '410781195502053344' }, lines: [{ itemId: QUILT, quantity: 2 }] },
      'keeper',
      k,
    );
    expect(errorCode(again)).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('D29: the standard holds per household across several distributions; beyond it only with an override reason', async () => {
    // 王建国's household (3 people) has had 3 棉被 (1 per person) and 2 毛毯 (2 per household).
    const more = await distribute({ lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(errorCode(more)).toBe('BAD_USER_INPUT');
    expect(ext(more)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 3, already: 3, requested: 1 });
    expect(more.errors![0].message).toContain('救助标准');
    // The same household is recognised by its head and masked ID number, whoever records it and with another address.
    const blanket = await distribute(
      { household: { headName: '王 建国', size: 3, idNumber: ID_NUMBER.toLowerCase() }, lines: [{ itemId: BLANKET, quantity: 1 }] },
      'dispatcher',
    );
    expect(errorCode(blanket)).toBe('BAD_USER_INPUT');
    // A blank reason is named as the field the keeper fills in (sweep 8b F6: it was called 调整理由 here only).
    const blank = await distribute({ lines: [{ itemId: QUILT, quantity: 1 }], overrideReason: '  ' });
    expect(errorCode(blank)).toBe('BAD_USER_INPUT');
    expect(blank.errors![0].message).toBe('超标准发放原因：不能只填空白；无须超标准发放时不填');
    const override = ok(await distribute({ lines: [{ itemId: QUILT, quantity: 1 }], overrideReason: '家中有卧床老人，加发 1 床' })).distributeRelief;
    expect(override.overrideReason).toBe('家中有卧床老人，加发 1 床');
    // Another household of 3 starts afresh.
    ok(await distribute({ household: { headName: '赵四', size: 3, address: '唐庄镇唐庄村五组 3 号' }, lines: [{ itemId: QUILT, quantity: 3 }] }));
  });

  it('D29: bad input changes nothing — beyond the point stock, a household of 0, a head registered by ID number named alone, a point of another incident, a closed incident', async () => {
    const before = await stock(t, point);
    const tooMuch = await distribute({
      household: { headName: '钱五', size: 50, address: '唐庄镇' },
      lines: [{ itemId: QUILT, quantity: 45 }],
      overrideReason: '集体户（敬老院）',
    });
    expect(errorCode(tooMuch)).toBe('INSUFFICIENT_STOCK');
    const zero = await distribute({ household: { headName: '孙六', size: 0, address: '唐庄镇' }, lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(errorCode(zero)).toBe('BAD_USER_INPUT');
    expect(ext(zero).field).toBe('input.household.size');
    // D29: a household may be given by its head's name alone (relief-household-by-name.test.ts) — but not a head this
    // incident registered by ID number or address.
    const nameOnly = await distribute({ household: { headName: '王建国', size: 3 }, lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(errorCode(nameOnly)).toBe('BAD_USER_INPUT');
    expect(ext(nameOnly).field).toBe('input.household.idNumber');
    const notPoint = await distribute({ storeId: WEIHUI, lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(ext(notPoint).field).toBe('input.storeId');
    expect(errorCode(await distribute({ lines: [{ itemId: QUILT, quantity: 1 }] }, 'auditor'))).toBe('FORBIDDEN');
    expect(await stock(t, point)).toEqual(before);
  });

  it('D18, D29: distributions list and the trace of a batch ends at households (names only for roles that need them)', async () => {
    const list = ok(
      await t.gql(
        `query($f: DistributionFilter!) { distributions(filter: $f, first: 2) { totalCount edges { node { incident { id } household { headName } } } pageInfo { hasNextPage } } }`,
        { f: { incidentId } },
        'dispatcher',
      ),
    ).distributions;
    expect(list.totalCount).toBe(4);
    expect(list.edges[0].node.incident.id).toBe(incidentId);
    expect(list.pageInfo.hasNextPage).toBe(true);
    expect(errorCode(await t.gql(`query($f: DistributionFilter!) { distributions(filter: $f) { totalCount } }`, { f: { incidentId } }, 'auditor'))).toBe(
      'FORBIDDEN',
    );

    expect(first.lines[0].batch.batchNo).toBe('DIST-MB-2029');
    const trace = async (as: string) =>
      ok(
        await t.gql(
          `query($b: ID!) { batchTrace(batchId: $b) { householdsReached distributions { store { id } quantity householdSize distribution { household { headName idNumberMasked } } } } }`,
          { b: await batchIdOf(t, 'DIST-MB-2029') },
          as,
        ),
      ).batchTrace;
    const forDispatcher = await trace('dispatcher');
    expect(forDispatcher.householdsReached).toBe(3);
    expect(forDispatcher.distributions.map((d: any) => d.quantity).reduce((a: number, b: number) => a + b, 0)).toBe(8);
    expect(forDispatcher.distributions.map((d: any) => d.distribution.household)).toContainEqual({ headName: '王建国', idNumberMasked: '410781********123X' });
    const forAuditor = await trace('auditor');
    expect(forAuditor.householdsReached).toBe(3);
    expect(forAuditor.distributions.every((d: any) => d.distribution === null)).toBe(true);
  });

  it('D29: the incident balance shows distributed quantities and households served', async () => {
    const incident = ok(
      await t.gql(
        `query($id: ID!) { incident(id: $id) { householdsServed balance { item { id } distributed households } } }`,
        { id: incidentId },
        'dispatcher',
      ),
    ).incident;
    expect(incident.householdsServed).toBe(3);
    expect(incident.balance.find((b: any) => b.item.id === QUILT)).toEqual({ item: { id: QUILT }, distributed: 8, households: 3 });
    expect(incident.balance.find((b: any) => b.item.id === BLANKET)).toEqual({ item: { id: BLANKET }, distributed: 2, households: 1 });
  });

  it('D29: a closed incident takes no more distributions → INVALID_STATE', async () => {
    ok(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { closedAt } }`, { id: incidentId }, 'dispatcher'));
    const res = await distribute({ household: { headName: '吴八', size: 1, address: '唐庄镇' }, lines: [{ itemId: QUILT, quantity: 1 }] });
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(ext(res).field).toBe('input.incidentId');
    // Nor dispatch requests (each would open its 安置点) — nor suggestions of one (sweep 20a F4: the same refusal, one rule).
    const request = {
      incidentId,
      destinations: [{ name: '结束后的安置点', regionCode: '410781', lat: 35.4, lng: 114.07, lines: [{ itemId: QUILT, quantity: 1 }] }],
    };
    const requested = await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, { i: request }, 'dispatcher');
    expect(errorCode(requested)).toBe('INVALID_STATE');
    expect(requested.errors![0].message).toContain('已结束');
    const suggested = await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { lines { quantity } } }`, { i: request }, 'dispatcher');
    expect(errorCode(suggested)).toBe('INVALID_STATE');
    expect(suggested.errors![0]).toMatchObject({ message: requested.errors![0].message, extensions: { field: 'input.incidentId' } });
  });
});

async function stock(t: ReturnType<typeof useTestApp>, store: string) {
  const res = ok(
    await t.gql(
      `query($f: StockFilter!) { stock(filter: $f, first: 100) { edges { node { onHand batch { batchNo } } } } }`,
      { f: { storeId: store } },
      'admin',
    ),
  );
  return res.stock.edges.map((e: any) => e.node);
}

async function batchIdOf(t: ReturnType<typeof useTestApp>, batchNo: string) {
  const [row] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM batches WHERE batch_no = ${batchNo}`);
  return row.id;
}
