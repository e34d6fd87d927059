import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { storeId, userId } from '../../seeds/demo.ts';
import { useTestApp, NOW, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, JINCHENG, key, QUILT, receive, TANGZHUANG, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok, receiveRaw, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { approvedOrder } from '../support/authority.ts';
import { agreementRaw } from '../support/agreements.ts';
import { download } from '../support/paperwork.ts';
import { createIncident } from '../support/relief.ts';

// Sweep "contract" #1–#5: requests written from API.md's text alone, with the demo users, work. Fields we added are
// optional unless a domain rule cannot be met without them, and then API.md's binding field satisfies it.

const BLANKET = itemId('LIV-006'); // 毛毯
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）: the company's own stock leaves without an order
const refusal = (res: GqlResult) => {
  expect(res.errors, JSON.stringify(res.data)).toHaveLength(1);
  return { code: res.errors![0].extensions.code, field: res.errors![0].extensions.field, message: res.errors![0].message };
};

describe('contract as written (API.md)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  describe('#1 rotateStock (API.md line 115, D10, D23): counterpart is optional', () => {
    let batchId: string;
    beforeAll(async () => {
      const doc = await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'CW-ROT-OLD', expiryDate: '2027-03-01', unitPrice: '150.00' }]);
      batchId = doc.lines[0].batch.id;
    });

    it("D10, D23: the whole RotateStockInput of API.md (inline, no counterpart) posts; the counterpart defaults to the order's recipient; asked for only without an order", async () => {
      const order = ok(
        await approvedOrder(t, 'keeper', {
          storeId: WEIHUI,
          purpose: 'ROTATION_SALE',
          recipient: '卫辉市民政惠民超市',
          lines: [{ itemId: QUILT, batchId, quantity: 2 }],
        }),
      ).order;
      const res = await t.gql(
        `mutation { rotateStock(input: { storeId: "${WEIHUI}", batchId: "${batchId}", quantity: 2, disposal: SALE, orderId: "${order.id}",
           idempotencyKey: "${key()}", newBatch: { batchNo: "CW-ROT-NEW", productionDate: "2026-07-01", expiryDate: "2031-07-01", unitPrice: "160.00" } })
           { number type recipient lines { quantity note batch { batchNo } } } }`,
        {},
        'keeper',
      );
      const doc = ok(res).rotateStock;
      expect(doc).toMatchObject({ type: 'ROTATION', recipient: '卫辉市民政惠民超市' });
      expect(doc.lines.find((l: any) => l.batch.batchNo === 'CW-ROT-OLD')).toMatchObject({ quantity: -2, note: '出售：卫辉市民政惠民超市' });
      const second = ok(
        await approvedOrder(t, 'keeper', {
          storeId: WEIHUI,
          purpose: 'ROTATION_SALE',
          recipient: '轮换处置',
          lines: [{ itemId: QUILT, batchId, quantity: 1 }],
        }),
      ).order;
      const input = {
        storeId: WEIHUI,
        batchId,
        quantity: 1,
        disposal: 'SALE',
        orderId: second.id,
        counterpart: '卫辉市某商贸公司',
        idempotencyKey: key(),
        newBatch: { batchNo: 'CW-ROT-NEW2', expiryDate: '2031-07-01' },
      };
      // Sweep 21b F2 (D23): a counterpart given is the order's recipient — one other than the approved one is refused at
      // input.counterpart, as issueStock refuses another recipient (it used to win over the order's); the approved one posts.
      const rotated = (i: Record<string, unknown>) => t.gql(`mutation($i: RotateStockInput!) { rotateStock(input: $i) { recipient } }`, { i }, 'keeper');
      expect(refusal(await rotated(input))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.counterpart' });
      const named = ok(await rotated({ ...input, counterpart: '轮换处置' })).rotateStock;
      expect(named.recipient).toBe('轮换处置');
      // Without an order to take it from (a company's own stock in its agreement store), counterpart is asked for at
      // input.counterpart, in Chinese, and nothing is posted.
      const own = await receive(t, 'admin', AGREEMENT_STORE, [
        { itemId: QUILT, quantity: 4, batchNo: 'CW-ROT-AG', expiryDate: '2027-03-01', unitPrice: '150.00' },
      ]);
      const ownInput = {
        storeId: AGREEMENT_STORE,
        batchId: own.lines[0].batch.id,
        quantity: 1,
        disposal: 'SALE',
        idempotencyKey: key(),
        newBatch: { batchNo: 'CW-ROT-AG-NEW', expiryDate: '2031-07-01' },
      };
      const q = `mutation($i: RotateStockInput!) { rotateStock(input: $i) { number recipient } }`;
      const refused = refusal(await t.gql(q, { i: ownInput }, 'admin'));
      expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.counterpart' });
      expect(refused.message).toMatch(/须填写出陈的去向/);
      const batch = ok(
        await t.gql(
          `query { stock(filter: { storeId: "${AGREEMENT_STORE}", itemId: "${QUILT}" }, first: 50) { edges { node { onHand batch { batchNo } } } } }`,
          {},
          'admin',
        ),
      );
      expect(batch.stock.edges.find((e: any) => e.node.batch.batchNo === 'CW-ROT-AG').node.onHand).toBe(4);
      expect(ok(await t.gql(q, { i: { ...ownInput, idempotencyKey: key(), counterpart: '惠民超市' } }, 'admin')).rotateStock.recipient).toBe('惠民超市');
    });
  });

  describe('#2 receiveStock (API.md lines 67–68, D7): the binding fields suffice', () => {
    const FIELDS = `id number source reference contractNo inspectionReportNo sourceOrganization { name } lines { quantity }`;

    it('D7: a PURCHASE with its contract number in API.md’s `reference` posts; the reference is recorded as the contract number', async () => {
      const doc = ok(
        await receiveRaw(
          t,
          'keeper',
          { storeId: WEIHUI, source: 'PURCHASE', reference: 'HT-2026-01', lines: [{ itemId: QUILT, quantity: 40, unitPrice: '150.50', batchNo: 'CW-PUR-1' }] },
          FIELDS,
        ),
      ).receiveStock;
      expect(doc).toMatchObject({ source: 'PURCHASE', reference: 'HT-2026-01', contractNo: 'HT-2026-01', inspectionReportNo: null, lines: [{ quantity: 40 }] });
    });

    it('D7: the inspection report number is optional — recorded and printed when given; contractNo, when given, is the contract number', async () => {
      const without = ok(
        await receiveRaw(
          t,
          'keeper',
          { storeId: WEIHUI, source: 'PURCHASE', contractNo: 'HT-2026-03', lines: [{ itemId: QUILT, quantity: 1, batchNo: 'CW-PUR-3' }] },
          FIELDS,
        ),
      ).receiveStock;
      expect(without).toMatchObject({ contractNo: 'HT-2026-03', inspectionReportNo: null, reference: null });
      expect((await download(t, `/paperwork/documents/${without.id}.html`, 'keeper')).text).not.toContain('验收报告');
      const doc = ok(
        await receiveRaw(
          t,
          'keeper',
          {
            storeId: WEIHUI,
            source: 'PURCHASE',
            reference: '到货通知 DH-7',
            contractNo: 'HT-2026-02',
            inspectionReportNo: 'YS-2026-02',
            lines: [{ itemId: QUILT, quantity: 1, batchNo: 'CW-PUR-2' }],
          },
          FIELDS,
        ),
      ).receiveStock;
      expect(doc).toMatchObject({ reference: '到货通知 DH-7', contractNo: 'HT-2026-02', inspectionReportNo: 'YS-2026-02' });
      const html = (await download(t, `/paperwork/documents/${doc.id}.html`, 'keeper')).text;
      expect(html).toContain('<dt>合同编号</dt><dd>HT-2026-02</dd>');
      expect(html).toContain('<dt>验收报告</dt><dd>YS-2026-02</dd>');
    });

    it('D7: a PURCHASE with neither contractNo nor reference is refused at input.reference, naming 合同编号; nothing is posted', async () => {
      const before = ok(await t.gql(`query { stock(filter: { storeId: "${WEIHUI}", itemId: "${QUILT}" }, first: 500) { totalCount } }`, {}, 'keeper'));
      const res = await receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'PURCHASE', lines: [{ itemId: QUILT, quantity: 1, batchNo: 'CW-PUR-NONE' }] });
      expect(refusal(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reference', message: expect.stringContaining('合同编号') });
      const after = ok(await t.gql(`query { stock(filter: { storeId: "${WEIHUI}", itemId: "${QUILT}" }, first: 500) { totalCount } }`, {}, 'keeper'));
      expect(after).toEqual(before);
    });

    it('D7: a DONATION without a donor (no sourceOrgId, no sourceName) is accepted; the 入库单 says the donor is 未填, not blank or null', async () => {
      const doc = ok(
        await receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'DONATION', lines: [{ itemId: BLANKET, quantity: 5, batchNo: 'CW-DON-1' }] }, FIELDS),
      ).receiveStock;
      expect(doc).toMatchObject({ source: 'DONATION', sourceOrganization: null, contractNo: null, lines: [{ quantity: 5 }] });
      const html = (await download(t, `/paperwork/documents/${doc.id}.html`, 'keeper')).text;
      expect(html).toContain('<dt>来源单位</dt><dd>未填（捐赠方不详）</dd>');
      expect(html).not.toMatch(/null|undefined/);
    });
  });

  describe('#3 a keeper reads the incident they work for (D29, D23): reference data, through the policy', () => {
    let incidentId: string;
    let otherCounty: string;
    let jincheng: string;
    let point: string;
    beforeAll(async () => {
      await receive(t, 'keeper', WEIHUI, [{ itemId: BLANKET, quantity: 10, batchNo: 'CW-INC-MT', expiryDate: '2031-01-01' }]);
      incidentId = await createIncident(t, {
        name: '卫辉市唐庄镇洪涝',
        regionCode: '410781105000',
        location: { lat: 35.47, lng: 114.01 },
        affectedPopulation: 500,
      });
      otherCounty = await createIncident(t, { name: '新乡县洪涝', regionCode: '410721', location: { lat: 35.19, lng: 113.81 } });
      jincheng = await createIncident(t, { name: '晋城市洪涝', regionCode: '140500', location: { lat: 35.49, lng: 112.85 } }, 'jincheng');
      point = ok(
        await t.gql(
          `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
          {
            i: { incidentId, name: '唐庄镇中心学校安置点', regionCode: '410781105000', lat: 35.47, lng: 114.01, capacity: 300, managerIds: [userId('keeper')] },
          },
          'dispatcher',
        ),
      ).openDistributionPoint.id;
      const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: point, lines: [{ itemId: BLANKET, quantity: 4 }] })).shipTransfer;
      ok(
        await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, lines: shipped.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })) }),
      );
    });

    it('D29: distributeRelief { number incident { id name } } answers without errors for the point’s keeper', async () => {
      const res = await t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { number incident { id name type occurredAt region { code } } } }`,
        {
          i: {
            storeId: point,
            incidentId,
            household: { headName: '李四', size: 2, address: '唐庄镇唐庄村一组 3 号' },
            lines: [{ itemId: BLANKET, quantity: 1 }],
            idempotencyKey: key(),
          },
        },
        'keeper',
      );
      const d = ok(res).distributeRelief;
      expect(d.incident).toMatchObject({ id: incidentId, name: '卫辉市唐庄镇洪涝', type: 'FLOOD', region: { code: '410781105000' } });
      const listed = ok(
        await t.gql(
          `query($f: DistributionFilter!) { distributions(filter: $f, first: 50) { edges { node { incident { id } } } } }`,
          { f: { incidentId } },
          'keeper',
        ),
      );
      expect(listed.distributions.edges.length).toBeGreaterThan(0);
      for (const e of listed.distributions.edges) expect(e.node.incident.id).toBe(incidentId);
    });

    it('D23: requestOutboundOrder { number incident { id } } with the incident answers without errors', async () => {
      const res = await t.gql(
        `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { number incident { id name } } }`,
        { i: { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点', incidentId, idempotencyKey: key(), lines: [{ itemId: BLANKET, quantity: 1 }] } },
        'keeper',
      );
      expect(ok(res).requestOutboundOrder.incident).toEqual({ id: incidentId, name: '卫辉市唐庄镇洪涝' });
    });

    it('D29: incident(id:) and incidents() give the keeper their incidents (served by their 安置点, or in their county) — not another county’s or region’s', async () => {
      const one = ok(
        await t.gql(`query($id: ID!) { incident(id: $id) { id name hoursSinceOccurred basicNeedsDeadline location { lat } } }`, { id: incidentId }, 'keeper'),
      );
      expect(one.incident).toMatchObject({ id: incidentId, name: '卫辉市唐庄镇洪涝' });
      for (const id of [otherCounty, jincheng]) {
        expect(refusal(await t.gql(`query($id: ID!) { incident(id: $id) { id name } }`, { id }, 'keeper'))).toMatchObject({ code: 'FORBIDDEN' });
      }
      const listed = ok(await t.gql(`query { incidents(first: 100) { totalCount edges { node { id } } } }`, {}, 'keeper')).incidents;
      const ids = listed.edges.map((e: any) => e.node.id);
      expect(ids).toContain(incidentId);
      expect(ids).not.toContain(otherCounty);
      expect(ids).not.toContain(jincheng);
      expect(listed.totalCount).toBe(ids.length);
      const filtered = ok(await t.gql(`query { incidents(regionCode: "410721", first: 100) { edges { node { id } } } }`, {}, 'keeper')).incidents;
      expect(filtered.edges).toEqual([]);
    });

    it('D29, D20: the keeper reads the incident as reference data; what was planned, shipped and handed out for it (balance, basic needs, households, demand) stays with headquarters', async () => {
      const basics = ok(await t.gql(`query($id: ID!) { incident(id: $id) { id name type closedAt affectedPopulation } }`, { id: incidentId }, 'keeper'));
      expect(basics.incident).toMatchObject({ id: incidentId, name: '卫辉市唐庄镇洪涝', type: 'FLOOD', closedAt: null });
      for (const field of [
        'balance { item { id } shipped }',
        'basicNeeds { requested }',
        'basicNeedsMet',
        'householdsServed',
        'suggestedDemand { quantity }',
      ]) {
        const res = await t.gql(`query($id: ID!) { incident(id: $id) { id ${field} } }`, { id: incidentId }, 'keeper');
        expect(res.errors?.[0].extensions.code, field).toBe('FORBIDDEN');
        expect(res.errors?.[0].message, field).toMatch(/[\u4e00-\u9fff]/);
      }
      // headquarters still read them
      ok(
        await t.gql(
          `query($id: ID!) { incident(id: $id) { balance { shipped } householdsServed suggestedDemand { quantity } } }`,
          { id: incidentId },
          'dispatcher',
        ),
      );
    });
    it('D29: a 安置点 the keeper manages serves an incident of another county (evacuees housed in 卫辉): the keeper reads that incident too', async () => {
      ok(
        await t.gql(
          `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
          {
            i: {
              incidentId: otherCounty,
              name: '汲水镇中心小学安置点（新乡县转移群众）',
              regionCode: '410781100000',
              lat: 35.3985,
              lng: 114.065,
              managerIds: [userId('keeper')],
            },
          },
          'dispatcher',
        ),
      );
      const read = ok(await t.gql(`query($id: ID!) { incident(id: $id) { id name region { code } } }`, { id: otherCounty }, 'keeper'));
      expect(read.incident).toEqual({ id: otherCounty, name: '新乡县洪涝', region: { code: '410721000000' } });
      const ids = ok(await t.gql(`query { incidents(first: 100) { edges { node { id } } } }`, {}, 'keeper')).incidents.edges.map((e: any) => e.node.id);
      expect(ids).toEqual(expect.arrayContaining([incidentId, otherCounty]));
      expect(ids).not.toContain(jincheng);
      expect(refusal(await t.gql(`query($id: ID!) { incident(id: $id) { balance { shipped } } }`, { id: otherCounty }, 'keeper'))).toMatchObject({
        code: 'FORBIDDEN',
      });
    });
  });

  describe('#4 approvalDueAt (API.md line 139, D14): execution time + 48 h', () => {
    it('D14: an emergency plan approved at 10:00 and executed at 15:00 has its written approval due at 15:00 + 48 h, on the plan and its queue item', async () => {
      const incident = await createIncident(t, { name: '卫辉市紧急调拨', occurredAt: '2026-07-20T09:00:00+08:00' });
      await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 20, batchNo: 'CW-EM-1', expiryDate: '2031-01-01' }]);
      const destination = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: QUILT, quantity: 3 }] };
      const plan = ok(
        await t.gql(
          `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
          { i: { incidentId: incident, destinations: [destination] } },
          'dispatcher',
        ),
      ).requestDispatch;
      const approved = ok(
        await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { approvedAt approvalDueAt } }`, { p: plan.id }, 'dispatcher'),
      ).approveDispatchPlan;
      expect(approved.approvalDueAt).toBeNull(); // until executed: no due time (it would move at execution)
      try {
        t.clock.set('2026-07-20T07:00:00Z'); // 15:00 China time
        const executed = ok(
          await t.gql(
            `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { executedAt approvalDueAt } }`,
            { p: plan.id, k: key() },
            'dispatcher',
          ),
        ).executeDispatchPlan;
        expect(Date.parse(executed.approvalDueAt) - Date.parse(executed.executedAt)).toBe(48 * 3600_000);
        const queue = ok(
          await t.gql(
            `query { approvals(filter: { kind: EMERGENCY_WRITTEN_APPROVAL, status: PENDING }, first: 500) { edges { node { subjectId dueAt overdue } } } }`,
            {},
            'director',
          ),
        );
        const item = queue.approvals.edges.map((e: any) => e.node).find((a: any) => a.subjectId === plan.id);
        expect(Date.parse(item.dueAt)).toBe(Date.parse(executed.approvalDueAt));
        // at approval + 48 h (10:00 two days on) it is not yet overdue
        t.clock.set('2026-07-22T03:00:00Z');
        const overdue = ok(await t.gql(`query { overdueEmergencyApprovals { id } }`, {}, 'director')).overdueEmergencyApprovals;
        expect(overdue.map((p: any) => p.id)).not.toContain(plan.id);
      } finally {
        t.clock.set(NOW);
      }
    });
  });

  describe('#5 neighbourStock(regionCode:) (API.md line 178, D20)', () => {
    beforeAll(async () => {
      await receive(t, 'admin', JINCHENG, [{ itemId: BLANKET, quantity: 6, batchNo: 'CW-NB-JC', expiryDate: '2031-01-01' }]);
      await receive(t, 'admin', XINXIANG, [{ itemId: BLANKET, quantity: 3, batchNo: 'CW-NB-XX', expiryDate: '2031-01-01' }]);
      ok(
        await t.gql(
          `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
          { i: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', note: '豫晋联储' } },
          'admin',
        ),
      );
    });
    const neighbour = (as: string, regionCode?: string) =>
      t.gql(
        `query($i: ID!, $r: String) { neighbourStock(itemId: $i, regionCode: $r) { store { id } region { code } available } }`,
        { i: BLANKET, r: regionCode },
        as,
      );

    it("D20: a partner's region code filters to that partner's stores; the caller's own code keeps its meaning; any other region is FORBIDDEN", async () => {
      const all = ok(await neighbour('dispatcher')).neighbourStock as any[];
      expect(all.some((l) => l.store.id === JINCHENG)).toBe(true);
      const partner = ok(await neighbour('dispatcher', '140500')).neighbourStock as any[];
      expect(partner).toEqual(all.filter((l) => l.region.code.startsWith('1405')));
      expect(partner.length).toBeGreaterThan(0);
      expect(ok(await neighbour('dispatcher', '410700')).neighbourStock).toEqual(all);
      // the mirror image: 晋城 asks for 新乡's stores by 新乡's code
      const mirror = ok(await neighbour('jincheng', '410700')).neighbourStock as any[];
      expect(mirror.length).toBeGreaterThan(0);
      expect(mirror.every((l) => l.region.code.startsWith('4107'))).toBe(true);
      // a region that is neither mine nor a partner's stays FORBIDDEN (运城 has no 联储 with 新乡)
      const refused = refusal(await neighbour('dispatcher', '140800'));
      expect(refused).toMatchObject({ code: 'FORBIDDEN' });
      expect(refused.message).toContain('运城');
    });
  });
});

