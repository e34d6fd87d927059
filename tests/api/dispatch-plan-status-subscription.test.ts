import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { signToken } from '../../server/auth/tokens.ts';
import { MAX_STREAMS_PER_USER } from '../../server/dispatch/events.ts';
import { planStatusStream } from '../support/plan-status-stream.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { ok } from '../support/ledger-ops.ts';
import { receive, WEIHUI } from '../support/ledger.ts';
import { createIncident, requestPlan } from '../support/relief.ts';

// D18: the dispatchPlanStatus subscription (GraphQL over SSE) — it lasts as long as the session it was opened in
// (README: logout "ends the caller's sessions on every device"; a password reset or a deactivation ends the user's
// earlier sessions; a token ends at its expiry), it tells the plan's current status first and then its changes, and
// whoever may read the plan (dispatchPlan(id), policy mayRead.plan) may follow it — the region's auditor too.

const t = useTestApp();
const LAMP = itemId('LIV-015'); // 场地照明灯
const PASSWORD = 'Sub-Pass-2026';

let server: Server;
let url: string;
let incidentId: string;
let round = 0;

beforeAll(async () => {
  server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  incidentId = await createIncident(t, { name: '卫辉市订阅复核' });
  await receive(t, 'admin', WEIHUI, [{ itemId: LAMP, quantity: 40, batchNo: 'SUB-LP-1', expiryDate: '2032-01-01', unitPrice: '800.00' }]);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(() => r(undefined)));
});

