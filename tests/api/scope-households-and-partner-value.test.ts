import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { JINCHENG, key, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download } from '../support/paperwork.ts';
import { createIncident, stockedPoint } from '../support/relief.ts';

// Sweep 12b F1 (D29) and F7 (D20): what a reader's scope lets them see of a 安置点's households and of another
// jurisdiction's prices, the same on every path.

const t = useTestApp();

/** A user of this file, made by the system administrator, who signs in with the test password. */
async function createUser(username: string, role: string, regionCode: string) {
  const res = await t.gql(
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username, displayName: `用户 ${username}`, password: TEST_PASSWORD, role, regionCode } },
    'admin',
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
}

describe('D29 (sweep 12b F1): the households of a 安置点 follow one rule — who may hand out there', () => {
  const HEAD = '隐私乙某';
  const HOUSEHOLD = `household { headName idNumberMasked address size }`;
  let incidentId: string;
  let point: string;
  let documentId: string;
  let batchId: string;

  beforeAll(async () => {
    // 卫辉市's incident (410781) with a 安置点 in one of its townships (410781100000), managed by the demo keeper.
    ({ incidentId, point } = await stockedPoint(t, '乡镇范围安置点', 'SHB-MB-2031'));
    await createUser('shb-town', 'DISPATCHER', '410781100000'); // the point's township: covers the point, not the incident
    await createUser('shb-county', 'DISPATCHER', '410781000000'); // 卫辉市: covers both
    const handed = ok(
      await t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id lines { batch { id } } } }`,
        {
          i: {
            storeId: point,
            incidentId,
            household: { headName: HEAD, size: 3, idNumber: '410781198502023456', address: '隐私村隐私路 2 号' },
            lines: [{ itemId: itemId('LIV-004'), quantity: 2 }],
            signatureRef: `SHB-QZ-${key().slice(0, 8)}`, // one slip each (sweep 23b F8)
            idempotencyKey: key(),
          },
        },
        'keeper',
      ),
    ).distributeRelief;
    documentId = handed.id;
    batchId = handed.lines[0].batch.id;
  });

  const byStore = (as: string) =>
    t.gql(`query($s: ID!) { distributions(filter: { storeId: $s }) { totalCount edges { node { id ${HOUSEHOLD} } } } }`, { s: point }, as);
  const byIncident = (as: string) =>
    t.gql(`query($i: ID!) { distributions(filter: { incidentId: $i }) { totalCount edges { node { id ${HOUSEHOLD} } } } }`, { i: incidentId }, as);
  const unfiltered = (as: string) => t.gql(`query { distributions(filter: {}) { edges { node { id ${HOUSEHOLD} } } } }`, {}, as);
  const trace = async (as: string) =>
    ok(
      await t.gql(
        `query($b: ID!) { batchTrace(batchId: $b) { householdsReached distributions { store { id } quantity householdSize distribution { id ${HOUSEHOLD} } } } }`,
        { b: batchId },
        as,
      ),
    ).batchTrace;

  it('D29: a township dispatcher, refused the county incident and distributing at its point, is refused the point’s households on every path', async () => {
    // The product's own rule: distributing there is refused to the township. Sweep 21b F5: it reads the county's incident
    // now, as reference data only (as the township's keepers do) — not working for it, so its households stay refused.
    expect(ok(await t.gql(`query($i: ID!) { incident(id: $i) { id referenceOnly } }`, { i: incidentId }, 'shb-town')).incident).toEqual({
      id: incidentId,
      referenceOnly: true,
    });
    expect(errorCode(await byIncident('shb-town'))).toBe('FORBIDDEN');
    // Listed by the point: FORBIDDEN at the filter, as by the incident (it answered the names before).
    const listed = await byStore('shb-town');
    expect(errorCode(listed)).toBe('FORBIDDEN');
    expect(listed.errors![0].extensions.field).toBe('filter.storeId');
    expect(JSON.stringify(listed)).not.toContain(HEAD);
    // Unfiltered: none of the point's distributions.
    expect(ok(await unfiltered('shb-town')).distributions.edges).toEqual([]);
    // The trace: what left the point (quantities, household size), not who received it — as an auditor reads it.
    const traced = await trace('shb-town');
    expect(traced.distributions).toEqual([{ store: { id: point }, quantity: 2, householdSize: 3, distribution: null }]);
    expect(traced).toEqual(await trace('auditor'));
  });

  it('D29: the point’s ledger stays the township’s to read — the issue and its print, which name no household', async () => {
    const doc = ok(await t.gql(`query($id: ID!) { document(id: $id) { number recipient lines { quantity } } }`, { id: documentId }, 'shb-town')).document;
    expect(doc).toMatchObject({ recipient: '受灾群众（按户发放）', lines: [{ quantity: -2 }] });
    const printed = await download(t, `/paperwork/documents/${documentId}.html`, 'shb-town');
    expect(printed.status).toBe(200);
    expect(printed.text).toContain(doc.number);
    expect(printed.text).not.toContain(HEAD);
  });

  it('D29: the point’s manager and the command over the incident read the household on every path; auditors never', async () => {
    const household = { headName: HEAD, idNumberMasked: '410781********3456', address: '隐私村隐私路 2 号', size: 3 };
    for (const as of ['keeper', 'shb-county', 'dispatcher']) {
      const listed = ok(await byStore(as)).distributions.edges.map((e: any) => e.node);
      expect(listed, as).toEqual([{ id: documentId, household }]);
      expect(
        ok(await unfiltered(as)).distributions.edges.map((e: any) => e.node.id),
        as,
      ).toContain(documentId);
      expect((await trace(as)).distributions, as).toEqual([
        { store: { id: point }, quantity: 2, householdSize: 3, distribution: { id: documentId, household } },
      ]);
    }
    for (const as of ['shb-county', 'dispatcher'])
      expect(
        ok(await byIncident(as)).distributions.edges.map((e: any) => e.node),
        as,
      ).toEqual([{ id: documentId, household }]);
    expect(errorCode(await byStore('auditor'))).toBe('FORBIDDEN');
    expect(errorCode(await byIncident('auditor'))).toBe('FORBIDDEN');
    expect((await trace('auditor')).distributions.every((d: any) => d.distribution === null)).toBe(true);
  });
});

describe('D20 (sweep 12b F7): a plan’s approvals are valued over the lines the reader may price, as its 调拨令', () => {
  const PURIFIER = itemId('LIV-019'); // 应急净水设备: no stock in the demo data
  const YUNCHENG = storeId('S-140800-01'); // 运城市救灾物资储备库: no agreement with 新乡, its stock needs consent
  let plan: { id: string; lines: { store: { id: string }; quantity: number; needsConsent: boolean }[] };
  const lineOf = (store: string) => plan.lines.find((l) => l.store.id === store)!;

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: PURIFIER, quantity: 2, batchNo: 'SHB-JSSB-WH', unitPrice: '10000.00', expiryDate: '2031-01-01' }]);
    await receive(t, 'admin', JINCHENG, [{ itemId: PURIFIER, quantity: 4, batchNo: 'SHB-JSSB-JC', unitPrice: '12000.00', expiryDate: '2031-01-01' }]);
    await receive(t, 'admin', YUNCHENG, [{ itemId: PURIFIER, quantity: 6, batchNo: 'SHB-JSSB-YC', unitPrice: '11000.00', expiryDate: '2031-01-01' }]);
    ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', note: '豫晋联储' } },
        'admin',
      ),
    );
    await createUser('shb-yuncheng', 'DISPATCHER', '140800000000');
    const incidentId = await createIncident(t, { name: '卫辉市净水保障（价格）', affectedPopulation: 3000 });
    plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id lines { store { id } quantity needsConsent } } }`,
        {
          i: {
            incidentId,
            deadlineHours: 48,
            destinations: [{ name: '汲水镇净水点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: PURIFIER, quantity: 12 }] }],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch;
    // 卫辉's own 2, 晋城's 4 under the 联储 agreement, 运城's 6 asking consent.
    expect([WEIHUI, JINCHENG, YUNCHENG].map((s) => [lineOf(s).quantity, lineOf(s).needsConsent])).toEqual([
      [2, false],
      [4, false],
      [6, true],
    ]);
  });

  const approvalOf = async (kind: string, as: string) => {
    const edges = ok(
      await t.gql(
        `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { subjectId summary value } } } }`,
        { f: { kind, status: 'PENDING' } },
        as,
      ),
    ).approvals.edges;
    return edges.map((e: any) => e.node).find((n: any) => n.subjectId === plan.id);
  };
  const printedTotal = async (as: string) => {
    const res = await download(t, `/paperwork/dispatch-plans/${plan.id}.html`, as);
    expect(res.status).toBe(200);
    return /class="amount">([^<]+)</.exec(res.text)![1];
  };

  it('D20, D24: the plan’s approval is worth, to 新乡, its own line only — the 调拨令’s total — and says which lines it leaves out', async () => {
    // The line numbers the 调拨令 prints (序号).
    const lineNos = await queryRows<{ line_no: number }>(
      t.database.db,
      sql`SELECT line_no FROM dispatch_lines WHERE plan_id = ${plan.id}::uuid AND store_id IN (${JINCHENG}::uuid, ${YUNCHENG}::uuid) ORDER BY line_no`,
    );
    const hidden = `金额不含第 ${lineNos.map((r) => r.line_no).join('、')} 行`;
    for (const as of ['dispatcher', 'director', 'auditor']) {
      const approval = await approvalOf('DISPATCH_PLAN', as);
      // Before: 134000.00 = 2 × 10000 + 4 × 12000 (晋城's batch cost) + 6 × 11000 (运城's, consent still pending).
      expect(approval.value, as).toBe('20000.00');
      expect(approval.summary, as).toContain(hidden);
      expect(await printedTotal(as), as).toBe(approval.value);
    }
    // An administrator of the whole system prices every line, as the print shows them.
    const whole = await approvalOf('DISPATCH_PLAN', 'admin');
    expect(whole.value).toBe('134000.00');
    expect(whole.summary).not.toContain('金额不含');
    expect(await printedTotal('admin')).toBe('134000.00');
    // The record keeps what the plan is worth in all.
    const [stored] = await queryRows<{ value: string }>(
      t.database.db,
      sql`SELECT value::text FROM approvals WHERE subject_id = ${plan.id}::uuid AND kind = 'DISPATCH_PLAN'`,
    );
    expect(stored.value).toBe('134000.00');
  });

  it('D20, D25: the consent asked of 运城 is worth its stock to 运城, and nothing priced to the requester', async () => {
    const asked = await approvalOf('CROSS_REGION_USE', 'dispatcher');
    expect(asked.value).toBeNull(); // was 66000.00: 运城's batch cost
    expect(asked.summary).toContain('外地储备按数量调用，不列单价和金额');
    expect(asked.summary).not.toContain('金额不含');
    for (const as of ['shb-yuncheng', 'admin']) {
      const theirs = await approvalOf('CROSS_REGION_USE', as);
      expect(theirs.value, as).toBe('66000.00');
      expect(theirs.summary, as).not.toContain('外地储备');
    }
  });
});
