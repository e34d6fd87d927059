import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { queryRows } from '../../drizzle/client.ts';
import { CUT_FOR_SIZE } from '../../server/audit/log.ts';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, key, QUILT, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';

// Sweep 23b (D22 "every change is journaled: who, when, what"; DESIGN The edge "refusals are logged too"): what an audit
// row records.
// - F2: a plan request's row keeps its destinations' lines (items, quantities): the input is cut by size, never by
//   nesting depth, and a cut says so.
// - F3: removeQuota's row is filed under the quota's region (a regional auditor reads it) and says what was removed.
// - F1: an edit in place (updateUser, upsertQuota of an existing quota, updateStore) keeps what it replaced, `prior`.
// - F7: a mutation refused at the edge (two in one request, nesting too deep, a validation error) has its rows.

const t = useTestApp();
const COAT = itemId('LIV-005'); // 棉大衣

interface Row {
  id: number;
  operation: string;
  outcome: string;
  message: string | null;
  username: string | null;
  subject_region_code: string | null;
  input: any;
}
const lastId = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT coalesce(max(id), 0)::int AS n FROM audit_log`))[0].n);
/** The rows written after `after`, oldest first, input as JSON (a test user's first sign-in is not what a test looks at). */
const rowsAfter = async (after: number): Promise<Row[]> =>
  (
    await queryRows<Omit<Row, 'input'> & { input: string | null }>(
      t.database.db,
      sql`SELECT id::int AS id, operation, outcome, message, username, subject_region_code, input::text AS input FROM audit_log
           WHERE id > ${after} AND operation <> 'login' ORDER BY id`,
    )
  ).map((r) => ({ ...r, input: r.input === null ? null : JSON.parse(r.input) }));

const POINT = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };
const incident = async () =>
  ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '卫辉市洪涝（23b）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.06 }, affectedPopulation: 3000 } },
      'dispatcher',
    ),
  ).createIncident.id as string;
const REQUEST = `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`;

describe('sweep 23b F2 (D22): the row of a plan request keeps what was requested', () => {
  it('D22: requestDispatch’s row keeps each destination’s lines — items and quantities — not 「…」', async () => {
    const incidentId = await incident();
    const after = await lastId();
    const lines = [
      { itemId: QUILT, quantity: 40 },
      { itemId: COTTON_TENT, quantity: 20 },
    ];
    await t.gql(REQUEST, { i: { incidentId, destinations: [{ ...POINT, lines }] } }, 'dispatcher');
    const [row] = (await rowsAfter(after)).filter((r) => r.operation === 'requestDispatch');
    expect(row.input.input.destinations[0].lines).toEqual(lines);
  });

  it('D22: an input past the size bound is cut by size, and the cut says so', async () => {
    const incidentId = await incident();
    const after = await lastId();
    const destinations = Array.from({ length: 20 }, (_, d) => ({
      ...POINT,
      name: `安置点${d}`.padEnd(60, '号'),
      lines: Array.from({ length: 20 }, (_, i) => ({ itemId: i % 2 ? QUILT : COTTON_TENT, quantity: i + 1 })),
    }));
    await t.gql(REQUEST, { i: { incidentId, destinations } }, 'dispatcher');
    const [row] = (await rowsAfter(after)).filter((r) => r.operation === 'requestDispatch');
    const kept = row.input.input.destinations as unknown[];
    // The first destinations whole, lines and all; where the bound was reached, the marker.
    expect(kept[0]).toMatchObject({ lines: destinations[0].lines });
    expect(JSON.stringify(row.input)).toContain(CUT_FOR_SIZE);
    expect(JSON.stringify(row.input).length).toBeLessThan(20_000);
  });
});

const QUOTA = `mutation($input: QuotaInput!) { upsertQuota(input: $input) { id } }`;
const REMOVE = `mutation($id: ID!) { removeQuota(id: $id) { id } }`;
const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 100) { edges { node { operation outcome input subjectRegionCode } } } }`;
const auditorReads = async (as: string, operation: string) =>
  ok(await t.gql(AUDIT, { f: { operation } }, as)).auditLog.edges.map((e: any) => ({ ...e.node, input: JSON.parse(e.node.input) }));

describe('sweep 23b F3 (D19, D22): removeQuota’s row is the quota’s region’s and says what was removed', () => {
  it('D22: a region quota removed — filed under 卫辉市, read by the 新乡 auditor, naming item, region and quantity', async () => {
    const id = ok(await t.gql(QUOTA, { input: { itemId: COAT, quantity: 50000, regionCode: '410781' } }, 'admin')).upsertQuota.id;
    ok(await t.gql(REMOVE, { id }, 'admin'));
    const rows = (await auditorReads('auditor', 'removeQuota')).filter((r: any) => r.input.id === id);
    expect(rows).toEqual([
      {
        operation: 'removeQuota',
        outcome: 'OK',
        subjectRegionCode: '410781000000',
        input: { id, prior: { itemId: COAT, storeId: null, regionCode: '410781000000', quantity: 50000 } },
      },
    ]);
  });

  it('D22: a store quota removed — filed under the store’s region, naming item, store and quantity', async () => {
    const id = ok(await t.gql(QUOTA, { input: { itemId: COAT, quantity: 2000, storeId: WEIHUI } }, 'admin')).upsertQuota.id;
    ok(await t.gql(REMOVE, { id }, 'admin'));
    const rows = (await auditorReads('auditor', 'removeQuota')).filter((r: any) => r.input.id === id);
    expect(rows).toMatchObject([
      { outcome: 'OK', subjectRegionCode: '410781000000', input: { prior: { itemId: COAT, storeId: WEIHUI, regionCode: null, quantity: 2000 } } },
    ]);
  });
});

