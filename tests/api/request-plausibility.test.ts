import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { approvedOrder, ORDER_FIELDS } from '../support/authority.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { COTTON_TENT, key, QUILT, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, stocktakeRaw } from '../support/ledger-ops.ts';

// Sweep findings L5 and L14 (findings-sweep.md): requests that could never be carried out as they stand, or that date a
// disaster a century back.
// - D23, D26: requestOutboundOrder accepts an order that asks for more than its execution could take from the store now
//   (stock may arrive before it is executed, and execution checks again under lock), but the approver is told: the
//   approval's summary ends with （注意：申请时库存不足以执行——…）, in the item's unit. "Could take" is on hand less reserved
//   (D14, D27), unexpired for an issue or a transfer; expired stock counts for a scrap or rotation order (D26: that is
//   how it leaves). Orders reserve nothing. No note when the store holds enough.
// - D28: createIncident refuses an occurredAt before 2000-01-01 00:00 China time — a fixed floor against a mistyped year,
//   not a window (the 2021 河南 floods may still be recorded) — and, as before, one in the future.
// The test clock stands at 2026-07-20 10:00 China time.

const LIFE_JACKET = itemId('FLD-009'); // 救生衣, unit 件
const COAT = itemId('LIV-005'); // 棉大衣, unit 件
const BLANKET = itemId('LIV-006'); // 毛毯, unit 条

const t = useTestApp({ resetClock: true, checkLedger: true });

const expectRefused = (operation: string, run: () => Promise<GqlResult>, code: string, message: string, extensions: Record<string, unknown>) =>
  expectRefusedUnchanged(t, operation, run, code, message, extensions);

const order = (input: Record<string, unknown>, as = 'keeper') =>
  t.gql(
    `mutation($input: OutboundOrderInput!) { requestOutboundOrder(input: $input) { ${ORDER_FIELDS} approval { summary } } }`,
    { input: { storeId: WEIHUI, recipient: '唐庄镇安置点', idempotencyKey: key(), ...input } },
    as,
  );

/** The warning that ends an approval's summary (D23, D26), or null when the store holds enough. */
const noteOf = (summary: string) => (summary.includes('（注意：') ? summary.slice(summary.indexOf('（注意：')) : null);

/** An order accepted: PENDING, with its OUTBOUND_ORDER approval in the queue; its request audited OK. Returns it. */
async function accepted(input: Record<string, unknown>) {
  const placed = ok(await order(input)).requestOutboundOrder;
  expect(placed).toMatchObject({ status: 'PENDING', approval: { status: 'PENDING', kind: 'OUTBOUND_ORDER' } });
  expect(await lastAudit(t, 'requestOutboundOrder')).toEqual({ outcome: 'OK', message: null });
  return placed;
}
const noteFor = async (input: Record<string, unknown>) => noteOf((await accepted(input)).approval.summary);

