import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { JINCHENG, key, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// D22 (sweep 19c F3): an audit row is read by the auditors of every region what the mutation acted on touches, not
// only of the one region it is filed under. A keeper put in custody of a 新乡 store and a 晋城 store is 晋城's to see
// too; a settlement marked paid by the region owed is the owing region's; a 联储 agreement is each of its regions'; a
// dispatch plan's approval and execution are the region's whose stock it takes. An auditor of a region none of them
// touches (运城) still reads none of them.

const PURIFIER = itemId('LIV-019'); // 应急净水设备: only 晋城 holds it here
const XINXIANG_AUDITOR = 'auditor'; // demo: 新乡市
const JINCHENG_AUDITOR = 'jc-auditor-f3';
const YUNCHENG_AUDITOR = 'yc-auditor-f3';
const KEEPER = 'km-two-cities';

const ENTRY = `id username operation input outcome regionCode subjectRegionCode subjectRegionCodes`;
const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 500) { edges { node { ${ENTRY} } } } }`;

interface Entry {
  id: string;
  username: string | null;
  operation: string;
  input: string | null;
  outcome: string;
  regionCode: string | null;
  subjectRegionCode: string | null;
  subjectRegionCodes: string[];
}

describe('D22 (sweep 19c F3): an audit row reaches every region its subject touches', () => {
  const t = useTestApp();
  const audit = async (as: string, f: Record<string, unknown> = {}): Promise<Entry[]> =>
    ok(await t.gql(AUDIT, { f }, as)).auditLog.edges.map((e: any) => e.node);
  /** The ids of the OK rows of `operation` whose input mentions `marker`, as the system-wide administrator reads them. */
  const rowsOf = async (operation: string, marker: string) => {
    const rows = (await audit('admin', { operation, outcome: 'OK' })).filter((e) => e.input!.includes(marker));
    expect(rows.length, `${operation} ${marker}`).toBeGreaterThan(0);
    return rows;
  };
  const seenBy = async (as: string, rows: Entry[]) => {
    const seen = new Set((await audit(as)).map((e) => e.id));
    return rows.map((r) => seen.has(r.id));
  };

  let keeperId: string;
  let planId: string;
  let agreementId: string;
  let settlementId: string;

  beforeAll(async () => {
    for (const [username, regionCode] of [
      [JINCHENG_AUDITOR, '140500'],
      [YUNCHENG_AUDITOR, '140800'],
    ]) {
      ok(
        await t.gql(
          `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
          { i: { username, displayName: `${username}审计员`, password: TEST_PASSWORD, role: 'AUDITOR', regionCode } },
          'admin',
        ),
      );
    }
    // A keeper of a 卫辉 store and a 晋城 store (the 卫辉 store first: the row was 卫辉's alone), renamed, then relieved
    // of the 晋城 store.
    keeperId = ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: KEEPER, displayName: '两地保管员', password: TEST_PASSWORD, role: 'KEEPER', storeIds: [WEIHUI, JINCHENG] } },
        'admin',
      ),
    ).createUser.id;
    ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { displayName: "两地保管员（改）" }) { id } }`, { id: keeperId }, 'admin'));
    ok(await t.gql(`mutation($id: ID!, $s: [ID!]) { updateUser(id: $id, input: { storeIds: $s }) { id } }`, { id: keeperId, s: [WEIHUI] }, 'admin'));

    // 新乡 and 晋城 in one 联储 agreement, 新乡 named first (the row was 新乡's alone).
    await receive(t, 'admin', JINCHENG, [{ itemId: PURIFIER, quantity: 4, batchNo: 'F3-JSSB-JC', unitPrice: '12000.00', expiryDate: '2031-01-01' }]);
    agreementId = ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', note: '豫晋联储 F3' } },
        'admin',
      ),
    ).createJointReserveAgreement.id;

    // 新乡's plan for a 卫辉 incident takes 晋城's stock under the agreement (the rows were the incident's region's alone).
    const incidentId = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '卫辉市净水保障 F3', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 1000 } },
        'dispatcher',
      ),
    ).createIncident.id;
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id lines { store { id } quantity } } }`,
        {
          i: {
            incidentId,
            deadlineHours: 48,
            destinations: [{ name: '汲水镇安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: PURIFIER, quantity: 4 }] }],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch;
    planId = plan.id;
    expect(plan.lines).toEqual([{ store: { id: JINCHENG }, quantity: 4 }]);
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: planId }, 'director'));
    ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: planId, k: key() }, 'dispatcher'));

    // 晋城 marks what 新乡 owes it settled (the row was 晋城's alone).
    const owed = ok(await t.gql(`query { settlements(status: OPEN) { id planId store { id } } }`, {}, 'jincheng')).settlements.find(
      (s: any) => s.planId === planId && s.store.id === JINCHENG,
    );
    settlementId = owed.id;
    ok(await t.gql(`mutation($i: SettleInput!) { settle(input: $i) { status } }`, { i: { settlementId, reference: '实物归还 F3' } }, 'jincheng'));
  });

  it('D22: the account of a keeper of a 卫辉 store and a 晋城 store — created, renamed, relieved of the 晋城 store — is in 晋城’s auditor’s log', async () => {
    const created = await rowsOf('createUser', KEEPER);
    const updated = await rowsOf('updateUser', keeperId);
    expect(updated).toHaveLength(2);
    for (const row of [...created, ...updated]) expect(row.subjectRegionCodes).toEqual(expect.arrayContaining(['410781000000', '140500000000']));
    expect(await seenBy(JINCHENG_AUDITOR, [...created, ...updated])).toEqual([true, true, true]);
    expect(await seenBy(XINXIANG_AUDITOR, [...created, ...updated])).toEqual([true, true, true]);
    expect(await seenBy(YUNCHENG_AUDITOR, [...created, ...updated])).toEqual([false, false, false]);
  });

  it('D22, D25: 晋城 settling what 新乡 owes it is in 新乡’s auditor’s log — the owing side — and not 运城’s', async () => {
    const settled = await rowsOf('settle', settlementId);
    expect(settled.map((e) => [e.regionCode, e.subjectRegionCode, e.subjectRegionCodes])).toEqual([
      ['140500000000', '140500000000', ['140500000000', '410700000000']],
    ]);
    expect(await seenBy(XINXIANG_AUDITOR, settled)).toEqual([true]);
    expect(await seenBy(JINCHENG_AUDITOR, settled)).toEqual([true]);
    expect(await seenBy(YUNCHENG_AUDITOR, settled)).toEqual([false]);
  });

  it('D20, D22: the creation of a 联储 agreement is in the log of each of its regions’ auditors, and not 运城’s', async () => {
    const created = await rowsOf('createJointReserveAgreement', '豫晋联储 F3');
    expect(created.map((e) => e.subjectRegionCodes)).toEqual([['410700000000', '140500000000']]);
    expect(await seenBy(XINXIANG_AUDITOR, created)).toEqual([true]);
    expect(await seenBy(JINCHENG_AUDITOR, created)).toEqual([true]);
    expect(await seenBy(YUNCHENG_AUDITOR, created)).toEqual([false]);
    expect(agreementId).toBeTruthy();
  });

  it('D14, D22, D25: the approval and execution of 新乡’s plan taking 晋城’s stock are in 晋城’s auditor’s log, and not 运城’s', async () => {
    const rows = [...(await rowsOf('approveDispatchPlan', planId)), ...(await rowsOf('executeDispatchPlan', planId))];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.subjectRegionCode).toBe('410781000000');
      expect(row.subjectRegionCodes).toEqual(expect.arrayContaining(['410781000000', '140500000000']));
    }
    expect(await seenBy(JINCHENG_AUDITOR, rows)).toEqual([true, true]);
    expect(await seenBy(YUNCHENG_AUDITOR, rows)).toEqual([false, false]);
    // The region filter reads these regions too: 晋城's auditor asking for 晋城 finds the execution.
    const filtered = await audit(JINCHENG_AUDITOR, { regionCode: '140500', operation: 'executeDispatchPlan' });
    expect(filtered.map((e) => e.id)).toContain(rows[1].id);
    // And 运城's auditor reads nothing outside 运城, by actor or by any region of the subject.
    for (const e of await audit(YUNCHENG_AUDITOR)) {
      expect(
        [e.regionCode, ...e.subjectRegionCodes].some((c) => c?.startsWith('1408')),
        JSON.stringify(e),
      ).toBe(true);
    }
  });
});
