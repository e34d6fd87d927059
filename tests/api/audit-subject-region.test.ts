import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, JINCHENG, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { decideRaw, requestOrderRaw } from '../support/authority.ts';
import { createIncident } from '../support/relief.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// D22: an audit row names the region of what the mutation acted on (the store's, region's, user's, approval's), beside
// the actor's, and a region's auditor reads the rows whose actor or subject lies in their region — what the
// system-wide administrator (region null) did to 新乡's stores, users, approvals and quotas is 新乡's auditor's to read;
// rows about other regions stay hidden. An idempotent replay is logged as REPLAYED, not as a second OK.

const ENTRY = `id username regionCode subjectRegionCode subjectRegionCodes operation input outcome`;
const AUDIT = `query($f: AuditFilter, $first: Int) { auditLog(filter: $f, first: $first) { totalCount edges { node { ${ENTRY} } } } }`;

type T = ReturnType<typeof useTestApp>;
interface Entry {
  id: string;
  username: string | null;
  regionCode: string | null;
  subjectRegionCode: string | null;
  subjectRegionCodes: string[];
  operation: string;
  input: string | null;
  outcome: string;
}

async function audit(t: T, as: string, f: Record<string, unknown> = {}): Promise<Entry[]> {
  return ok(await t.gql(AUDIT, { f, first: 500 }, as)).auditLog.edges.map((e: any) => e.node);
}

