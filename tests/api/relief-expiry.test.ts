import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { storeId } from '../../seeds/demo.ts';
import { errorCode, useTestApp, type TestApp } from '../support/harness.ts';
import { key, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { issueRaw, ok, receiveRaw, purchase, shipRaw } from '../support/ledger-ops.ts';
import { withOrder } from '../support/authority.ts';

// D26 过期冻结: a batch is expired from 00:00 China time on its expiryDate (the convention rotation already used:
// expiryDate <= today in China). Expired stock is not issued, shipped or planned; it leaves by rotation or scrap.
// The test clock stands at 2026-07-20 10:00 China time. Expired stock comes in by back-dated receipts, made while it was good.

const COAT = itemId('LIV-005'); // 棉大衣
const BLANKET = itemId('LIV-006'); // 毛毯
const LIFE_JACKET = itemId('FLD-009'); // 救生衣
const TOWEL_QUILT = itemId('LIV-007'); // 毛巾被
const TAIGONG = storeId('S-410781101-01'); // 卫辉市太公镇

const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};
const earlier = '2026-06-01T09:00:00+08:00';

async function batchesIssued(t: TestApp, item: string, quantity: number, store = WEIHUI) {
  const doc = ok(
    await issueRaw(t, 'keeper', { storeId: store, recipient: '唐庄镇受灾群众', reason: 'RELIEF', lines: [{ itemId: item, quantity }] }),
  ).issueStock;
  return doc.lines.map((l: any) => [l.batch.batchNo, -l.quantity]);
}

