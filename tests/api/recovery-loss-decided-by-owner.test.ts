import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { key, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ledgerCounts, ok } from '../support/ledger-ops.ts';
import { openPoint, PLAN_FIELDS, receiveAll } from '../support/relief.ts';

// D3, D24, D27 (sweep 20c F9): at recovery, goods counted damaged or lost at a 安置点 go to scrap (报废) and write-off (核销)
// on a second person's approval — which was the 安置点's side's whoever owned the goods: the city's command tents, lent
// to a county's plan, left the city's books on the county's approval alone. As a loss in transit is the sending side's
// (sweep 17b F1), another government's goods are now that government's to write off: the approval is its region's
// (the store they were shipped from, when its), and the county's other dispatcher is refused (FORBIDDEN, 产权方); the
// county's own goods in the same count stay the 安置点's to decide. The documents stay at the 安置点, pending in its view.

const t = useTestApp({ checkLedger: true });
const COMMAND_TENT = itemId('LIV-003'); // 救灾指挥帐篷: held only where this file puts it; always recovered (D12)
const APPROVAL = `id status kind store { id } region { code } requestedBy { username }`;

async function createUser(username: string, role: string, extra: Record<string, unknown>): Promise<void> {
  ok(
    await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username, displayName: `用户 ${username}`, password: TEST_PASSWORD, role, ...extra } },
      'admin',
    ),
  );
}

/** The pending scrap and write-off documents at `point` and their approvals, straight from the database. */
const lossesAt = (point: string) =>
  queryRows<{ id: string; type: string; status: string; batch_no: string; approval_id: string; approval_region: string; approval_store: string | null }>(
    t.database.db,
    sql`SELECT d.id::text, d.type::text, d.status::text, b.batch_no, a.id::text AS approval_id, a.region_code AS approval_region, a.store_id::text AS approval_store
          FROM documents d JOIN document_lines l ON l.document_id = d.id JOIN batches b ON b.id = l.batch_id
          JOIN approvals a ON a.subject_id = d.id AND a.kind::text = d.type::text
         WHERE d.store_id = ${point}::uuid AND d.type IN ('SCRAP', 'WRITE_OFF') ORDER BY d.type, b.batch_no`,
  );

