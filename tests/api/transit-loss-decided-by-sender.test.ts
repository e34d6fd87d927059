import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { decideRaw } from '../support/authority.ts';
import { COTTON_TENT, QUILT, receive, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ledgerCounts, ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { createIncident, executedPlan } from '../support/relief.ts';

// D24, D27, D3 (sweep 17b F1): goods received short at another county's store, the rest declared lost in transit
// (TRANSIT_LOSS), are written off only on a second person's approval (D27) — someone with authority over the store
// (D24). Until received they are the sending side's goods (D3: owner ≠ holder; they were in transit from the store they
// left), so that store is the one: the write-off was queued at the receiving store and region, and the receiving
// county's own dispatcher approved it — the side that would keep the goods confirmed its own claim that they never
// arrived, and the sending side never saw it. Now the approval is the sending store's: its county's dispatchers (and
// the city above both, as before) see and decide it; the receiving county's dispatcher is refused (FORBIDDEN, 调出方)
// and does not see it in its queue. The 核销单 itself stays at the receiving store.

const t = useTestApp({ checkLedger: true });

const HUOJIA = storeId('S-410724-01'); // 获嘉县应急物资储备库
const ZHAIPO = storeId('S-410721101-01'); // 新乡县翟坡镇应急物资储备点, a township store of 新乡县

const APPROVAL = `id subjectId status kind store { id } region { code } requestedBy { username } decidedBy { username }`;

/** A user of this file, made by the system administrator; returns its id. */
async function createUser(username: string, role: string, extra: Record<string, unknown>): Promise<string> {
  const res = await t.gql(
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username, displayName: `用户 ${username}`, password: TEST_PASSWORD, role, ...extra } },
    'admin',
  );
  return ok(res).createUser.id;
}

/** The approvals `as` lists under `filter`. */
async function approvalsAs(as: string, filter: Record<string, unknown>): Promise<any[]> {
  const res = await t.gql(`query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { ${APPROVAL} } } } }`, { f: filter }, as);
  return ok(res).approvals.edges.map((e: any) => e.node);
}

const idsOf = (list: { id: string }[]) => list.map((a) => a.id);

/** The transfer's state, as the receiving side reads it. */
const transferState = async (transferId: string) =>
  ok(await t.gql(`query($id: ID!) { transfer(id: $id) { status lines { received lost inTransit pendingWriteOff } } }`, { id: transferId }, 'admin')).transfer;

/** The write-off (核销单) a receipt of `transferId` opened, and its approval, straight from the database. */
async function writeOffOf(transferId: string) {
  const [row] = await queryRows<{ id: string; store_id: string; status: string; approval_id: string; approval_status: string }>(
    t.database.db,
    sql`SELECT d.id::text, d.store_id::text, d.status::text, a.id::text AS approval_id, a.status::text AS approval_status
          FROM documents d JOIN approvals a ON a.subject_id = d.id AND a.kind = 'WRITE_OFF'
         WHERE d.type = 'WRITE_OFF' AND d.transfer_id = ${transferId}::uuid`,
  );
  return row;
}

/**
 * Ships `shipped` 棉被 from `from` to `to` (against an order the director approved) and has `receiver` receive
 * `received` of them, declaring the rest lost in transit: the transfer and its pending write-off.
 */
async function receivedShort(from: string, to: string, receiver: string, shipped = 40, received = 38) {
  const transfer = ok(await shipRaw(t, 'admin', { fromStoreId: from, toStoreId: to, lines: [{ itemId: QUILT, quantity: shipped }] })).shipTransfer;
  const batchId = transfer.lines[0].batch.id;
  const got = ok(
    await receiveTransferRaw(t, receiver, { transferId: transfer.id, lines: [{ batchId, quantity: received, discrepancyReason: 'TRANSIT_LOSS' }] }),
  ).receiveTransfer;
  expect(got.status).toBe('PARTIALLY_RECEIVED');
  return { transferId: transfer.id as string, batchId: batchId as string, writeOff: await writeOffOf(transfer.id) };
}

const refusal = (res: GqlResult) => ({ code: errorCode(res), field: res.errors?.[0]?.extensions?.field, message: res.errors?.[0]?.message });

beforeAll(async () => {
  await createUser('xx-d', 'DISPATCHER', { regionCode: '410721000000' }); // 新乡县: the sending county
  await createUser('hj-d', 'DISPATCHER', { regionCode: '410724000000' }); // 获嘉县: the receiving county
  await createUser('hj-keep', 'KEEPER', { storeIds: [HUOJIA] });
  await createUser('zp-keep', 'KEEPER', { storeIds: [ZHAIPO] });
  await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: QUILT, quantity: 500, batchNo: 'TLS-XXX-MB', unitPrice: '158.00', expiryDate: '2032-01-01' }]);
});