describe('IDs are UUIDs (API.md Conventions; sweep 6a L2)', () => {
  const t = useTestApp();
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it('Movement.id and AuditEntry.id are UUIDs, one per entry — not the ledger’s or the log’s sequence numbers, which count every entry in the system', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: BLANKET, quantity: 3, batchNo: 'CW-UUID-1' }]);
    const { movements, auditLog } = ok(
      await t.gql(
        `query($s: ID!) { movements(filter: { storeId: $s }, first: 20) { edges { node { id } } } auditLog(first: 20) { edges { node { id } } } }`,
        { s: WEIHUI },
        'admin',
      ),
    );
    for (const list of [movements, auditLog]) {
      const ids = list.edges.map((e: any) => e.node.id as string);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

describe('TransferLine.quantity (sweep 10c F5): a transfer line answers quantity, as every input and other line names it', () => {
  const t = useTestApp();

  it('quantity is what the line shipped; received and inTransit break it down after a partial receipt', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: BLANKET, quantity: 9, batchNo: 'CW-TL-1' }]);
    const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: BLANKET, quantity: 7 }] })).shipTransfer;
    const fields = `id lines { quantity shipped received inTransit batch { id } }`;
    const received = ok(
      await receiveTransferRaw(t, 'admin', { transferId: shipped.id, lines: [{ batchId: shipped.lines[0].batch.id, quantity: 4 }] }, fields),
    ).receiveTransfer;
    expect(received.lines).toEqual([{ quantity: 7, shipped: 7, received: 4, inTransit: 3, batch: { id: shipped.lines[0].batch.id } }]);
    const read = ok(await t.gql(`query($id: ID!) { transfer(id: $id) { lines { quantity } } }`, { id: shipped.id }, 'dispatcher')).transfer;
    expect(read.lines).toEqual([{ quantity: 7 }]);
  });
});

describe('Agreement.companyName (sweep 15a F1): an agreement answers the company name it was created with', () => {
  const t = useTestApp();

  it('D6: createAgreement { companyName } reads back as given, the same as company { name }, and through agreements', async () => {
    const input = {
      mode: 'AGREEMENT',
      companyName: '卫辉市名称回读商贸有限公司',
      regionCode: '410781',
      validFrom: '2026-07-01',
      validTo: '2027-06-30',
      annualFee: '12000.00',
      lines: [{ itemId: BLANKET, quantity: 50, unitPrice: '118.00', responseHours: 6 }],
    };
    const created = ok(await agreementRaw(t, input, 'admin', 'id mode companyName company { name } validFrom validTo annualFee')).createAgreement;
    expect(created).toMatchObject({ mode: 'AGREEMENT', companyName: input.companyName, company: { name: input.companyName }, annualFee: '12000.00' });
    const listed = ok(await t.gql(`{ agreements(regionCode: "410781", first: 100) { edges { node { id companyName } } } }`, {}, 'dispatcher')).agreements;
    expect(listed.edges.map((e: any) => e.node)).toContainEqual({ id: created.id, companyName: input.companyName });
  });
});