describe('sweep 23b F1 (D22): an edit in place keeps the values it replaced', () => {
  it('D22: updateUser — the prior role beside the new; a field set to what it was is not repeated', async () => {
    const id = ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: 's23b-au', displayName: '卫辉审计员', password: 'Created-Secret-789', role: 'AUDITOR', regionCode: '410781' } },
        'admin',
      ),
    ).createUser.id;
    const after = await lastId();
    ok(
      await t.gql(
        `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }`,
        { id, i: { role: 'DISPATCHER', regionCode: '410781', displayName: '卫辉调度员' } },
        'admin',
      ),
    );
    const [row] = await rowsAfter(after);
    expect(row).toMatchObject({ operation: 'updateUser', outcome: 'OK' });
    expect(row.input).toEqual({
      id,
      input: { role: 'DISPATCHER', regionCode: '410781', displayName: '卫辉调度员' },
      prior: { role: 'AUDITOR', displayName: '卫辉审计员' },
    });
  });

  it('D19, D22: upsertQuota — a new quota keeps no prior; setting it again keeps the quantity it replaced', async () => {
    const after = await lastId();
    ok(await t.gql(QUOTA, { input: { itemId: COAT, quantity: 900, storeId: XINXIANG_COUNTY } }, 'admin'));
    ok(await t.gql(QUOTA, { input: { itemId: COAT, quantity: 300, storeId: XINXIANG_COUNTY } }, 'admin'));
    const rows = (await rowsAfter(after)).filter((r) => r.operation === 'upsertQuota');
    expect(rows.map((r) => r.input.prior ?? null)).toEqual([null, { quantity: 900 }]);
  });

  it('D22: updateStore — the prior address beside the new', async () => {
    const before = ok(await t.gql(`query($id: ID!) { store(id: $id) { address } }`, { id: WEIHUI }, 'admin')).store.address;
    const after = await lastId();
    ok(
      await t.gql(
        `mutation($id: ID!, $i: UpdateStoreInput!) { updateStore(id: $id, input: $i) { id } }`,
        { id: WEIHUI, i: { address: '卫辉市S23B路1号' } },
        'admin',
      ),
    );
    const [row] = await rowsAfter(after);
    expect(row.input).toEqual({ id: WEIHUI, input: { address: '卫辉市S23B路1号' }, prior: { address: before } });
  });
});

const receipt = (idempotencyKey: string) =>
  `receiveStock(input: { storeId: "${WEIHUI}", source: DONATION, idempotencyKey: "${idempotencyKey}", lines: [{ itemId: "${QUILT}", quantity: 1, unitPrice: "1.00" }] })`;

describe('sweep 23b F7 (D22, DESIGN The edge): a mutation refused at the edge has its audit rows', () => {
  it('D22: two mutations in one request — a row per mutation, the code and the Chinese message', async () => {
    const after = await lastId();
    const res = await t.gql(`mutation { a: ${receipt(key())} { id } b: ${receipt(key())} { id } }`, {}, 'keeper');
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const rows = await rowsAfter(after);
    expect(rows.map((r) => [r.operation, r.outcome, r.username])).toEqual([
      ['receiveStock', 'BAD_USER_INPUT', 'keeper'],
      ['receiveStock', 'BAD_USER_INPUT', 'keeper'],
    ]);
    expect(rows[0].message).toContain('一次请求只能提交一个操作');
    expect(rows[0].input.input.lines).toEqual([{ itemId: QUILT, quantity: 1, unitPrice: '1.00' }]);
  });

  it('D22: a mutation whose selection nests too deep — one row', async () => {
    const after = await lastId();
    const deep = `store { region { ${'parent { '.repeat(13)}code${' }'.repeat(13)} } }`;
    const res = await t.gql(`mutation { ${receipt(key())} { ${deep} } }`, {}, 'keeper');
    expect(res.errors?.[0].message).toContain('查询嵌套过深');
    const rows = await rowsAfter(after);
    expect(rows.map((r) => [r.operation, r.outcome])).toEqual([['receiveStock', 'BAD_USER_INPUT']]);
    expect(rows[0].message).toContain('查询嵌套过深');
  });

  it('D22: a validation error on a mutation document (an unknown field) — one row, the field as sent', async () => {
    const after = await lastId();
    const res = await t.gql(`mutation { ${receipt(key())} { id noSuchField } }`, {}, 'keeper');
    expect(res.errors?.length).toBeGreaterThan(0);
    expect((await rowsAfter(after)).map((r) => [r.operation, r.outcome, r.username])).toEqual([['receiveStock', 'BAD_USER_INPUT', 'keeper']]);
  });

  it('D22: a query refused at the edge leaves no row', async () => {
    const after = await lastId();
    const res = await t.gql(`query { a: me { id } b: me { nope } }`, {}, 'keeper');
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(await rowsAfter(after)).toEqual([]);
  });
});