describe('D24, D27, D3 (sweep 17b F1): a loss in transit between two counties is decided by the sending side', () => {
  it('D24, D27, D3: the receiving county’s dispatcher neither sees the write-off in its queue nor may decide it (FORBIDDEN, 调出方), nothing changes', async () => {
    const { transferId, writeOff } = await receivedShort(XINXIANG_COUNTY, HUOJIA, 'hj-keep');
    expect(writeOff).toMatchObject({ store_id: HUOJIA, status: 'PENDING_APPROVAL', approval_status: 'PENDING' }); // the 核销单 stays at 获嘉
    expect(idsOf(await approvalsAs('hj-d', { status: 'PENDING' }))).not.toContain(writeOff.approval_id);
    expect(idsOf(await approvalsAs('hj-d', { status: 'PENDING', kind: 'WRITE_OFF', mine: 'TO_DECIDE' }))).not.toContain(writeOff.approval_id);
    const before = await ledgerCounts(t);
    for (const decision of ['APPROVE', 'REJECT'] as const) {
      const res = await decideRaw(t, 'hj-d', writeOff.approval_id, decision);
      expect(refusal(res)).toMatchObject({ code: 'FORBIDDEN', field: 'input.approvalId' });
      expect(res.errors![0].message).toContain('调出方');
      expect(res.errors![0].message).toContain('新乡县救灾物资储备库');
    }
    // The receiving keeper who reported it still has it among their own requests (keepers decide nothing, D24).
    expect(idsOf(await approvalsAs('hj-keep', { mine: 'REQUESTED' }))).toContain(writeOff.approval_id);
    expect(refusal(await decideRaw(t, 'hj-keep', writeOff.approval_id, 'APPROVE')).code).toBe('FORBIDDEN');
    expect(await ledgerCounts(t)).toEqual(before);
    expect(await writeOffOf(transferId)).toEqual(writeOff);
    expect(await transferState(transferId)).toEqual({
      status: 'PARTIALLY_RECEIVED',
      lines: [{ received: 38, lost: 0, inTransit: 2, pendingWriteOff: 2 }],
    });
  });

  it('D24, D27, D3: the sending county’s dispatcher sees it (the sending store’s, its region’s) and approves it; the transfer closes', async () => {
    const { transferId, writeOff } = await receivedShort(XINXIANG_COUNTY, HUOJIA, 'hj-keep');
    const expected = {
      id: writeOff.approval_id,
      subjectId: writeOff.id,
      status: 'PENDING',
      kind: 'WRITE_OFF',
      store: { id: XINXIANG_COUNTY },
      region: { code: '410721000000' },
      requestedBy: { username: 'hj-keep' },
      decidedBy: null,
    };
    expect(await approvalsAs('xx-d', { status: 'PENDING' })).toContainEqual(expected);
    expect(await approvalsAs('xx-d', { status: 'PENDING', kind: 'WRITE_OFF', mine: 'TO_DECIDE' })).toContainEqual(expected);
    expect(ok(await decideRaw(t, 'xx-d', writeOff.approval_id, 'APPROVE')).decideApproval).toMatchObject({
      status: 'APPROVED',
      decidedBy: { username: 'xx-d' },
    });
    expect(await writeOffOf(transferId)).toMatchObject({ store_id: HUOJIA, status: 'POSTED', approval_status: 'APPROVED' });
    expect(await transferState(transferId)).toEqual({ status: 'RECEIVED', lines: [{ received: 38, lost: 2, inTransit: 0, pendingWriteOff: 0 }] });
  });

  it('D24, D27: the city’s dispatcher, whose region covers both counties, sees and approves it as before', async () => {
    const { transferId, writeOff } = await receivedShort(XINXIANG_COUNTY, HUOJIA, 'hj-keep', 10, 7);
    expect(idsOf(await approvalsAs('director', { status: 'PENDING', kind: 'WRITE_OFF', mine: 'TO_DECIDE' }))).toContain(writeOff.approval_id);
    ok(await decideRaw(t, 'director', writeOff.approval_id, 'APPROVE'));
    expect(await transferState(transferId)).toEqual({ status: 'RECEIVED', lines: [{ received: 7, lost: 3, inTransit: 0, pendingWriteOff: 0 }] });
  });

  it('D24, D27: within one county nothing changes for its dispatcher — 新乡县’s own dispatcher decides a loss between its stores (the store the goods left)', async () => {
    const { transferId, writeOff } = await receivedShort(XINXIANG_COUNTY, ZHAIPO, 'zp-keep', 6, 5);
    const [listed] = (await approvalsAs('xx-d', { status: 'PENDING', mine: 'TO_DECIDE' })).filter((a) => a.id === writeOff.approval_id);
    expect(listed).toMatchObject({ store: { id: XINXIANG_COUNTY }, region: { code: '410721000000' } });
    expect(writeOff.store_id).toBe(ZHAIPO);
    // D24: requester ≠ approver still holds.
    expect(refusal(await decideRaw(t, 'zp-keep', writeOff.approval_id, 'APPROVE')).code).toBe('FORBIDDEN');
    ok(await decideRaw(t, 'xx-d', writeOff.approval_id, 'APPROVE'));
    expect(await transferState(transferId)).toEqual({ status: 'RECEIVED', lines: [{ received: 5, lost: 1, inTransit: 0, pendingWriteOff: 0 }] });
  });
});

