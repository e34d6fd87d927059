import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { userId } from '../../seeds/demo.ts';
import { errorCode, NOW, useTestApp, type GqlResult } from '../support/harness.ts';
import { QUILT, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';

// D24, sweep 16a F3 and F1: a password set is a tie for good, as creating the account is. Every set is kept
// (password_sets, migration 0036): the one who reset an account's password stays its requester's and decider's tie after
// the owner — or the one who reset it, signed in as the owner — changes it; and SHARED_CREDENTIALS judges an approval by
// whose passwords were whose when it was decided, so a change of password afterwards does not erase it.

const t = useTestApp({ resetClock: true });
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;
const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }`;
const CHANGE = `mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) { token } }`;
const REQUEST = `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { number approval { id } } }`;
const DECIDE = `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`;
const TO_DECIDE = `{ approvals(filter: { status: PENDING, mine: TO_DECIDE }, first: 500) { edges { node { id } } } }`;
const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind severity message } }`;
const MINUTE = 1 / 60; // fixedClock.advance takes hours

const withToken = async (token: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> =>
  (await request(t.app).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${token}`).send({ query, variables }))
    .body as GqlResult;
const login = async (u: string, p: string) => ok(await t.gql(LOGIN, { u, p })).login.token as string;
/** Changes the signed-in user's own password (修改密码): the token of the session that goes on. */
const changeOwn = async (token: string, old: string, next: string) => ok(await withToken(token, CHANGE, { old, new: next })).changePassword.token as string;
const requestOrder = async (token: string, idempotencyKey: string, quantity = 2) =>
  ok(
    await withToken(token, REQUEST, {
      i: { storeId: WEIHUI, purpose: 'RELIEF', recipient: '某某丙', idempotencyKey, lines: [{ itemId: QUILT, quantity }] },
    }),
  ).requestOutboundOrder.approval.id as string;
const decide = (token: string, approvalId: string) => withToken(token, DECIDE, { i: { approvalId, decision: 'APPROVE', approvalRef: 'x' } });
const offered = async (token: string) => ok(await withToken(token, TO_DECIDE)).approvals.edges.map((e: any) => e.node.id as string);
const shared = async () =>
  (ok(await t.gql(ALERTS, { r: '410781' }, 'auditor')).alerts as { key: string; kind: string; message: string }[]).filter(
    (a) => a.kind === 'SHARED_CREDENTIALS',
  );

describe('D24, sweep 16a F3: whoever set an account’s password stays tied to it after the owner changes it', () => {
  it('a regional administrator resets director’s password, changes it as director, and may not approve its own request as director (FORBIDDEN, not offered)', async () => {
    // 1–2: the administrator creates a regional administrator, who makes its own password its own.
    ok(
      await t.gql(
        CREATE,
        { input: { username: 'radm16', displayName: '区管16', password: 'RegionAdmin#2026x', role: 'ADMIN', regionCode: '410700' } },
        'admin',
      ),
    );
    const radm = await changeOwn(await login('radm16', 'RegionAdmin#2026x'), 'RegionAdmin#2026x', 'RegionAdmin#2026y');
    // 3: it resets the director's password; 4: signed in as director with it, changes it — now set by director itself.
    ok(await withToken(radm, UPDATE, { id: userId('director'), input: { password: 'Hijacked#2026' } }));
    const director = await changeOwn(await login('director', 'Hijacked#2026'), 'Hijacked#2026', 'Hijacked#2027');
    // 5: it requests an outbound order; 6: as director it is neither offered nor allowed to approve it.
    const approvalId = await requestOrder(radm, 'r-ro-16');
    expect(await offered(director)).not.toContain(approvalId);
    const refused = await decide(director, approvalId);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toMatch(/^不相容岗位分离：.*设置过另一方的密码（对方此后自行修改过的也算）/);
    expect(refused.errors![0].extensions.field).toBe('input.approvalId');
    // Both ways round: the director's own request is not the regional administrator's to approve either.
    const directors = await requestOrder(director, 'r-ro-16-d');
    expect(errorCode(await decide(radm, directors))).toBe('FORBIDDEN');
    // The administrator who created radm16 is tied to it too; 新乡's dispatcher, with no tie, approves it.
    expect(errorCode(await t.gql(DECIDE, { i: { approvalId, decision: 'APPROVE', approvalRef: 'x' } }, 'admin'))).toBe('FORBIDDEN');
    expect(ok(await t.gql(DECIDE, { i: { approvalId, decision: 'APPROVE', approvalRef: 'x' } }, 'dispatcher')).decideApproval.status).toBe('APPROVED');
  });
});

describe('D24, sweep 16a F1: SHARED_CREDENTIALS judges each approval by the passwords of its moment', () => {
  it('the alert stands after both change their passwords; an approval decided after one had changed their own is not announced', async () => {
    ok(
      await t.gql(
        CREATE,
        { input: { username: 'sk16-admin', displayName: '卫辉管理员16', password: 'Sk16-Admin-2026x', role: 'ADMIN', regionCode: '410781' } },
        'admin',
      ),
    );
    const admin = await login('sk16-admin', 'Sk16-Admin-2026x');
    const keeperId = ok(
      await withToken(admin, CREATE, {
        input: { username: 'sk16-keeper', displayName: '甲16', role: 'KEEPER', storeIds: [WEIHUI], password: 'Sockpuppet#2026' },
      }),
    ).createUser.id as string;
    const dispatcherId = ok(
      await withToken(admin, CREATE, {
        input: { username: 'sk16-disp', displayName: '乙16', role: 'DISPATCHER', regionCode: '410781', password: 'Sockpuppet#2026' },
      }),
    ).createUser.id as string;
    let keeper = await login('sk16-keeper', 'Sockpuppet#2026');
    let dispatcher = await login('sk16-disp', 'Sockpuppet#2026');
    const first = await requestOrder(keeper, 'sk16-1', 3);
    expect(ok(await decide(dispatcher, first)).decideApproval.status).toBe('APPROVED');
    const [alert] = await shared();
    expect(alert.message).toContain('救灾发放：棉被 3 床'); // sweep 22c F6: with its unit
    expect(alert.message).toContain('审批时二人的密码均由 卫辉管理员16（sk16-admin） 设置');

    // Afterwards both change their own (the third person could, knowing both): the approval already made stays announced.
    t.clock.advance(10 * MINUTE);
    keeper = await changeOwn(keeper, 'Sockpuppet#2026', 'Keeper-Own-2026');
    dispatcher = await changeOwn(dispatcher, 'Sockpuppet#2026', 'Disp-Own-2026');
    expect((await shared()).map((a) => a.key)).toEqual([alert.key]);

    // The administrator resets both again; the keeper changes its own before the next decision: no alert for that one.
    t.clock.advance(10 * MINUTE);
    ok(await withToken(admin, UPDATE, { id: keeperId, input: { password: 'Reset-Keeper-2026' } }));
    ok(await withToken(admin, UPDATE, { id: dispatcherId, input: { password: 'Reset-Disp-2026' } }));
    t.clock.advance(10 * MINUTE);
    keeper = await changeOwn(await login('sk16-keeper', 'Reset-Keeper-2026'), 'Reset-Keeper-2026', 'Keeper-Own-2026b');
    dispatcher = await login('sk16-disp', 'Reset-Disp-2026');
    t.clock.advance(10 * MINUTE);
    const second = await requestOrder(keeper, 'sk16-2', 4);
    expect(ok(await decide(dispatcher, second)).decideApproval.status).toBe('APPROVED');
    const after = await shared();
    expect(after.map((a) => a.key)).toEqual([alert.key]);
    expect(after.some((a) => a.message.includes('棉被 4 床'))).toBe(false);
    // Past the 7 days of the first approval, nothing is announced.
    t.clock.set('2026-07-28T02:00:00Z');
    expect(await shared()).toEqual([]);
    t.clock.set(NOW);
  });
});

describe('migration 0036 (D24, sweep 16a F3): a password reset before the migration ties as one after it does', () => {
  const migration = readFileSync(new URL('../../drizzle/migrations/0036_password_sets.sql', import.meta.url), 'utf8');
  const dropColumn = readFileSync(new URL('../../drizzle/migrations/0037_drop_users_password_set_by.sql', import.meta.url), 'utf8');
  const setters = async (id: string) =>
    (await queryRows<{ set_by: string }>(t.database.db, sql`SELECT set_by::text FROM password_sets WHERE user_id = ${id}::uuid ORDER BY id`)).map(
      (r) => r.set_by,
    );

  it('an account whose password an administrator reset before it stays tied to that administrator after its own change', async () => {
    const resetterId = ok(
      await t.gql(
        CREATE,
        { input: { username: 'bf16-admin', displayName: '迁移前管理员', password: 'Backfill-Admin-2026', role: 'ADMIN', regionCode: '410781' } },
        'admin',
      ),
    ).createUser.id as string;
    const keeperId = userId('keeper');
    const resetter = await login('bf16-admin', 'Backfill-Admin-2026');
    ok(await withToken(resetter, UPDATE, { id: keeperId, input: { password: 'Backfill-Reset-2026' } }));
    // As a database before 0036 held it: the users' columns only — each password's last setter in password_set_by (the
    // creator, and for the demo keeper bf16-admin, who reset it), which 0037 dropped once 0036 had read it.
    await t.database.db.execute(sql`DROP TABLE password_sets`);
    await t.database.db.execute(sql`ALTER TABLE users ADD COLUMN password_set_by uuid REFERENCES users(id)`);
    await t.database.db.execute(sql`UPDATE users SET password_set_by = CASE WHEN id = ${keeperId}::uuid THEN ${resetterId}::uuid ELSE created_by END`);

    for (const statement of migration.split('--> statement-breakpoint')) await t.database.db.execute(sql.raw(statement));
    for (const statement of dropColumn.split('--> statement-breakpoint')) await t.database.db.execute(sql.raw(statement));
    expect(await setters(keeperId)).toEqual([resetterId]);
    expect(await setters(resetterId)).toEqual([userId('admin')]); // its creator's password

    t.clock.advance(MINUTE);
    const keeper = await changeOwn(await login('keeper', 'Backfill-Reset-2026'), 'Backfill-Reset-2026', 'Keeper-Own-2026');
    expect(await setters(keeperId)).toEqual([resetterId, keeperId]);
    const approvalId = await requestOrder(keeper, 'bf16-1');
    expect(await offered(resetter)).not.toContain(approvalId);
    expect(errorCode(await decide(resetter, approvalId))).toBe('FORBIDDEN');
    // The history is append-only.
    await expect(t.database.db.execute(sql`DELETE FROM password_sets WHERE user_id = ${keeperId}::uuid`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`UPDATE password_sets SET set_by = user_id`)).rejects.toThrow();
  });
});
