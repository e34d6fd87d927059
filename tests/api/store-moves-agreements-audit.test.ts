import { beforeAll, describe, expect, it } from 'vitest';
import { agreementRaw, createAgreement } from '../support/agreements.ts';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged } from '../support/refusals.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Moving a store to another region (updateStore regionCode), sweep 12c:
// C3 — a store an agreement names stays in that agreement's region (D6, D21, D31), as createAgreement requires;
// C6 — the move is in the audit log of the region the store left as well as of the one it reached (D22).
// Regions of 卫辉市 (410781): 孙杏村镇 …102, 太公镇 …101, 汲水镇 …100. The tests of this file share one database.

const t = useTestApp();

const SUNXING = '410781102000';
const TAIGONG = '410781101000';
const JISHUI = '410781100000';
const AT = { lat: 35.352, lng: 114.128 };

const STORE = `id name region { code }`;
const createStore = async (input: Record<string, unknown>): Promise<string> =>
  ok(await t.gql(`mutation($i: CreateStoreInput!) { createStore(input: $i) { id } }`, { i: { location: AT, ...input } }, 'admin')).createStore.id;
const updateStoreRaw = (id: string, input: Record<string, unknown>, as = 'admin') =>
  t.gql(`mutation($id: ID!, $i: UpdateStoreInput!) { updateStore(id: $id, input: $i) { ${STORE} } }`, { id, i: input }, as);
const regionOf = async (id: string) => ok(await t.gql(`query($id: ID!) { store(id: $id) { region { code } } }`, { id }, 'admin')).store.region.code;

/** An entrusted store (代储库) of `company` in `regionCode`. */
const entrustedStore = (code: string, name: string, company: string, regionCode = SUNXING) =>
  createStore({ code, name, regionCode, kind: 'ENTRUSTED', operatorName: company });

describe('D6, D21, D31 (sweep 12c C3): a store named by an agreement is not moved out of the agreement’s region', () => {
  it('D6, D21: an entrusted store of a township’s agreement in force → INVALID_STATE at input.regionCode naming the agreement; nothing changes', async () => {
    const company = '孙杏村镇测试物流有限公司';
    const store = await entrustedStore('T-C3-ET1', '孙杏村镇测试代储库', company);
    const agreementId = await createAgreement(t, {
      mode: 'ENTRUSTED',
      companyName: company,
      regionCode: SUNXING,
      storeId: store,
      contractNo: 'C3-HT-01',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      lines: [{ itemId: COTTON_TENT, quantity: 3 }],
    });
    await expectRefusedUnchanged(
      t,
      'updateStore',
      () => updateStoreRaw(store, { regionCode: TAIGONG }),
      'INVALID_STATE',
      '仓库「孙杏村镇测试代储库」是孙杏村镇与「孙杏村镇测试物流有限公司」的企业代储协议（合同编号 C3-HT-01，2026-01-01 至 2026-12-31）指定的仓库，不能改到协议所属区域以外的「太公镇」：协议的仓库须在协议所属区域内（其储备按该区域计价和调用）；如仓库确已搬迁，请新建仓库',
      { field: 'input.regionCode', regionCode: SUNXING, agreementIds: [agreementId], contractNos: ['C3-HT-01'] },
    );
    expect(await regionOf(store)).toBe(SUNXING);
    // The pair createAgreement refuses stays refused the other way round: the agreement still reads its store in its region.
    const agreements = ok(await t.gql(`{ agreements(regionCode: "${SUNXING}", first: 50) { edges { node { id store { region { code } } } } } }`, {}, 'admin'));
    expect(agreements.agreements.edges.find((e: any) => e.node.id === agreementId).node.store.region.code).toBe(SUNXING);
    // What else the store may change, it changes.
    expect(ok(await updateStoreRaw(store, { name: '孙杏村镇测试代储库（更名）' })).updateStore).toMatchObject({ region: { code: SUNXING } });
  });

  it('D21, D31: an expired agreement holds its store too (its fees and contract stay its region’s); a move inside the agreement’s region is allowed', async () => {
    const company = '卫辉测试代储有限公司';
    const store = await entrustedStore('T-C3-ET2', '卫辉测试代储二库', company);
    const expired = await createAgreement(t, {
      mode: 'ENTRUSTED',
      companyName: company,
      regionCode: '410781',
      storeId: store,
      validFrom: '2025-01-01',
      validTo: '2025-12-31',
      annualFee: '3650.00',
      lines: [{ itemId: COTTON_TENT, quantity: 2 }],
    });
    // 孙杏村镇 → 太公镇: both in 卫辉市, the agreement's region.
    expect(ok(await updateStoreRaw(store, { regionCode: TAIGONG })).updateStore.region.code).toBe(TAIGONG);
    await expectRefusedUnchanged(
      t,
      'updateStore',
      () => updateStoreRaw(store, { regionCode: '410700' }),
      'INVALID_STATE',
      '仓库「卫辉测试代储二库」是卫辉市与「卫辉测试代储有限公司」的企业代储协议（2025-01-01 至 2025-12-31）指定的仓库，不能改到协议所属区域以外的「新乡市」：协议的仓库须在协议所属区域内（其储备按该区域计价和调用）；如仓库确已搬迁，请新建仓库',
      { field: 'input.regionCode', agreementIds: [expired] },
    );
    expect(await regionOf(store)).toBe(TAIGONG);
    // A store no agreement names moves as before; createAgreement refuses the pair these refusals keep out.
    const other = await entrustedStore('T-C3-ET3', '太公镇测试代储库', '太公镇测试物流有限公司', TAIGONG);
    expect(ok(await updateStoreRaw(other, { regionCode: JISHUI })).updateStore.region.code).toBe(JISHUI);
    const res = await agreementRaw(t, {
      mode: 'ENTRUSTED',
      companyName: '太公镇测试物流有限公司',
      regionCode: TAIGONG,
      storeId: other,
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      lines: [{ itemId: COTTON_TENT, quantity: 1 }],
    });
    expect(res.errors?.[0]).toMatchObject({ message: '该仓库不在协议所属区域内', extensions: { code: 'BAD_USER_INPUT', field: 'input.storeId' } });
  });
});