describe('D24, D27, D3 (sweep 17b F1): a dispatch plan’s shipment received short at its 安置点 — the same rule', () => {
  it('D24, D27, D3: the 安置点’s township dispatcher may not decide the loss of 卫辉’s goods; 卫辉’s dispatcher does', async () => {
    await createUser('wh-d', 'DISPATCHER', { regionCode: '410781000000' }); // 卫辉市: the sending store's county
    await createUser('town-d', 'DISPATCHER', { regionCode: '410781105000' }); // the 安置点's township: not 卫辉's store
    await receive(t, 'admin', WEIHUI, [{ itemId: COTTON_TENT, quantity: 20, batchNo: 'TLS-WH-ZP', unitPrice: '900.00', expiryDate: '2032-01-01' }]);
    const incidentId = await createIncident(t, { name: '卫辉市在途短少测试', responseLevel: 4 });
    const plan = await executedPlan(t, incidentId, [
      { name: '在途短少测试安置点', regionCode: '410781105000', lat: 35.45, lng: 113.97, lines: [{ itemId: COTTON_TENT, quantity: 10 }] },
    ]);
    const [line] = plan.lines;
    expect(line.store.id).toBe(WEIHUI);
    ok(
      await receiveTransferRaw(t, 'dispatcher', {
        transferId: line.transfer.id,
        lines: [{ batchId: line.batch.id, quantity: 8, discrepancyReason: 'TRANSIT_LOSS' }],
      }),
    );
    const writeOff = await writeOffOf(line.transfer.id);
    expect(writeOff.store_id).toBe(line.destination.store.id); // the 核销单 is the 安置点's
    expect(idsOf(await approvalsAs('town-d', { status: 'PENDING' }))).not.toContain(writeOff.approval_id);
    const refused = await decideRaw(t, 'town-d', writeOff.approval_id, 'APPROVE');
    expect(refusal(refused)).toMatchObject({ code: 'FORBIDDEN', field: 'input.approvalId' });
    expect(refused.errors![0].message).toContain('调出方');
    expect(await writeOffOf(line.transfer.id)).toEqual(writeOff);
    expect(idsOf(await approvalsAs('wh-d', { status: 'PENDING', mine: 'TO_DECIDE' }))).toContain(writeOff.approval_id);
    ok(await decideRaw(t, 'wh-d', writeOff.approval_id, 'APPROVE'));
    expect(await writeOffOf(line.transfer.id)).toMatchObject({ status: 'POSTED', approval_status: 'APPROVED' });
  });
});

describe('migration 0041 (D24, D27, D3): a pending loss in transit recorded before goes to the sending side', () => {
  const migration = () => readFileSync(new URL('../../drizzle/migrations/0041_transit_loss_decided_by_sender.sql', import.meta.url), 'utf8');
  const rowOf = async (id: string) =>
    (
      await queryRows<{ region_code: string; store_id: string }>(t.database.db, sql`SELECT region_code, store_id::text FROM approvals WHERE id = ${id}::uuid`)
    )[0];

  it('D24, D27, D3: moves each pending transit-loss write-off to the sending store and region; a decided one keeps the ones it was decided in', async () => {
    const pending = (await receivedShort(XINXIANG_COUNTY, HUOJIA, 'hj-keep', 4, 3)).writeOff;
    const decided = (await receivedShort(XINXIANG_COUNTY, HUOJIA, 'hj-keep', 4, 3)).writeOff;
    ok(await decideRaw(t, 'xx-d', decided.approval_id, 'REJECT'));
    // As the old code stored them: the receiving store's and county's.
    await t.database.db.execute(
      sql`UPDATE approvals SET region_code = '410724000000', store_id = ${HUOJIA}::uuid WHERE id IN (${pending.approval_id}::uuid, ${decided.approval_id}::uuid)`,
    );
    expect(idsOf(await approvalsAs('hj-d', { status: 'PENDING' }))).toContain(pending.approval_id);

    for (const statement of migration().split('--> statement-breakpoint')) await t.database.db.execute(sql.raw(statement));
    expect(await rowOf(pending.approval_id)).toEqual({ region_code: '410721000000', store_id: XINXIANG_COUNTY });
    expect(await rowOf(decided.approval_id)).toEqual({ region_code: '410724000000', store_id: HUOJIA });
    expect(idsOf(await approvalsAs('hj-d', { status: 'PENDING' }))).not.toContain(pending.approval_id);
    expect(refusal(await decideRaw(t, 'hj-d', pending.approval_id, 'APPROVE')).code).toBe('FORBIDDEN');
    ok(await decideRaw(t, 'xx-d', pending.approval_id, 'APPROVE'));
  });
});
