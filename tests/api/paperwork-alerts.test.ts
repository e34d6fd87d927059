import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { JINCHENG, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok, stocktakeRaw } from '../support/ledger-ops.ts';
import { deliverAlerts } from '../../server/paperwork/alert-webhook.ts';
import { createLogger } from '../../server/logger.ts';

// Issue 13, alerts: in a user's scope — expired (D26) and expiring (D10) batches, stock below quota (D19), emergency
// approvals near or past their 48 h (D14) — and a 企业微信/钉钉 robot webhook that hears each new alert exactly once,
// retried when the robot fails (driven against a local HTTP receiver).

const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind severity message regionCode store { id name } batch { batchNo } dispatchPlan { id } dueAt quantity } }`;

describe('alerts (issue 13)', () => {
  const t = useTestApp();
  const alertsOf = async (as: string, r?: string) => ok(await t.gql(ALERTS, { r }, as)).alerts as any[];
  let planId = '';

  beforeAll(async () => {
    // 10: the emergency plan below ships 5 of them (first to expire), 5 stay.
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'AL-SOON', expiryDate: '2026-08-19', unitPrice: '100.00' }]);
    await receive(t, 'admin', JINCHENG, [{ itemId: QUILT, quantity: 5, batchNo: 'AL-JC', expiryDate: '2026-08-19', unitPrice: '100.00' }]);
    ok(await t.gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, { i: { itemId: QUILT, quantity: 100_000, storeId: WEIHUI } }, 'admin'));
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '卫辉市内涝', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 } } },
        'dispatcher',
      ),
    ).createIncident.id;
    planId = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        {
          i: {
            incidentId: incident,
            destinations: [{ name: '城郊乡安置点', regionCode: '410781203000', lat: 35.37, lng: 114.08, lines: [{ itemId: QUILT, quantity: 5 }] }],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch.id;
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { approvalDueAt } }`, { p: planId }, 'dispatcher'));
    // D14: the written approval is due 48 h after execution (先调拨后补手续: executed at once).
    ok(
      await t.gql(
        `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { approvalDueAt } }`,
        { p: planId, k: 'al-exec' },
        'dispatcher',
      ),
    );
  });

  it('D10/D19: expiring batches and stock below quota, in scope; keepers see their stores’ batches only', async () => {
    const dispatcher = await alertsOf('dispatcher');
    const soon = dispatcher.find((a) => a.batch?.batchNo === 'AL-SOON');
    expect(soon).toMatchObject({ kind: 'EXPIRING', severity: 'WARNING', store: { id: WEIHUI }, quantity: 5 });
    expect(soon.message).toContain('将于 2026-08-19 到期，在库 5 床，请安排轮换');
    expect(dispatcher.some((a) => a.batch?.batchNo === 'AL-JC')).toBe(false);
    const quota = dispatcher.find((a) => a.kind === 'BELOW_QUOTA' && a.store?.id === WEIHUI);
    // Sweep 22c F6: grouped, as every quantity is written.
    expect(quota.message).toMatch(/棉被 可用 [\d,]+ 床，低于储备定额 100,000 床（缺 [\d,]+ 床）/);
    // The emergency approval is due in 48 h: not yet announced (12 h before).
    expect(dispatcher.some((a) => a.dispatchPlan?.id === planId)).toBe(false);
    const keeper = await alertsOf('keeper');
    expect(keeper.some((a) => a.batch?.batchNo === 'AL-SOON')).toBe(true);
    expect(keeper.every((a) => a.store?.id === WEIHUI)).toBe(true);
    expect(keeper.some((a) => a.kind === 'BELOW_QUOTA')).toBe(false);
    expect((await alertsOf('admin')).some((a) => a.batch?.batchNo === 'AL-JC')).toBe(true);
    expect((await t.gql(ALERTS, { r: '140500' }, 'dispatcher')).errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('D14/D26: the emergency approval near and past 48 h; a batch past its expiry is expired', async () => {
    t.clock.set('2026-07-21T16:00:00Z'); // 38 h after approval
    const due = (await alertsOf('auditor')).find((a) => a.dispatchPlan?.id === planId);
    expect(due).toMatchObject({ kind: 'EMERGENCY_APPROVAL_DUE', severity: 'WARNING', regionCode: '410781000000' });
    t.clock.set('2026-07-22T03:00:00Z'); // 49 h
    const overdue = (await alertsOf('dispatcher')).find((a) => a.dispatchPlan?.id === planId);
    expect(overdue).toMatchObject({ kind: 'EMERGENCY_APPROVAL_OVERDUE', severity: 'CRITICAL' });
    expect(overdue.message).toContain('已逾期');
    expect((await alertsOf('keeper')).some((a) => a.kind.startsWith('EMERGENCY'))).toBe(false);
    t.clock.set('2026-08-20T02:00:00Z');
    const expired = (await alertsOf('keeper')).find((a) => a.batch?.batchNo === 'AL-SOON');
    expect(expired).toMatchObject({ kind: 'EXPIRED', severity: 'CRITICAL' });
    expect(expired.message).toMatch(/有效期至 2026-08-19，已过期，在库 5 床，已冻结/);
    t.clock.set('2026-07-20T02:00:00Z');
  });

  it('D27: an approval pending longer than the configured time (24 h) is announced to those who see it', async () => {
    const stock = ok(
      await t.gql(
        `query($f: StockFilter!) { stock(filter: $f, first: 50) { edges { node { batch { id batchNo } } } } }`,
        { f: { storeId: WEIHUI, itemId: QUILT } },
        'keeper',
      ),
    );
    const batchId = stock.stock.edges.find((e: any) => e.node.batch.batchNo === 'AL-SOON').node.batch.id;
    const st = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 6, reason: 'STOCKTAKE_GAIN' }] })).submitStocktake;
    const waiting = async () => (await alertsOf('dispatcher')).filter((a) => a.kind === 'APPROVAL_WAITING');
    if (st.status === 'POSTED') return; // this deployment posts stocktakes at once: nothing waits
    expect(await waiting()).toEqual([]);
    t.clock.set('2026-07-21T03:00:00Z');
    const [alert] = await waiting();
    expect(alert).toMatchObject({ severity: 'WARNING', store: { id: WEIHUI } });
    expect(alert.message).toMatch(/^待审批超过 24 小时/);
    expect((await alertsOf('keeper')).some((a) => a.key === alert.key)).toBe(true);
    t.clock.set('2026-07-20T02:00:00Z');
  });

  describe('webhook', () => {
    const received: { content: string; answered: number }[] = [];
    let failNext = 1;
    let server: Server;
    let url = '';
    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const message = JSON.parse(body);
          const answered = failNext-- > 0 ? 500 : 200;
          received.push({ content: message.msgtype === 'text' ? message.text.content : '(not a text message)', answered });
          res.writeHead(answered, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answered === 200 ? { errcode: 0, errmsg: 'ok' } : { errcode: -1 }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/webhook/send?key=test`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('each alert reaches the robot exactly once, with the robot JSON body; a failed send is retried', async () => {
      const hook = {
        db: t.database.db,
        clock: t.clock,
        log: createLogger('silent'),
        url,
        policy: { expiryDays: 90, approvalWarnHours: 12, approvalWaitHours: 24 },
      };
      t.clock.set('2026-07-22T03:00:00Z');
      const first = await deliverAlerts(hook);
      const all = (await alertsOf('admin')).map((a) => a.message);
      expect(all.length).toBeGreaterThan(2);
      expect(received).toHaveLength(all.length);
      expect(first).toBe(all.length - 1);
      expect(received.filter((r) => r.answered === 500)).toHaveLength(1);
      // Nothing new, the failed one not due yet: nothing sent.
      expect(await deliverAlerts(hook)).toBe(0);
      expect(received).toHaveLength(all.length);
      t.clock.set('2026-07-22T03:01:30Z');
      expect(await deliverAlerts(hook)).toBe(1);
      t.clock.set('2026-07-22T04:00:00Z');
      expect(await deliverAlerts(hook)).toBe(0);
      const delivered = received.filter((r) => r.answered === 200).map((r) => r.content);
      expect(delivered).toHaveLength(all.length);
      expect(delivered.every((d) => /^【应急物资(告警|提醒)】/.test(d))).toBe(true);
      for (const m of all) expect(delivered.filter((d) => d.endsWith(m))).toHaveLength(1);
      t.clock.set('2026-07-20T02:00:00Z');
    });
  });
});
