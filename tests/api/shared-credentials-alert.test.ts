import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { QUILT, WEIHUI } from '../support/ledger.ts';

// D24, sweep 4 H1: an administrator who set the passwords of both a requester and a decider knows both logins and could
// request and approve alone under two names. The decision is not refused for it (every account starts with a password
// its administrator chose), but the command and auditors are told — judged by the passwords of the decision's moment,
// so a change of password afterwards does not end it (sweep 16a F1).

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
const REQUEST = `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { number approval { id } } }`;
const DECIDE = `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`;
const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind severity message } }`;
const CHANGE = `mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) { token } }`;

describe('SHARED_CREDENTIALS (D24, sweep 4 H1): an approval whose two people had their passwords set by one third person is announced', () => {
  const t = useTestApp();
  const withToken = async (token: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> =>
    (await request(t.app).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${token}`).send({ query, variables }))
      .body as GqlResult;
  const login = async (u: string, p: string) => {
    const res = await t.gql(LOGIN, { u, p });
    expect(res.errors).toBeUndefined();
    return res.data.login.token as string;
  };
  const shared = (alerts: { kind: string; message: string }[]) => alerts.filter((a) => a.kind === 'SHARED_CREDENTIALS');
  const order = (idempotencyKey: string) => ({
    i: { storeId: WEIHUI, purpose: 'RELIEF', recipient: '某村', idempotencyKey, lines: [{ itemId: QUILT, quantity: 3 }] },
  });

  it('a regional administrator’s keeper requests, its dispatcher approves: CRITICAL, naming the three; not to the keeper; still there once one changes their password (sweep 16a F1)', async () => {
    const created = await t.gql(
      CREATE,
      { input: { username: 'sc-admin', displayName: '卫辉管理员', role: 'ADMIN', regionCode: '410781', password: 'Sc-Admin-2026-x' } },
      'admin',
    );
    expect(created.errors).toBeUndefined();
    const admin = await login('sc-admin', 'Sc-Admin-2026-x');
    for (const input of [
      { username: 'sc-keeper', displayName: '张库管', role: 'KEEPER', storeIds: [WEIHUI], password: 'Sc-Keeper-2026' },
      { username: 'sc-disp', displayName: '李调度', role: 'DISPATCHER', regionCode: '410781', password: 'Sc-Disp-2026' },
    ]) {
      expect((await withToken(admin, CREATE, { input })).errors).toBeUndefined();
    }
    const keeper = await login('sc-keeper', 'Sc-Keeper-2026');
    const dispatcher = await login('sc-disp', 'Sc-Disp-2026');
    const requested = await withToken(keeper, REQUEST, order('sc-order-1'));
    expect(requested.errors).toBeUndefined();
    // Not refused: neither made the other's account nor set the other's password.
    const decided = await withToken(dispatcher, DECIDE, { i: { approvalId: requested.data.requestOutboundOrder.approval.id, decision: 'APPROVE' } });
    expect(decided.data?.decideApproval.status).toBe('APPROVED');

    const [alert] = shared((await t.gql(ALERTS, { r: '410781' }, 'auditor')).data.alerts);
    expect(alert).toMatchObject({ kind: 'SHARED_CREDENTIALS', severity: 'CRITICAL' });
    expect(alert.message).toContain('张库管');
    expect(alert.message).toContain('李调度');
    expect(alert.message).toContain('卫辉管理员（sc-admin）');
    expect(alert.message).toContain('救灾发放：棉被 3 床'); // sweep 22c F6: with its unit
    expect(shared((await t.gql(ALERTS, {}, 'dispatcher')).data.alerts)).toHaveLength(1);
    // Keepers are not told about others' logins.
    expect(shared((await withToken(keeper, ALERTS)).data.alerts)).toEqual([]);

    expect(alert.message).toContain('审批时二人的密码均由 卫辉管理员（sc-admin） 设置');
    t.clock.advance(1 / 60);
    const changed = await withToken(keeper, CHANGE, { old: 'Sc-Keeper-2026', new: 'Sc-Keeper-Own-2026' });
    expect(changed.errors).toBeUndefined();
    expect(shared((await t.gql(ALERTS, { r: '410781' }, 'auditor')).data.alerts).map((a) => a.message)).toEqual([alert.message]);
  });

  it('the demo keeper’s request approved by the director (passwords no one else set) is not announced; the tied pair stays refused', async () => {
    const requested = await t.gql(REQUEST, order('sc-order-2'), 'keeper');
    expect(requested.errors).toBeUndefined();
    const decided = await t.gql(DECIDE, { i: { approvalId: requested.data.requestOutboundOrder.approval.id, decision: 'APPROVE' } }, 'director');
    expect(decided.data?.decideApproval.status).toBe('APPROVED');
    const messages = shared((await t.gql(ALERTS, { r: '410781' }, 'auditor')).data.alerts).map((a) => a.message);
    expect(messages).toHaveLength(1); // the first test's approval's alone
    expect(messages[0]).not.toContain('副局长');
    // The administrator who made the keeper's account still does not approve its requests (accountsTied).
    const admin = await login('sc-admin', 'Sc-Admin-2026-x');
    const keeper = await login('sc-keeper', 'Sc-Keeper-Own-2026');
    const again = await withToken(keeper, REQUEST, order('sc-order-3'));
    expect(errorCode(await withToken(admin, DECIDE, { i: { approvalId: again.data.requestOutboundOrder.approval.id, decision: 'APPROVE' } }))).toBe(
      'FORBIDDEN',
    );
  });

  it('sweep 19c F1: a chain — the administrator made a regional administrator who made the keeper, and made the dispatcher itself — is announced, naming the administrator; a keeper who chose their own password ends it', async () => {
    const created = await t.gql(
      CREATE,
      { input: { username: 'ch-admin', displayName: '链管理员', role: 'ADMIN', regionCode: '410781', password: 'Ch-Admin-2026-x' } },
      'admin',
    );
    expect(created.errors).toBeUndefined();
    const regional = await login('ch-admin', 'Ch-Admin-2026-x');
    const keeperMade = await withToken(regional, CREATE, {
      input: { username: 'ch-keeper', displayName: '链库管', role: 'KEEPER', storeIds: [WEIHUI], password: 'Ch-Keeper-2026' },
    });
    expect(keeperMade.errors).toBeUndefined();
    const dispMade = await t.gql(
      CREATE,
      { input: { username: 'ch-disp', displayName: '链调度', role: 'DISPATCHER', regionCode: '410781', password: 'Ch-Disp-2026' } },
      'admin',
    );
    expect(dispMade.errors).toBeUndefined();
    const keeper = await login('ch-keeper', 'Ch-Keeper-2026');
    const dispatcher = await login('ch-disp', 'Ch-Disp-2026');
    const requested = await withToken(keeper, REQUEST, order('ch-order-1'));
    const decided = await withToken(dispatcher, DECIDE, { i: { approvalId: requested.data.requestOutboundOrder.approval.id, decision: 'APPROVE' } });
    expect(decided.data?.decideApproval.status).toBe('APPROVED');
    const chained = shared((await t.gql(ALERTS, { r: '410781' }, 'auditor')).data.alerts).filter((a) => a.message.includes('链库管'));
    expect(chained).toHaveLength(1);
    expect(chained[0].message).toContain('审批时二人的密码均由 系统管理员（admin） 设置（或由其掌握密码的账号设置）');

    // The keeper sets their own password: what the next approval rests on is known to the keeper alone — no alert for it.
    t.clock.advance(1 / 60);
    expect((await withToken(keeper, CHANGE, { old: 'Ch-Keeper-2026', new: 'Ch-Keeper-Own-2026' })).errors).toBeUndefined();
    const keeperAgain = await login('ch-keeper', 'Ch-Keeper-Own-2026');
    const next = await withToken(keeperAgain, REQUEST, order('ch-order-2'));
    t.clock.advance(1 / 60);
    expect(
      (await withToken(dispatcher, DECIDE, { i: { approvalId: next.data.requestOutboundOrder.approval.id, decision: 'APPROVE' } })).errors,
    ).toBeUndefined();
    expect(shared((await t.gql(ALERTS, { r: '410781' }, 'auditor')).data.alerts).filter((a) => a.message.includes('链库管'))).toHaveLength(1);
  });
});