describe('L5 (D23, D26): an outbound order that asks for more than its execution could take is accepted, and the approver is told', () => {
  let quiltBatch: string;
  let expiredJacket: string;

  beforeAll(async () => {
    // 棉被 1,300 床 in two batches; 救生衣 20 件 that expired on 2026-07-10 (received while good); 棉大衣 8 件.
    const quilts = await receive(t, 'keeper', WEIHUI, [
      { itemId: QUILT, quantity: 1000, batchNo: 'RP-MB-2030', expiryDate: '2030-01-01' },
      { itemId: QUILT, quantity: 300, batchNo: 'RP-MB-2031', expiryDate: '2031-01-01' },
    ]);
    quiltBatch = quilts.lines[1].batch.id;
    const jackets = await receive(t, 'keeper', WEIHUI, [{ itemId: LIFE_JACKET, quantity: 20, batchNo: 'RP-JSY-0710', expiryDate: '2026-07-10' }], {
      occurredAt: '2026-06-01T09:00:00+08:00',
    });
    expiredJacket = jackets.lines[0].batch.id;
    await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 8, batchNo: 'RP-MDY-2031', expiryDate: '2031-01-01' }]);
  });

  it('D23: 999,999 棉被 where 1,300 are held → accepted (PENDING), the approval’s summary ends with the shortfall in the item’s unit', async () => {
    const placed = await accepted({
      purpose: 'RELIEF',
      lines: [
        { itemId: COAT, quantity: 8 },
        { itemId: QUILT, quantity: 999_999 },
      ],
    });
    expect(placed.lines).toMatchObject([{ quantity: 8 }, { quantity: 999_999 }]);
    // Sweep 22c F6: what is asked written as the note writes it — grouped, with the unit (was 「棉被 ×999999」).
    expect(placed.approval.summary).toBe(
      '卫辉市救灾物资储备库 救灾发放：棉大衣 8 件、棉被 999,999 床 → 唐庄镇安置点（注意：申请时库存不足以执行——棉被可用 1,300 床，申请 999,999 床）',
    );
  });

  it('D23: every short line is named, each against what the lines picked before it leave — not the first alone', async () => {
    // Picking takes a line naming a batch first, then the others first-expiry-first-out (D8): the named 301 of RP-MB-2031
    // is short of its 300, and the 1,500 棉被 of the other line are then told against the 1,000 left.
    const batchLine = (quantity: number) => ({ itemId: QUILT, batchId: quiltBatch, quantity });
    expect(
      await noteFor({
        purpose: 'RELIEF',
        lines: [{ itemId: COAT, quantity: 10 }, { itemId: QUILT, quantity: 1_500 }, batchLine(301), { itemId: BLANKET, quantity: 3 }],
      }),
    ).toBe(
      '（注意：申请时库存不足以执行——棉被（批次 RP-MB-2031）可用 300 床，申请 301 床；棉大衣可用 8 件，申请 10 件；棉被可用 1,000 床，申请 1,500 床；毛毯可用 0 条，申请 3 条）',
    );
  });

  it('D23: a line naming a batch is told against that batch', async () => {
    expect(await noteFor({ purpose: 'DRILL', lines: [{ itemId: QUILT, batchId: quiltBatch, quantity: 301 }] })).toBe(
      '（注意：申请时库存不足以执行——棉被（批次 RP-MB-2031）可用 300 床，申请 301 床）',
    );
  });

  it('D23: exactly what is available has no note; orders reserve nothing, so a second order for all of it has none either', async () => {
    const first = await accepted({ purpose: 'RELIEF', lines: [{ itemId: QUILT, quantity: 1300 }] });
    expect(first.lines).toMatchObject([{ quantity: 1300 }]);
    expect(noteOf(first.approval.summary)).toBeNull();
    expect(await noteFor({ purpose: 'RELIEF', lines: [{ itemId: QUILT, quantity: 1300 }] })).toBeNull();
    expect(await noteFor({ purpose: 'LOAN', lines: [{ itemId: QUILT, batchId: quiltBatch, quantity: 300 }] })).toBeNull();
  });

  it('D27, D14: stock held for a decrease awaiting approval is not available (on hand less reserved)', async () => {
    const coats = await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 2, batchNo: 'RP-MDY-HOLD', expiryDate: '2031-01-01' }]);
    const pending = await stocktakeRaw(
      t,
      'keeper',
      { storeId: WEIHUI, counts: [{ batchId: coats.lines[0].batch.id, countedQuantity: 0, reason: 'STOCKTAKE_LOSS' }] },
      'id status',
      false,
    );
    expect(ok(pending).submitStocktake.status).toBe('PENDING_APPROVAL');
    expect(await noteFor({ purpose: 'RELIEF', lines: [{ itemId: COAT, quantity: 9 }] })).toBe('（注意：申请时库存不足以执行——棉大衣可用 8 件，申请 9 件）');
    expect(await noteFor({ purpose: 'RELIEF', lines: [{ itemId: COAT, quantity: 8 }] })).toBeNull();
  });

  it('D26: 1 救生衣 where the only batch has expired → accepted, the note says the expired stock is frozen, for an issue and for a transfer', async () => {
    const note = '（注意：申请时库存不足以执行——救生衣可用 0 件，申请 1 件，另有已过期冻结 20 件不能出库）';
    expect(await noteFor({ purpose: 'RELIEF', lines: [{ itemId: LIFE_JACKET, quantity: 1 }] })).toBe(note);
    expect(await noteFor({ purpose: 'TRANSFER', recipient: null, toStoreId: TANGZHUANG, lines: [{ itemId: LIFE_JACKET, quantity: 1 }] })).toBe(note);
  });

  it('D26: expired stock counts for a SCRAP or ROTATION_SALE order — the way it leaves — up to what is held', async () => {
    const scrap = await accepted({ purpose: 'SCRAP', recipient: null, lines: [{ itemId: LIFE_JACKET, quantity: 20 }] });
    expect(scrap.purpose).toBe('SCRAP');
    expect(noteOf(scrap.approval.summary)).toBeNull();
    const rotation = await accepted({
      purpose: 'ROTATION_SALE',
      recipient: '某回收企业',
      lines: [{ itemId: LIFE_JACKET, batchId: expiredJacket, quantity: 20 }],
    });
    expect(rotation.purpose).toBe('ROTATION_SALE');
    expect(noteOf(rotation.approval.summary)).toBeNull();
    expect(await noteFor({ purpose: 'SCRAP', recipient: null, lines: [{ itemId: LIFE_JACKET, batchId: expiredJacket, quantity: 21 }] })).toBe(
      '（注意：申请时库存不足以执行——救生衣（批次 RP-JSY-0710）可用 20 件，申请 21 件）',
    );
  });

  it('D23: a retry of an accepted order answers the first order, its summary as requested, though its stock has since been issued', async () => {
    const coats = await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 3, batchNo: 'RP-MDY-RETRY', expiryDate: '2026-12-31' }]);
    const input = {
      purpose: 'RELIEF',
      idempotencyKey: key(),
      lines: [{ itemId: COAT, batchId: coats.lines[0].batch.id, quantity: 3 }],
    };
    const first = ok(await order(input)).requestOutboundOrder;
    expect(noteOf(first.approval.summary)).toBeNull();
    ok(
      await t.gql(
        `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { id } }`,
        { i: { approvalId: first.approval.id, decision: 'APPROVE', approvalRef: '审批〔2026〕7号' } },
        'admin',
      ),
    );
    ok(
      await t.gql(
        `mutation($i: IssueStockInput!) { issueStock(input: $i) { id } }`,
        {
          i: {
            storeId: WEIHUI,
            orderId: first.id,
            reason: 'RELIEF',
            idempotencyKey: key(),
            lines: [{ itemId: COAT, batchId: coats.lines[0].batch.id, quantity: 3 }],
          },
        },
        'keeper',
      ),
    );
    const again = ok(await order(input)).requestOutboundOrder;
    expect(again).toMatchObject({
      id: first.id,
      number: first.number,
      status: 'EXECUTED',
      approval: { id: first.approval.id, summary: first.approval.summary },
    });
    // A new order for that batch now finds none of it: accepted, and the approver is told.
    expect(await noteFor({ purpose: 'RELIEF', lines: [{ itemId: COAT, batchId: coats.lines[0].batch.id, quantity: 1 }] })).toBe(
      '（注意：申请时库存不足以执行——棉大衣（批次 RP-MDY-RETRY）可用 0 件，申请 1 件）',
    );
  });

  it('D23: an order accepted short is approved, and executed once the stock has arrived; execution still checks the stock', async () => {
    const placed = await accepted({ purpose: 'RELIEF', lines: [{ itemId: BLANKET, quantity: 50 }] });
    expect(noteOf(placed.approval.summary)).toBe('（注意：申请时库存不足以执行——毛毯可用 0 条，申请 50 条）');
    ok(
      await t.gql(
        `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { id } }`,
        { i: { approvalId: placed.approval.id, decision: 'APPROVE', approvalRef: '审批〔2026〕8号' } },
        'admin',
      ),
    );
    const issue = () =>
      t.gql(
        `mutation($i: IssueStockInput!) { issueStock(input: $i) { lines { quantity } } }`,
        { i: { storeId: WEIHUI, orderId: placed.id, reason: 'RELIEF', idempotencyKey: key(), lines: [{ itemId: BLANKET, quantity: 50 }] } },
        'keeper',
      );
    expect(errorCode(await issue())).toBe('INSUFFICIENT_STOCK');
    await receive(t, 'keeper', WEIHUI, [{ itemId: BLANKET, quantity: 50, batchNo: 'RP-MT-2031', expiryDate: '2031-01-01' }]);
    expect(ok(await issue()).issueStock.lines).toEqual([{ quantity: -50 }]);
  });

  it('D23: the approved order is executed as approved (the check at request is the one execution makes)', async () => {
    const approved = await approvedOrder(t, 'keeper', {
      storeId: WEIHUI,
      purpose: 'RELIEF',
      recipient: '唐庄镇安置点',
      lines: [{ itemId: QUILT, quantity: 1300 }],
    });
    const issued = ok(
      await t.gql(
        `mutation($i: IssueStockInput!) { issueStock(input: $i) { lines { quantity } } }`,
        { i: { storeId: WEIHUI, orderId: approved.data.order.id, reason: 'RELIEF', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1300 }] } },
        'keeper',
      ),
    ).issueStock;
    expect(issued.lines.reduce((s: number, l: any) => s - l.quantity, 0)).toBe(1300);
  });
});