describe('D3, D24, D27: another government’s goods damaged or lost at a county’s 安置点 are written off on that government’s approval (sweep 20c F9)', () => {
  let point: string;
  let planId: string;
  let cityBatch: string;
  let countyBatch: string;

  beforeAll(async () => {
    await createUser('wh-d1', 'DISPATCHER', { regionCode: '410781000000' }); // 卫辉市: plans and counts
    await createUser('wh-d2', 'DISPATCHER', { regionCode: '410781000000' }); // 卫辉市: the county's second person
    countyBatch = (
      await receive(t, 'admin', WEIHUI, [{ itemId: COMMAND_TENT, quantity: 2, batchNo: 'RLO-WH-ZHZP', unitPrice: '1000.00', expiryDate: '2034-01-01' }])
    ).lines[0].batch.id;
    cityBatch = (
      await receive(t, 'admin', XINXIANG, [{ itemId: COMMAND_TENT, quantity: 10, batchNo: 'RLO-XX-ZHZP', unitPrice: '1200.00', expiryDate: '2034-01-01' }])
    ).lines[0].batch.id;
    const incidentId = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        {
          i: {
            name: '卫辉市洪涝（回收他方物资核销）',
            type: 'FLOOD',
            regionCode: '410781',
            location: { lat: 35.4, lng: 114.07 },
            affectedPopulation: 500,
            responseLevel: 4,
          },
        },
        'wh-d1',
      ),
    ).createIncident.id;
    point = await openPoint(t, incidentId, '汲水镇回收核销安置点');
    // 卫辉's 2 tents, then 4 of the city's (its consent given by the city's dispatcher), approved alone in an emergency.
    const i = {
      incidentId,
      destinations: [
        { name: '汲水镇回收核销安置点', regionCode: '410781100000', lat: 35.47, lng: 114.01, storeId: point, lines: [{ itemId: COMMAND_TENT, quantity: 6 }] },
      ],
    };
    planId = ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, { i }, 'wh-d1')).requestDispatch.id;
    ok(await decideRaw(t, 'dispatcher', await pendingApprovalOf(t, planId, 'CROSS_REGION_USE'), 'APPROVE'));
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: planId }, 'wh-d1'));
    const plan = ok(
      await t.gql(
        `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN_FIELDS} } }`,
        { p: planId, k: key() },
        'wh-d1',
      ),
    ).executeDispatchPlan;
    expect(plan.lines.map((l: any) => [l.store.id, l.quantity]).sort()).toEqual(
      [
        [WEIHUI, 2],
        [XINXIANG, 4],
      ].sort(),
    );
    await receiveAll(t, plan, undefined, 'keeper');
    ok(
      await t.gql(
        `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
        {
          i: {
            planId,
            idempotencyKey: key(),
            lines: [
              { batchId: cityBatch, storeId: point, lost: 1, damaged: 1 },
              { batchId: countyBatch, storeId: point, lost: 1 },
            ],
          },
        },
        'wh-d1',
      ),
    );
  });

  it('D3, D24: the city’s tents’ scrap and write-off are the city’s (its store, its region); 卫辉’s own lost tent is the 安置点’s as before', async () => {
    expect(await lossesAt(point)).toEqual([
      expect.objectContaining({
        type: 'SCRAP',
        status: 'PENDING_APPROVAL',
        batch_no: 'RLO-XX-ZHZP',
        approval_region: '410700000000',
        approval_store: XINXIANG,
      }),
      expect.objectContaining({
        type: 'WRITE_OFF',
        status: 'PENDING_APPROVAL',
        batch_no: 'RLO-WH-ZHZP',
        approval_region: '410781100000',
        approval_store: point,
      }),
      expect.objectContaining({
        type: 'WRITE_OFF',
        status: 'PENDING_APPROVAL',
        batch_no: 'RLO-XX-ZHZP',
        approval_region: '410700000000',
        approval_store: XINXIANG,
      }),
    ]);
  });

  it('D24, D27: 卫辉’s second dispatcher may not decide the city’s (FORBIDDEN, 产权方; not in its queue), nothing changes — it decides 卫辉’s own', async () => {
    const losses = await lossesAt(point);
    const cities = losses.filter((l) => l.batch_no === 'RLO-XX-ZHZP');
    const queue = ok(await t.gql(`query { approvals(filter: { status: PENDING }, first: 500) { edges { node { id } } } }`, {}, 'wh-d2')).approvals.edges.map(
      (e: any) => e.node.id,
    );
    const before = await ledgerCounts(t);
    for (const loss of cities) {
      expect(queue).not.toContain(loss.approval_id);
      const res = await decideRaw(t, 'wh-d2', loss.approval_id, 'APPROVE');
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(res.errors![0].message).toContain('的物资属于新乡市人民政府');
      expect(res.errors![0].message).toContain('须由产权方审批，即由辖区包含「新乡市」的调度员或管理员审批');
    }
    expect(await ledgerCounts(t)).toEqual(before);
    // The pending ones still show at the 安置点: the documents' status, and to their requester the approval itself.
    const docs = ok(
      await t.gql(
        `query($s: ID!) { documents(filter: { storeId: $s, status: ["PENDING_APPROVAL"] }, first: 20) { edges { node { id status } } } }`,
        { s: point },
        'wh-d2',
      ),
    ).documents.edges.map((e: any) => e.node.id);
    for (const loss of losses) expect(docs).toContain(loss.id);
    const asRequester = ok(await t.gql(`query($id: ID!) { document(id: $id) { status approval { ${APPROVAL} } } }`, { id: cities[0].id }, 'wh-d1')).document;
    expect(asRequester).toMatchObject({
      status: 'PENDING_APPROVAL',
      approval: { status: 'PENDING', store: { id: XINXIANG }, region: { code: '410700000000' }, requestedBy: { username: 'wh-d1' } },
    });
    const own = losses.find((l) => l.batch_no === 'RLO-WH-ZHZP')!;
    expect(queue).toContain(own.approval_id);
    expect(ok(await decideRaw(t, 'wh-d2', own.approval_id, 'APPROVE')).decideApproval.status).toBe('APPROVED');
  });

  it('D3, D24: the city’s dispatcher decides the city’s: both posted', async () => {
    for (const loss of (await lossesAt(point)).filter((l) => l.batch_no === 'RLO-XX-ZHZP'))
      expect(ok(await decideRaw(t, 'director', loss.approval_id, 'APPROVE')).decideApproval.status).toBe('APPROVED');
    expect((await lossesAt(point)).map((l) => l.status)).toEqual(['POSTED', 'POSTED', 'POSTED']);
  });
});