const ENTRY = `username operation input outcome subjectRegionCode subjectPriorRegionCode`;
interface Entry {
  username: string;
  operation: string;
  input: string;
  outcome: string;
  subjectRegionCode: string | null;
  subjectPriorRegionCode: string | null;
}
const auditOf = async (as: string, filter: Record<string, unknown> = {}): Promise<Entry[]> =>
  ok(await t.gql(`query($f: AuditFilter) { auditLog(filter: $f, first: 500) { edges { node { ${ENTRY} } } } }`, { f: filter }, as)).auditLog.edges.map(
    (e: any) => e.node,
  );
/** The rows about one record, oldest first: [operation, outcome, region after, region before]. */
const rowsAbout = async (as: string, id: string, filter: Record<string, unknown> = {}) =>
  (await auditOf(as, filter))
    .filter((e) => JSON.parse(e.input).id === id || JSON.parse(e.input).input?.code === id)
    .reverse()
    .map((e) => [e.operation, e.outcome, e.subjectRegionCode, e.subjectPriorRegionCode]);

describe('D22 (sweep 12c C6): a store or user moved to another region is in the audit log of both regions', () => {
  const SUNXING_AUDITOR = 'sunxing-auditor';
  const TAIGONG_AUDITOR = 'taigong-auditor';
  let store: string;
  let dispatcher: string;

  beforeAll(async () => {
    const user = (input: Record<string, unknown>) =>
      t.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { password: TEST_PASSWORD, ...input } }, 'admin');
    ok(await user({ username: SUNXING_AUDITOR, displayName: '孙杏村镇审计员', role: 'AUDITOR', regionCode: SUNXING }));
    ok(await user({ username: TAIGONG_AUDITOR, displayName: '太公镇审计员', role: 'AUDITOR', regionCode: TAIGONG }));
    dispatcher = ok(await user({ username: 'sunxing-dispatcher', displayName: '孙杏村镇调度员', role: 'DISPATCHER', regionCode: SUNXING })).createUser.id;
    // The system-wide administrator (no region of its own): only the subject's regions put the rows in a township's log.
    store = await createStore({ code: 'T-C6-GS', name: '孙杏村镇审计测试储备点', regionCode: SUNXING, kind: 'GOVERNMENT' });
    ok(await updateStoreRaw(store, { regionCode: TAIGONG })); // 孙杏村镇 → 太公镇
    ok(await updateStoreRaw(store, { regionCode: JISHUI })); // 太公镇 → 汲水镇
    ok(await updateStoreRaw(store, { name: '汲水镇审计测试储备点' })); // no move
    ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { regionCode: "${TAIGONG}" }) { id } }`, { id: dispatcher }, 'admin'));
  });

  it('D22: the township the store left reads its move out — region after and before — and nothing of the store after it left', async () => {
    expect(await rowsAbout(SUNXING_AUDITOR, store)).toEqual([['updateStore', 'OK', TAIGONG, SUNXING]]);
    // The store's creation is read by its code (createStore's input has no id).
    expect(await rowsAbout(SUNXING_AUDITOR, 'T-C6-GS')).toEqual([['createStore', 'OK', SUNXING, null]]);
  });

  it('D22: the township it passed through reads it come and go; an edit that moves nothing keeps no prior region', async () => {
    expect(await rowsAbout(TAIGONG_AUDITOR, store)).toEqual([
      ['updateStore', 'OK', TAIGONG, SUNXING],
      ['updateStore', 'OK', JISHUI, TAIGONG],
    ]);
    expect(await rowsAbout('admin', store)).toEqual([
      ['updateStore', 'OK', TAIGONG, SUNXING],
      ['updateStore', 'OK', JISHUI, TAIGONG],
      ['updateStore', 'OK', JISHUI, null],
    ]);
  });

  it('D22: the region filter reads the prior region too — the county auditor asking for 孙杏村镇 finds the move out', async () => {
    expect(await rowsAbout('auditor', store, { regionCode: SUNXING, operation: 'updateStore' })).toEqual([['updateStore', 'OK', TAIGONG, SUNXING]]);
  });

  it('D22: a user moved to another region likewise — 孙杏村镇’s auditor reads its dispatcher leaving', async () => {
    expect(await rowsAbout(SUNXING_AUDITOR, dispatcher, { operation: 'updateUser' })).toEqual([['updateUser', 'OK', TAIGONG, SUNXING]]);
  });
});