describe('Sweep 8a F6 (D23, D21, D8): the approval of an order shows the value that would leave — FEFO’s batches at their own prices', () => {
  // 棉帐篷: 10 顶 at 1,000.00 expiring first, 1,000 顶 at 1.00 after them, and 5 expired 顶 at 50,000.00 (frozen, D26).
  // The store's average (about 257 a 顶) made an order for the 10 that FEFO takes worth 2,571.43 on the approval —
  // a quarter of the 10,000.00 that leaves.
  const valued = async (input: Record<string, unknown>) =>
    ok(
      await t.gql(
        `mutation($input: OutboundOrderInput!) { requestOutboundOrder(input: $input) { id approval { value summary } } }`,
        { input: { storeId: WEIHUI, recipient: '唐庄镇安置点', idempotencyKey: key(), ...input } },
        'keeper',
      ),
    ).requestOutboundOrder.approval;
  let cheapBatch: string;

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 5, unitPrice: '50000.00', batchNo: 'FV-OLD', expiryDate: '2026-07-01' }], {
      occurredAt: '2026-06-01T09:00:00+08:00',
    });
    const doc = await receive(t, 'keeper', WEIHUI, [
      { itemId: COTTON_TENT, quantity: 10, unitPrice: '1000.00', batchNo: 'FV-DEAR', expiryDate: '2027-01-01' },
      { itemId: COTTON_TENT, quantity: 1000, unitPrice: '1.00', batchNo: 'FV-CHEAP', expiryDate: '2030-01-01' },
    ]);
    cheapBatch = doc.lines[1].batch.id;
  });

  it('D8, D21: 10 顶 without a batch → FEFO takes the dearer batch that expires first: 10,000.00', async () => {
    expect((await valued({ purpose: 'RELIEF', lines: [{ itemId: COTTON_TENT, quantity: 10 }] })).value).toBe('10000.00');
  });

  it('D8, D26: 20 顶 → the 10 at 1,000.00 and 10 at 1.00; the expired batch is not taken by an issue (10,010.00)', async () => {
    expect((await valued({ purpose: 'DRILL', lines: [{ itemId: COTTON_TENT, quantity: 20 }] })).value).toBe('10010.00');
  });

  it('D26: a SCRAP order takes the expired batch first (5 × 50,000.00 + 5 × 1,000.00)', async () => {
    expect((await valued({ purpose: 'SCRAP', recipient: null, lines: [{ itemId: COTTON_TENT, quantity: 10 }] })).value).toBe('255000.00');
  });

  it('D23: a named batch is valued at its price; a part the store cannot give now at the average of what it holds', async () => {
    expect((await valued({ purpose: 'RELIEF', lines: [{ itemId: COTTON_TENT, batchId: cheapBatch, quantity: 3 }] })).value).toBe('3.00');
    // 1,012 where 1,010 are available: 11,000.00 picked, 2 more at the average of 1,015 顶 worth 261,000.00 (514.29 rounded).
    const short = await valued({ purpose: 'RELIEF', lines: [{ itemId: COTTON_TENT, quantity: 1012 }] });
    expect(short.value).toBe('11514.29');
    expect(noteOf(short.summary)).toBe('（注意：申请时库存不足以执行——棉帐篷可用 1,010 顶，申请 1,012 顶，另有已过期冻结 5 顶不能出库）');
  });
});