describe('D26: expired stock is frozen', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });

  it('D26: FEFO skips an expired batch, though it expired first', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 10, batchNo: 'EXP-COAT-OLD', expiryDate: '2026-07-01' }], { occurredAt: earlier });
    await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 10, batchNo: 'EXP-COAT-GOOD', expiryDate: '2030-01-01' }]);
    expect(await batchesIssued(t, COAT, 7)).toEqual([['EXP-COAT-GOOD', 7]]);
  });

  it('D26: a batch is expired once past its expiry date — still on hand for rotation or scrap — from 00:00 China time the day after (16:00 UTC on the date), not a second earlier', async () => {
    await receive(t, 'keeper', WEIHUI, [
      { itemId: BLANKET, quantity: 5, batchNo: 'EXP-MT-0720', expiryDate: '2026-07-20' },
      { itemId: BLANKET, quantity: 50, batchNo: 'EXP-MT-2030', expiryDate: '2030-01-01' },
    ]);
    t.clock.set('2026-07-20T15:59:59Z'); // 23:59:59 on 07-20 in China, its expiry date: the last second it is good
    expect(await batchesIssued(t, BLANKET, 2)).toEqual([['EXP-MT-0720', 2]]);
    const lineOf = async (batchNo: string) => (await stockLines(t, WEIHUI, BLANKET)).find((l: any) => l.batch.batchNo === batchNo);
    expect(await lineOf('EXP-MT-0720')).toMatchObject({ onHand: 3, available: 3, frozen: 0, expired: false, daysToExpiry: 0 });
    t.clock.set('2026-07-20T16:00:00Z'); // 00:00 on 07-21 in China: past its expiry date, expired
    expect(await batchesIssued(t, BLANKET, 2)).toEqual([['EXP-MT-2030', 2]]);
    // Frozen, not gone: nothing of it is available — as issue, shipment, plans and reserveGaps count it (sweep 6a L1: the
    // line said 3 while the issue refused with 可用 0) — and what it holds unreserved is frozen, for rotation or approved
    // scrap (the console's 轮换 and 报废 forms offer it).
    expect(await lineOf('EXP-MT-0720')).toMatchObject({
      onHand: 3,
      available: 0,
      frozen: 3,
      expired: true,
      daysToExpiry: -1,
      batch: { expired: true, daysToExpiry: -1 },
    });
    expect(await lineOf('EXP-MT-2030')).toMatchObject({ onHand: 48, available: 48, frozen: 0, expired: false });
  });

  it('D26: naming an expired batch → INVALID_STATE with its expiry date; nothing changes', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: TOWEL_QUILT, quantity: 4, batchNo: 'EXP-MJB-OLD', expiryDate: '2026-07-10' }], {
      occurredAt: earlier,
    });
    const batchId = rec.lines[0].batch.id;
    const res = await issueRaw(t, 'keeper', {
      storeId: WEIHUI,
      recipient: '唐庄镇受灾群众',
      reason: 'RELIEF',
      lines: [{ itemId: TOWEL_QUILT, quantity: 1, batchId }],
    });
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain('2026-07-10');
    expect(ext(res)).toMatchObject({ expiryDate: '2026-07-10', batchId, field: 'input.lines.0.batchId' });
    expect((await stockLines(t, WEIHUI, TOWEL_QUILT)).map((l: any) => l.onHand)).toEqual([4]);
  });

  it('D26: when only expired stock is left → INSUFFICIENT_STOCK with the expired quantity in extensions', async () => {
    const res = await issueRaw(t, 'keeper', { storeId: WEIHUI, recipient: '唐庄镇受灾群众', reason: 'RELIEF', lines: [{ itemId: TOWEL_QUILT, quantity: 3 }] });
    expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
    expect(ext(res)).toMatchObject({ available: 0, expired: 4, requested: 3 });
    expect(res.errors![0].message).toContain('过期');
  });

  it('D26: a transfer ships only unexpired stock, and naming an expired batch is refused', async () => {
    const rec = await receive(t, 'admin', XINXIANG, [{ itemId: LIFE_JACKET, quantity: 40, batchNo: 'EXP-JSY-2104', expiryDate: '2026-04-09' }], {
      occurredAt: '2026-03-01T09:00:00+08:00',
    });
    await receive(t, 'admin', XINXIANG, [{ itemId: LIFE_JACKET, quantity: 30, batchNo: 'EXP-JSY-2031', expiryDate: '2031-04-09' }]);
    const shipped = ok(await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, lines: [{ itemId: LIFE_JACKET, quantity: 30 }] })).shipTransfer;
    expect(shipped.lines.map((l: any) => [l.batch.batchNo, l.shipped])).toEqual([['EXP-JSY-2031', 30]]);
    const more = await shipRaw(t, 'admin', { fromStoreId: XINXIANG, toStoreId: WEIHUI, lines: [{ itemId: LIFE_JACKET, quantity: 1 }] });
    expect(errorCode(more)).toBe('INSUFFICIENT_STOCK');
    expect(ext(more)).toMatchObject({ expired: 40 });
    const named = await shipRaw(t, 'admin', {
      fromStoreId: XINXIANG,
      toStoreId: WEIHUI,
      lines: [{ itemId: LIFE_JACKET, quantity: 1, batchId: rec.lines[0].batch.id }],
    });
    expect(errorCode(named)).toBe('INVALID_STATE');
  });

  it('D26: the planner never plans an expired batch (nor one expiring at 00:00 China time today)', async () => {
    await receive(t, 'admin', TAIGONG, [{ itemId: LIFE_JACKET, quantity: 100, batchNo: 'EXP-TG-JSY', expiryDate: '2026-07-15' }], { occurredAt: earlier });
    await receive(t, 'admin', TAIGONG, [{ itemId: LIFE_JACKET, quantity: 100, batchNo: 'EXP-TG-JSY-0720', expiryDate: '2026-07-20' }]);
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '太公镇洪涝', type: 'FLOOD', regionCode: '410781', location: { lat: 35.42, lng: 114.14 }, affectedPopulation: 800, responseLevel: 4 } },
        'dispatcher',
      ),
    ).createIncident;
    const plan = async () =>
      ok(
        await t.gql(
          `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { lines { batch { batchNo } quantity } } }`,
          {
            i: {
              incidentId: incident.id,
              destinations: [{ name: '太公镇中学安置点', regionCode: '410781101000', lat: 35.42, lng: 114.14, lines: [{ itemId: LIFE_JACKET, quantity: 20 }] }],
            },
          },
          'dispatcher',
        ),
      ).suggestDispatchPlan.lines.map((l: any) => l.batch.batchNo);
    expect(await plan()).not.toContain('EXP-TG-JSY');
    expect(await plan()).toContain('EXP-TG-JSY-0720');
    t.clock.set('2026-07-20T16:00:00Z');
    const planned = await plan();
    expect(planned).not.toContain('EXP-TG-JSY-0720');
    expect(planned).not.toContain('EXP-TG-JSY');
  });

  it('D26: a plan approved while its batch was good does not ship it once expired (INVALID_STATE)', async () => {
    await receive(t, 'admin', XINXIANG, [{ itemId: TOWEL_QUILT, quantity: 30, batchNo: 'EXP-XX-MJB-0720', expiryDate: '2026-07-20' }]);
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '汲水镇洪涝', type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.06 } } },
        'dispatcher',
      ),
    ).createIncident;
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id lines { batch { batchNo } } } }`,
        {
          i: {
            incidentId: incident.id,
            destinations: [{ name: '汲水镇安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: TOWEL_QUILT, quantity: 10 }] }],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch;
    expect(plan.lines.map((l: any) => l.batch.batchNo)).toEqual(['EXP-XX-MJB-0720']);
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id }, 'dispatcher'));
    t.clock.set('2026-07-20T16:00:00Z');
    const res = await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { status } }`,
      { p: plan.id, k: key() },
      'dispatcher',
    );
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].extensions).toMatchObject({ expiryDate: '2026-07-20' });
  });

  it('D26: expired stock still leaves by scrap', async () => {
    const [line] = (await stockLines(t, WEIHUI, TOWEL_QUILT)).filter((l: any) => l.expired);
    // D23: scrap leaves against an approved order (for the batch), requested by the keeper and approved by another.
    const res = await withOrder(
      t,
      'keeper',
      { lines: [{ itemId: TOWEL_QUILT, batchId: line.batch.id, quantity: 4 }] },
      { storeId: WEIHUI, purpose: 'SCRAP' },
      ({ orderId }) =>
        t.gql(
          `mutation($input: ScrapStockInput!) { scrapStock(input: $input) { id status } }`,
          {
            input: {
              idempotencyKey: key(),
              orderId,
              storeId: WEIHUI,
              approvalRef: '卫应急〔2026〕31号',
              reason: 'EXPIRED',
              lines: [{ batchId: line.batch.id, quantity: 4 }],
            },
          },
          'keeper',
        ),
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  });

  it('D26: a receipt of goods already expired on the receipt day (past their expiry date) → BAD_USER_INPUT naming expiryDate; expiring today is fine', async () => {
    const past = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: COAT, quantity: 1, batchNo: 'EXP-R-2020', expiryDate: '2020-01-01' }]));
    expect(errorCode(past)).toBe('BAD_USER_INPUT');
    expect(ext(past).field).toBe('input.lines.0.expiryDate');
    expect(past.errors![0].message).toContain('2020-01-01');
    const yesterday = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: COAT, quantity: 1, batchNo: 'EXP-R-YDAY', expiryDate: '2026-07-19' }]));
    expect(errorCode(yesterday)).toBe('BAD_USER_INPUT');
    expect(yesterday.errors![0].message).toBe('物资有效期至 2026-07-19，入库日期 2026-07-20 时已过期，不能入库');
    const today = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: COAT, quantity: 1, batchNo: 'EXP-R-TODAY', expiryDate: '2026-07-20' }]));
    expect(today.errors).toBeUndefined();
  });

  it('D26: a rotation takes an expired batch out, but its new batch must outlive the rotation lead (12 months)', async () => {
    const rec = await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 6, batchNo: 'EXP-ROT-OLD', expiryDate: '2026-07-05' }], { occurredAt: earlier });
    const batchId = rec.lines[0].batch.id;
    // D23: the old batch leaves against an approved rotation order.
    const rotate = (batchNo: string, expiryDate: string) =>
      withOrder(
        t,
        'keeper',
        { lines: [{ itemId: COAT, batchId, quantity: 6 }] },
        { storeId: WEIHUI, purpose: 'ROTATION_SALE', recipient: '卫辉市民政局' },
        ({ orderId }) =>
          t.gql(
            `mutation($input: RotateStockInput!) { rotateStock(input: $input) { id lines { batch { batchNo } quantity } } }`,
            {
              input: {
                idempotencyKey: key(),
                orderId,
                storeId: WEIHUI,
                batchId,
                quantity: 6,
                disposal: 'USE',
                counterpart: '卫辉市民政局',
                newBatch: { batchNo, expiryDate },
              },
            },
            'keeper',
          ),
      );
    const soon = await rotate('EXP-ROT-SOON', '2026-07-22');
    expect(errorCode(soon)).toBe('BAD_USER_INPUT');
    expect(ext(soon)).toMatchObject({ field: 'input.newBatch.expiryDate', rotationLeadMonths: 12 });
    expect(errorCode(await rotate('EXP-ROT-EDGE', '2027-07-20'))).toBe('BAD_USER_INPUT');
    const done = ok(await rotate('EXP-ROT-NEW', '2027-07-21')).rotateStock;
    expect(done.lines.map((l: any) => [l.batch.batchNo, l.quantity])).toEqual([
      ['EXP-ROT-OLD', -6],
      ['EXP-ROT-NEW', 6],
    ]);
  });

  it('D26: stock(orderBy: EXPIRY) lists earliest expiry first, across pages — Store.stock(orderBy: EXPIRY) the same (sweep 6b L2)', async () => {
    const LINES = `edges { node { expired daysToExpiry batch { batchNo expiryDate } } } pageInfo { hasNextPage endCursor }`;
    const all = async (after?: string): Promise<any[]> => {
      const res = ok(
        await t.gql(
          `query($f: StockFilter!, $a: String) { stock(filter: $f, first: 2, after: $a, orderBy: EXPIRY) { ${LINES} } }`,
          { f: { storeId: WEIHUI }, a: after },
          'keeper',
        ),
      ).stock;
      const nodes = res.edges.map((e: any) => e.node);
      return res.pageInfo.hasNextPage ? [...nodes, ...(await all(res.pageInfo.endCursor))] : nodes;
    };
    const ofStore = async (after?: string): Promise<any[]> => {
      const res = ok(
        await t.gql(
          `query($s: ID!, $a: String) { store(id: $s) { stock(first: 2, after: $a, orderBy: EXPIRY) { ${LINES} } } }`,
          { s: WEIHUI, a: after },
          'keeper',
        ),
      ).store.stock;
      const nodes = res.edges.map((e: any) => e.node);
      return res.pageInfo.hasNextPage ? [...nodes, ...(await ofStore(res.pageInfo.endCursor))] : nodes;
    };
    const nodes = await all();
    expect(await ofStore()).toEqual(nodes);
    const dates = nodes.map((n) => n.batch.expiryDate ?? '9999-12-31');
    expect(dates).toEqual([...dates].sort());
    expect(nodes.length).toBeGreaterThan(4);
    const first = nodes[0];
    expect(first).toMatchObject({ expired: true });
    expect(first.daysToExpiry).toBeLessThan(0);
    const good = nodes.find((n) => n.batch.batchNo === 'EXP-COAT-GOOD');
    expect(good).toMatchObject({ expired: false, daysToExpiry: 1261 });
  });

  it('D26: rotationDue lists expired batches first, flagged expired', async () => {
    const lines = ok(
      await t.gql(`{ rotationDue(regionCode: "410781", withinMonths: 120) { expired rotateBy batch { batchNo expiryDate } } }`, {}, 'dispatcher'),
    ).rotationDue as any[];
    const flags = lines.map((l) => l.expired);
    expect(flags[0]).toBe(true);
    expect(flags).toEqual([...flags].sort((a, b) => Number(b) - Number(a)));
    for (const l of lines) expect(l.expired).toBe(l.batch.expiryDate < '2026-07-20');
    expect(lines.find((l) => l.batch.batchNo === 'EXP-COAT-OLD')).toMatchObject({ expired: true });
  });
});

async function stockLines(t: TestApp, store: string, item: string) {
  const res = ok(
    await t.gql(
      `query($f: StockFilter!) { stock(filter: $f, first: 500) { edges { node { onHand available frozen expired daysToExpiry batch { id batchNo expired daysToExpiry } } } } }`,
      { f: { storeId: store, itemId: item } },
      'admin',
    ),
  );
  return res.stock.edges.map((e: any) => e.node);
}