describe('audit rows carry the region of their subject (D22)', () => {
  const t = useTestApp();
  let dispatcherId: string;
  let approvalId: string;

  beforeAll(async () => {
    // The system-wide administrator acts on 新乡's data: a receipt at 卫辉's store (a ledger post: its row rides in
    // the post's own statement), a quota for 新乡市, an account of 新乡, and the approval of a 卫辉 keeper's order.
    await receive(t, 'admin', WEIHUI, [{ itemId: COTTON_TENT, quantity: 5, batchNo: 'SUBJ-1', unitPrice: '2180.00' }]);
    ok(await t.gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, { i: { itemId: COTTON_TENT, quantity: 7, regionCode: '410700' } }, 'admin'));
    const users = ok(await t.gql(`{ users(first: 100) { edges { node { id username } } } }`, {}, 'admin')).users.edges.map((e: any) => e.node);
    dispatcherId = users.find((u: any) => u.username === 'dispatcher').id;
    ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { displayName: "新乡市调度员（改）" }) { id } }`, { id: dispatcherId }, 'admin'));
    const order = ok(
      await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点', lines: [{ itemId: COTTON_TENT, quantity: 1 }] }),
    ).requestOutboundOrder;
    approvalId = order.approval.id;
    ok(await decideRaw(t, 'admin', approvalId, 'APPROVE'));
    // …and on another region's store: 晋城 is not 新乡's.
    await receive(t, 'admin', JINCHENG, [{ itemId: COTTON_TENT, quantity: 5, batchNo: 'SUBJ-2', unitPrice: '2180.00' }]);
  });

  it("D22: the administrator's changes to 新乡's store, quota, user and approval are in 新乡's auditor's log, with their subject's region", async () => {
    const mine = (await audit(t, 'auditor')).filter((e) => e.username === 'admin');
    const byOp = (op: string) => mine.filter((e) => e.operation === op);
    expect(byOp('receiveStock').map((e) => [e.regionCode, e.subjectRegionCode, e.outcome])).toEqual([[null, '410781000000', 'OK']]);
    expect(byOp('upsertQuota').map((e) => e.subjectRegionCode)).toEqual(['410700000000']);
    expect(byOp('updateUser').map((e) => e.subjectRegionCode)).toEqual(['410700000000']);
    expect(byOp('decideApproval').map((e) => [e.subjectRegionCode, JSON.parse(e.input!).input.approvalId])).toEqual([['410781000000', approvalId]]);
    // The region filter reads the subject too.
    const weihui = (await audit(t, 'auditor', { regionCode: '410781', username: 'admin' })).map((e) => e.operation).sort();
    expect(weihui).toEqual(['decideApproval', 'receiveStock']);
  });

  it("D22: nobody reads the rows of other regions — 晋城's receipt by the administrator stays hidden from 新乡's auditor", async () => {
    const all = await audit(t, 'admin', { operation: 'receiveStock', username: 'admin' });
    expect(all.map((e) => e.subjectRegionCode).sort()).toEqual(['140500000000', '410781000000']);
    const jincheng = all.filter((e) => e.subjectRegionCode === '140500000000');
    expect(jincheng).toHaveLength(1);
    const seen = new Set((await audit(t, 'auditor')).map((e) => e.id));
    expect(seen.has(jincheng[0].id)).toBe(false);
    expect(errorCode(await t.gql(AUDIT, { f: { regionCode: '140500' }, first: 5 }, 'auditor'))).toBe('FORBIDDEN');
    // Read one by one (the type's own policy) the same holds: no entry of the auditor's answer lies outside 新乡.
    for (const e of await audit(t, 'auditor')) {
      expect(
        [e.regionCode, e.subjectRegionCode].some((c) => c?.startsWith('4107')),
        JSON.stringify(e),
      ).toBe(true);
    }
  });

  it('D22: an idempotent replay (same key, same input) is logged REPLAYED, not as a second OK — a receipt and an order', async () => {
    const key = `replay-${randomUUID()}`;
    const lines = [{ itemId: COTTON_TENT, quantity: 2, batchNo: 'SUBJ-R', unitPrice: '2180.00' }];
    const first = await receive(t, 'keeper', WEIHUI, lines, { idempotencyKey: key });
    const again = await receive(t, 'keeper', WEIHUI, lines, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    const receipts = (await audit(t, 'admin', { operation: 'receiveStock', username: 'keeper' })).filter(
      (e) => JSON.parse(e.input!).input.idempotencyKey === key,
    );
    expect(receipts.map((e) => e.outcome)).toEqual(['REPLAYED', 'OK']); // newest first
    expect(receipts.map((e) => e.subjectRegionCode)).toEqual(['410781000000', '410781000000']);

    const orderKey = `replay-${randomUUID()}`;
    const order = { idempotencyKey: orderKey, storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点', lines: [{ itemId: COTTON_TENT, quantity: 1 }] };
    const a = ok(await requestOrderRaw(t, 'keeper', order)).requestOutboundOrder;
    const b = ok(await requestOrderRaw(t, 'keeper', order)).requestOutboundOrder;
    expect(b.id).toBe(a.id);
    const orders = (await audit(t, 'auditor', { operation: 'requestOutboundOrder' })).filter((e) => JSON.parse(e.input!).input.idempotencyKey === orderKey);
    expect(orders.map((e) => e.outcome)).toEqual(['REPLAYED', 'OK']);
    expect(
      (await audit(t, 'auditor', { operation: 'requestOutboundOrder', outcome: 'OK' })).filter((e) => JSON.parse(e.input!).input.idempotencyKey === orderKey),
    ).toHaveLength(1);
  });
});

describe('M1 (sweep 3), D22: a keeper’s entries belong to the smallest region holding all the stores they keep', () => {
  const t = useTestApp();
  const TOWNSHIP_AUDITOR = 'jishui-auditor';

  beforeAll(async () => {
    // The demo keeper keeps 卫辉's county store and, from now on, a 安置点 in 汲水镇 (a township of 卫辉): before, the
    // keeper's rows carried the first store's region by code — the 安置点's township — whatever store they acted at.
    const users = ok(await t.gql(`{ users(first: 100) { edges { node { id username } } } }`, {}, 'admin')).users.edges.map((e: any) => e.node);
    const keeperId = users.find((u: any) => u.username === 'keeper').id;
    const incidentId = await createIncident(t, {});
    ok(
      await t.gql(
        `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
        { i: { incidentId, name: '汲水镇审计测试安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, managerIds: [keeperId] } },
        'dispatcher',
      ),
    );
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: TOWNSHIP_AUDITOR, displayName: '汲水镇审计员', password: TEST_PASSWORD, role: 'AUDITOR', regionCode: '410781100000' } },
        'admin',
      ),
    );
    await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 3, batchNo: 'SUBJ-KEEPER', unitPrice: '2180.00' }]);
  });

  it('M1, D22: the keeper’s receipt at the county store is the county’s (actor and subject 卫辉市): 新乡’s auditor reads it, 汲水镇’s does not', async () => {
    const isIt = (e: Entry) => e.username === 'keeper' && e.operation === 'receiveStock' && e.input!.includes('SUBJ-KEEPER');
    const [row] = (await audit(t, 'admin', { operation: 'receiveStock', username: 'keeper' })).filter(isIt);
    expect([row.regionCode, row.subjectRegionCode, row.outcome]).toEqual(['410781000000', '410781000000', 'OK']);
    expect((await audit(t, 'auditor')).filter(isIt)).toHaveLength(1);
    const township = await audit(t, TOWNSHIP_AUDITOR);
    expect(township.filter(isIt)).toEqual([]);
    // Nothing the township's auditor reads lies outside 汲水镇, by actor or by subject. Sweep 24b F5: by any region of its
    // subject (subjectRegionCodes) — the 安置点 opened in 汲水镇 is given to the keeper, whose stores the row is filed under.
    for (const e of township) {
      expect(
        [e.regionCode, ...e.subjectRegionCodes].some((c) => c?.startsWith('410781100')),
        JSON.stringify(e),
      ).toBe(true);
    }
  });
});

describe('a receipt of a transfer is filed under the receiving store’s region (D22, sweep 11a F5)', () => {
  const t = useTestApp();

  it('shipped from 卫辉市’s store to 唐庄镇’s: the shipment is 卫辉市’s, the receipt 唐庄镇’s', async () => {
    const batch = (await receive(t, 'admin', WEIHUI, [{ itemId: COTTON_TENT, quantity: 4, batchNo: 'SUBJ-TR', unitPrice: '2180.00' }])).lines[0].batch.id;
    const shipped = ok(
      await shipRaw(t, 'admin', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: COTTON_TENT, quantity: 4, batchId: batch }] }),
    ).shipTransfer;
    ok(await receiveTransferRaw(t, 'admin', { transferId: shipped.id, lines: [{ batchId: batch, quantity: 4 }] }));
    const rows = await audit(t, 'admin', { username: 'admin' });
    const subject = (op: string) => rows.filter((e) => e.operation === op && e.outcome === 'OK').map((e) => e.subjectRegionCode);
    expect(subject('shipTransfer')).toEqual(['410781000000']);
    expect(subject('receiveTransfer')).toEqual(['410781100000']);
  });
});