/** createIncident of a 卫辉 flood by the dispatcher with `fields` (occurredAt, affectedPopulation …), as it answered. */
const createIncidentWith = (fields: Record<string, unknown>) =>
  t.gql(
    `mutation($i: IncidentInput!) { createIncident(input: $i) { id occurredAt affectedPopulation } }`,
    { i: { name: '卫辉市洪涝灾害', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 }, ...fields } },
    'dispatcher',
  );

describe('L14 (D28): an incident occurred no earlier than 2000-01-01, China time', () => {
  const incident = (occurredAt: string) => createIncidentWith({ occurredAt });
  const message = '事件发生时间不能早于 2000-01-01（北京时间）：请核对日期';

  it('D28: occurredAt 1900-01-01 → BAD_USER_INPUT at input.occurredAt, the value and the floor in China time; no incident; audited', async () => {
    await expectRefused('createIncident', () => incident('1900-01-01T00:00:00Z'), 'BAD_USER_INPUT', message, {
      field: 'input.occurredAt',
      value: '1900-01-01T08:00:00+08:00',
      earliest: '2000-01-01T00:00:00+08:00',
    });
  });

  it('D28: the floor is 2000-01-01 00:00 China time: a second before is refused, that instant is accepted', async () => {
    await expectRefused('createIncident', () => incident('1999-12-31T23:59:59+08:00'), 'BAD_USER_INPUT', message, {
      field: 'input.occurredAt',
      value: '1999-12-31T23:59:59+08:00',
      earliest: '2000-01-01T00:00:00+08:00',
    });
    expect(ok(await incident('2000-01-01T00:00:00+08:00')).createIncident.occurredAt).toBe('2000-01-01T00:00:00+08:00');
    expect(ok(await incident('1999-12-31T16:00:00Z')).createIncident.occurredAt).toBe('2000-01-01T00:00:00+08:00');
  });

  it('D7, D21 (sweep 9a F11): a stock document dated before the same floor is refused — a receipt of 1900 rewrote the value of every instant since', async () => {
    const receipt = (occurredAt: string) =>
      t.gql(
        `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id occurredAt } }`,
        {
          i: {
            storeId: WEIHUI,
            source: 'DONATION',
            sourceName: '测试捐赠单位',
            occurredAt,
            idempotencyKey: key(),
            lines: [{ itemId: QUILT, quantity: 1, batchNo: 'FLOOR-1', unitPrice: '1.00' }],
          },
        },
        'keeper',
      );
    for (const at of ['1900-01-01T00:00:00Z', '1999-12-31T23:59:59+08:00']) {
      await expectRefused('receiveStock', () => receipt(at), 'BAD_USER_INPUT', '业务发生时间不能早于 2000-01-01（北京时间）：请核对日期', {
        field: 'input.occurredAt',
        earliest: '2000-01-01',
      });
    }
    expect(ok(await receipt('2000-01-01T00:00:00+08:00')).receiveStock.occurredAt).toBe('2000-01-01T00:00:00+08:00');
  });

  it('D28: a fixed floor, not a one-year window: an incident of 2021-07-20 (the 河南 floods) is accepted', async () => {
    expect(ok(await incident('2021-07-20T08:00:00+08:00')).createIncident.occurredAt).toBe('2021-07-20T08:00:00+08:00');
  });

  it('D28: moving the server clock does not move the floor (a year before it is no bound)', async () => {
    t.clock.set('2027-03-01T02:00:00Z');
    ok(await incident('2026-02-28T23:00:00+08:00'));
    ok(await incident('2000-01-01T00:00:00+08:00'));
    await expectRefused('createIncident', () => incident('1999-12-31T23:59:59+08:00'), 'BAD_USER_INPUT', message, {
      field: 'input.occurredAt',
      earliest: '2000-01-01T00:00:00+08:00',
    });
  });

  it('D7, D28: a time in the future beyond a minute of clock skew is refused as before; within it, accepted', async () => {
    await expectRefused('createIncident', () => incident('2026-07-20T10:02:00+08:00'), 'BAD_USER_INPUT', '事件发生时间不能晚于当前时间', {
      field: 'input.occurredAt',
    });
    const ahead = ok(await incident('2026-07-20T10:00:30+08:00')).createIncident;
    // D28 (sweep 10c): its elapsed time is 0, not −0.01 h.
    const read = ok(await t.gql(`query($id: ID!) { incident(id: $id) { hoursSinceOccurred } }`, { id: ahead.id }, 'dispatcher')).incident;
    expect(read.hoursSinceOccurred).toBe(0);
  });
});

