import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { planStatusStream } from '../support/plan-status-stream.ts';
import { freePort } from '../support/postgres-server.ts';
import { startApiProcess, templateCopy, type ApiProcess } from '../support/api-process.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Runs on the real PostgreSQL server only. DESIGN "Growing past one machine": two API processes on one database; a
// dispatcher subscribed to a plan's status on one hears the plan approved and executed through the other — the change
// crosses processes through PostgreSQL LISTEN/NOTIFY (server/dispatch/events.ts), not the in-process emitter.

const JWT_SECRET = `plan-status-${randomBytes(24).toString('hex')}`;
const WEIHUI = storeId('S-410781-01');
const LAMP = itemId('LIV-015');
const JISHUI = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };

const serverUrl = inject('postgresUrl');
const servers: ApiProcess[] = [];
let dropDatabase = async () => {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gql(port: number, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

let one: number;
let other: number;

beforeAll(async () => {
  const database = await templateCopy(serverUrl);
  dropDatabase = database.drop;
  [one, other] = [await freePort(), await freePort()];
  // One API process each (API_PROCESSES=1), on ports of their own.
  const env = { DATABASE_URL: database.url, JWT_SECRET, API_PROCESSES: '1' };
  servers.push(...(await Promise.all([startApiProcess(one, env), startApiProcess(other, env)])));
}, 90_000);

afterAll(async () => {
  for (const p of servers) p.kill();
  await sleep(500);
  await dropDatabase();
});

describe('plan status across API processes (PostgreSQL LISTEN/NOTIFY)', () => {
  it('D18: a subscriber on one process sees the plan approved and executed through another', { timeout: 60_000 }, async () => {
    const login = async (port: number, u: string) =>
      (await gql(port, `mutation($u:String!,$p:String!){ login(username:$u,password:$p){ token } }`, { u, p: TEST_PASSWORD })).login.token as string;
    const admin = await login(other, 'admin');
    const dispatcher = await login(other, 'dispatcher');
    await gql(
      other,
      `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`,
      {
        input: {
          storeId: WEIHUI,
          source: 'PURCHASE',
          contractNo: 'HT-2026-NOTIFY',
          inspectionReportNo: 'YS-2026-NOTIFY',
          idempotencyKey: randomUUID(),
          lines: [{ itemId: LAMP, quantity: 10, batchNo: 'R-LP-NOTIFY', expiryDate: '2032-01-01', unitPrice: '800.00' }],
        },
      },
      admin,
    );
    const incident = await gql(
      other,
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      {
        i: { name: '跨进程通知演练', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 }, affectedPopulation: 500, responseLevel: 3 },
      },
      dispatcher,
    );
    const plan = (
      await gql(
        other,
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id status } }`,
        { i: { incidentId: incident.createIncident.id, destinations: [{ ...JISHUI, lines: [{ itemId: LAMP, quantity: 4 }] }] } },
        dispatcher,
      )
    ).requestDispatch;
    expect(plan.status).toBe('PROPOSED');

    // The subscriber, on the first process.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 30_000);
    try {
      const stream = await planStatusStream(`http://127.0.0.1:${one}/graphql`, plan.id, dispatcher, abort.signal);
      expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
      expect(await stream.readUntil((s) => s.length > 0)).toBe(true); // the first ping: subscribed
      await sleep(200);

      // Approved and executed through the other process.
      const approve = `mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { status } }`;
      expect((await gql(other, approve, { p: plan.id }, dispatcher)).approveDispatchPlan.status).toBe('APPROVED');
      const execute = `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { status } }`;
      expect((await gql(other, execute, { p: plan.id, k: randomUUID() }, dispatcher)).executeDispatchPlan.status).toBe('EXECUTING');

      expect(await stream.readUntil((s) => s.includes('"status":"EXECUTING"')), stream.text).toBe(true);
      const events = stream.text
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => JSON.parse(l.slice(6)).data.dispatchPlanStatus);
      // Its status when subscribed first, then the changes made through the other process.
      expect(events).toEqual([
        { planId: plan.id, status: 'PROPOSED' },
        { planId: plan.id, status: 'APPROVED' },
        { planId: plan.id, status: 'EXECUTING' },
      ]);
      await stream.close();
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  });
});