const tokenOf = (as: string) => t.token(as);
/** A PROPOSED plan of 卫辉市's incident (one 场地照明灯 from 卫辉's store), requested by the dispatcher. */
const proposedPlan = async (): Promise<string> => (await requestPlan(t, incidentId, LAMP, 1)).id;
const approve = (planId: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: planId }, 'director');
const cancel = (planId: string) => t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "订阅复核") { status } }`, { p: planId }, 'dispatcher');
const withToken = (query: string, token: string, variables: Record<string, unknown> = {}) =>
  request(t.app)
    .post('/graphql')
    .set('content-type', 'application/json')
    .set('authorization', `Bearer ${token}`)
    .send({ query, variables })
    .then((res) => res.body as GqlResult);

/** A user of 新乡市 with a token of their own (logging out or deactivating them touches no demo user's session). */
async function userWithToken(role: 'DISPATCHER' | 'AUDITOR'): Promise<{ id: string; token: string }> {
  round += 1;
  const username = `sub.${role.toLowerCase()}.${round}`;
  const created = await t.gql(
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username, displayName: `订阅测试${round}`, password: PASSWORD, role, regionCode: '410700' } },
    'admin',
  );
  const login = await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: username, p: PASSWORD });
  return { id: ok(created).createUser.id, token: ok(login).login.token };
}

/** Opens the plan's stream (closed by `end`, or after 10 s). */
async function open(planId: string, token: string) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  const stream = await planStatusStream(url, planId, token, abort.signal);
  expect(stream.res.status).toBe(200);
  return {
    res: stream.res,
    /** What has arrived so far. */
    get text() {
      return stream.text;
    },
    /** The statuses told so far, in order. */
    statuses: () =>
      stream.text
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => JSON.parse(l.slice(6)).data.dispatchPlanStatus.status as string),
    /** Reads on until `pred` holds of the text, or the stream ends or times out (false then). */
    waitFor: (pred: (text: string) => boolean) => stream.readUntil(pred).catch(() => pred(stream.text)),
    end: () => {
      clearTimeout(timer);
      abort.abort();
    },
  };
}

const completed = (text: string) => /event: complete\n/.test(text);

/** The answer to a subscription that is refused: its one result. */
async function refusal(planId: string, token?: string): Promise<GqlResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: `subscription($p: ID!) { dispatchPlanStatus(planId: $p) { planId status } }`, variables: { p: planId } }),
    signal: AbortSignal.timeout(5000),
  });
  const data = (await res.text()).split('\n').find((l) => l.startsWith('data: {'));
  return JSON.parse(data!.slice(6)) as GqlResult;
}

describe("D18: a subscription tells the plan's current status first, then its changes", () => {
  it('subscribing after the approval: APPROVED at once, then CANCELLED when it is cancelled', async () => {
    const planId = await proposedPlan();
    expect(ok(await approve(planId)).approveDispatchPlan.status).toBe('APPROVED');
    const stream = await open(planId, await tokenOf('dispatcher'));
    try {
      expect(await stream.waitFor((s) => s.includes('data: {'))).toBe(true);
      const first = stream.text.split('\n').find((l) => l.startsWith('data: {'))!;
      expect(JSON.parse(first.slice(6))).toEqual({ data: { dispatchPlanStatus: { planId, status: 'APPROVED' } } });
      expect(ok(await cancel(planId)).cancelDispatchPlan.status).toBe('CANCELLED');
      expect(await stream.waitFor((s) => s.includes('"status":"CANCELLED"'))).toBe(true);
      expect(stream.statuses()).toEqual(['APPROVED', 'CANCELLED']);
    } finally {
      stream.end();
    }
  });
});

describe('D18: a subscription ends (complete) when its session ends', () => {
  it('logout, a password reset and a deactivation each end the stream at once, with no event of the plan; a live session hears the next', async () => {
    const planId = await proposedPlan();
    const [loggedOut, reset, deactivated] = [await userWithToken('DISPATCHER'), await userWithToken('DISPATCHER'), await userWithToken('DISPATCHER')];
    const live = await open(planId, await tokenOf('dispatcher'));
    const ending = [await open(planId, loggedOut.token), await open(planId, reset.token), await open(planId, deactivated.token)];
    try {
      for (const stream of [live, ...ending]) expect(await stream.waitFor((s) => s.includes('"status":"PROPOSED"'))).toBe(true);

      expect(ok(await withToken('mutation { logout }', loggedOut.token)).logout).toBe(true);
      ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { password: "Reset-Pass-2026" }) { id } }`, { id: reset.id }, 'admin'));
      ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { active } }`, { id: deactivated.id }, 'admin'));
      for (const { token } of [loggedOut, reset, deactivated]) expect(errorCode(await withToken('{ me { username } }', token))).toBe('UNAUTHENTICATED');
      // README: the subscription runs until the session ends — it completes now, not at the plan's next change (sweep
      // 6c M1: a logged-out stream stayed open, and counted against the user's streams, until the plan changed).
      for (const stream of ending) {
        expect(await stream.waitFor(completed), stream.text).toBe(true);
        expect(stream.statuses()).toEqual(['PROPOSED']);
      }
      expect(completed(live.text)).toBe(false);

      expect(ok(await approve(planId)).approveDispatchPlan.status).toBe('APPROVED');
      expect(await live.waitFor((s) => s.includes('"status":"APPROVED"'))).toBe(true);
      for (const stream of ending) expect(stream.statuses()).toEqual(['PROPOSED']);
      expect(completed(live.text)).toBe(false);
    } finally {
      for (const stream of [live, ...ending]) stream.end();
      ok(await cancel(planId));
    }
  });

  it('the stream ends when its token expires, without waiting for an event', async () => {
    const planId = await proposedPlan();
    const { id } = await userWithToken('DISPATCHER');
    // A token of this server that lives 3 s (the server issues them for TOKEN_TTL_HOURS; a shorter one is valid).
    const { token, expiresAt } = await signToken({ secret: t.config.jwtSecret, ttlHours: 3 / 3600 }, id, 0);
    const stream = await open(planId, token);
    try {
      expect(await stream.waitFor((s) => s.includes('"status":"PROPOSED"'))).toBe(true);
      expect(await stream.waitFor(completed)).toBe(true);
      expect(Date.now()).toBeGreaterThanOrEqual(Math.floor(expiresAt.getTime() / 1000) * 1000);
      expect(stream.statuses()).toEqual(['PROPOSED']);
    } finally {
      stream.end();
      ok(await cancel(planId));
    }
  });
});

describe('D18: whoever may read the plan may follow it (policy mayRead.plan, as dispatchPlan(id))', () => {
  let jinchengPlan: string;
  beforeAll(async () => {
    const jincheng = await createIncident(t, { name: '晋城市洪涝', regionCode: '140500', location: { lat: 35.49, lng: 112.85 } }, 'jincheng');
    const destination = { name: '城区一中安置点', regionCode: '140502', lat: 35.49, lng: 112.85, lines: [{ itemId: LAMP, quantity: 1 }] };
    jinchengPlan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId: jincheng, deadlineHours: 48, destinations: [destination] } },
        'jincheng',
      ),
    ).requestDispatch.id;
  });

  it("新乡市's auditor follows a plan of 新乡市 (current status, then the approval), as they read it", async () => {
    const planId = await proposedPlan();
    expect(ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { status } }`, { p: planId }, 'auditor')).dispatchPlan.status).toBe('PROPOSED');
    const stream = await open(planId, await tokenOf('auditor'));
    try {
      expect(await stream.waitFor((s) => s.includes('"status":"PROPOSED"'))).toBe(true);
      expect(ok(await approve(planId)).approveDispatchPlan.status).toBe('APPROVED');
      expect(await stream.waitFor((s) => s.includes('"status":"APPROVED"'))).toBe(true);
      expect(stream.statuses()).toEqual(['PROPOSED', 'APPROVED']);
    } finally {
      stream.end();
      ok(await cancel(planId));
    }
  });

  it("a plan of 晋城市 is FORBIDDEN to 新乡市's auditor, as dispatchPlan(id) is, naming the plan; keepers none, no token UNAUTHENTICATED", async () => {
    const auditor = await tokenOf('auditor');
    const read = await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { status } }`, { p: jinchengPlan }, 'auditor');
    expect(errorCode(read)).toBe('FORBIDDEN');
    // The refusal names the plan (sweep 8b F3: it said 该事件, and the reader looked for a wrong incident id).
    expect(read.errors![0].message).toBe('无权访问：该调拨方案超出您的权限范围');
    const streamed = await refusal(jinchengPlan, auditor);
    expect(errorCode(streamed)).toBe('FORBIDDEN');
    expect(streamed.errors![0].message).toBe('无权访问：该调拨方案超出您的权限范围');
    // An auditor created in 新乡市 for the test reads the same: the rule is the principal's scope, not the demo user.
    expect(errorCode(await refusal(jinchengPlan, (await userWithToken('AUDITOR')).token))).toBe('FORBIDDEN');
    const planId = await proposedPlan();
    try {
      expect(errorCode(await refusal(planId, await tokenOf('keeper')))).toBe('FORBIDDEN');
      expect(errorCode(await refusal(planId))).toBe('UNAUTHENTICATED');
    } finally {
      ok(await cancel(planId));
    }
  });
});

describe("API.md The edge: a client's budget of open streams", () => {
  it(`one user holds at most ${MAX_STREAMS_PER_USER} plan streams at once: the next is RATE_LIMITED; one closed, one more opens`, async () => {
    const planId = await proposedPlan();
    const { token } = await userWithToken('DISPATCHER');
    const streams = [];
    try {
      for (let i = 0; i < MAX_STREAMS_PER_USER; i++) {
        const stream = await open(planId, token);
        expect(await stream.waitFor((s) => s.includes('data: {'))).toBe(true);
        streams.push(stream);
      }
      const over = await refusal(planId, token);
      expect(errorCode(over)).toBe('RATE_LIMITED');
      expect(over.errors![0].message).toContain(`每人最多 ${MAX_STREAMS_PER_USER} 个`);
      expect(over.errors![0].extensions.retryAfterSeconds).toBeGreaterThan(0);
      // Another user is not held to this one's budget.
      const other = await open(planId, await tokenOf('dispatcher'));
      expect(await other.waitFor((s) => s.includes('"status":"PROPOSED"'))).toBe(true);
      other.end();
      // A stream the client closes gives its place back (once the server has seen it go).
      streams.pop()!.end();
      let again: GqlResult | undefined;
      for (let tries = 0; tries < 50; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        const probe = await open(planId, token).catch(() => undefined);
        if (probe && (await probe.waitFor((s) => s.includes('data: {')))) {
          again = JSON.parse(
            probe.text
              .split('\n')
              .find((l) => l.startsWith('data: {'))!
              .slice(6),
          ) as GqlResult;
          streams.push(probe);
          if (!again.errors) break;
        }
      }
      expect(again?.errors).toBeUndefined();
    } finally {
      for (const s of streams) s.end();
    }
  });
});