describe('Sweep 9a F3 (D28): an affected population no county or city has', () => {
  const incident = (affectedPopulation: number) => createIncidentWith({ affectedPopulation });

  it('2,147,483,647 people → BAD_USER_INPUT at input.affectedPopulation, no incident; 1 亿 is accepted and the incidents list still reads', async () => {
    await expectRefused('createIncident', () => incident(2_147_483_647), 'BAD_USER_INPUT', '受灾人口不超过 1 亿', {
      field: 'input.affectedPopulation',
    });
    expect(ok(await incident(100_000_000)).createIncident.affectedPopulation).toBe(100_000_000);
    const list = await t.gql(`query { incidents(regionCode: "410781") { totalCount edges { node { name suggestedDemand { quantity } } } } }`, {}, 'dispatcher');
    expect(list.errors, JSON.stringify(list.errors)).toBeUndefined();
  });
});

describe('Sweep 11c F7: a dispatch request whose totals no Int holds', () => {
  it('11 destinations × 10,000,000 → BAD_USER_INPUT at input.destinations, no plan saved; 10 × 10,000,000 is accepted', async () => {
    const incidentId = ok(await createIncidentWith({})).createIncident.id;
    const destinations = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        name: `汲水镇第${i + 1}安置点`,
        regionCode: '410781100000',
        lat: 35.3985,
        lng: 114.065 + i * 0.001,
        lines: [{ itemId: QUILT, quantity: 10_000_000 }],
      }));
    const request = (n: number) =>
      t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id totalQuantity } }`,
        { i: { incidentId, destinations: destinations(n) } },
        'dispatcher',
      );
    await expectRefused('requestDispatch', () => request(11), 'BAD_USER_INPUT', '目的地：一次调度申请的需求合计不能超过 100,000,000', {
      field: 'input.destinations',
    });
    expect(ok(await request(10)).requestDispatch.id).toBeTruthy();
  });
});
