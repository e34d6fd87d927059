import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { DomainError } from '../../server/errors.ts';
import { ensureAdministrator } from '../../server/users/service.ts';
import { errorCode, NOW, useTestApp, type GqlResult } from '../support/harness.ts';
import { QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 16a F2 (passwords that are only spaces or one character repeated), F6 (anonymous clients naming metric labels)
// and sweep 16c F6 (D26: an expiring batch's alert is due when the batch freezes, 00:00 China time after its expiry date).

const t = useTestApp({ resetClock: true });
const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }`;
const CHANGE = `mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) { token } }`;

const refusal = (res: GqlResult) => {
  expect(errorCode(res)).toBe('BAD_USER_INPUT');
  return { field: res.errors![0].extensions.field, message: res.errors![0].message };
};

describe('sweep 16a F2: a password is not only spaces, nor one character repeated', () => {
  const user = (username: string, password: string, role = 'AUDITOR') => ({
    input: { username, displayName: '测试', password, role, regionCode: '410700' },
  });

  it('createUser refuses them at input.password (an administrator’s too); words and the demo password pass', async () => {
    const spaces = refusal(await t.gql(CREATE, user('pw16-a', '        '), 'admin'));
    expect(spaces.field).toBe('input.password');
    expect(spaces.message).toContain('密码不能全是空格');
    const same = refusal(await t.gql(CREATE, user('pw16-b', 'aaaaaaaa'), 'admin'));
    expect(same).toMatchObject({ field: 'input.password' });
    expect(same.message).toContain('密码不能是同一个字符的重复');
    for (const password of ['            ', 'aaaaaaaaaaaa', '111111111111']) {
      expect(refusal(await t.gql(CREATE, user('pw16-c', password, 'ADMIN'), 'admin')).field).toBe('input.password');
    }
    expect(refusal(await t.gql(CREATE, user('pw16-d', '\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000'), 'admin')).message).toContain('不能全是空格');
    // Not a blocklist: a word, digits in a row, the demo password are the administrator's choice.
    for (const [i, password] of ['password', '12345678', 'Demo@2026', 'aaaaaaab'].entries()) ok(await t.gql(CREATE, user(`pw16-ok${i}`, password), 'admin'));
  });

  it('updateUser and changePassword refuse them too (changePassword at newPassword)', async () => {
    const id = ok(await t.gql(CREATE, user('pw16-e', TEST_PASSWORD), 'admin')).createUser.id;
    expect(refusal(await t.gql(UPDATE, { id, input: { password: '11111111' } }, 'admin'))).toMatchObject({ field: 'input.password' });
    const token = ok(await t.gql(`mutation { login(username: "pw16-e", password: "${TEST_PASSWORD}") { token } }`)).login.token;
    const change = async (next: string) =>
      (
        await request(t.app)
          .post('/graphql')
          .set('authorization', `Bearer ${token}`)
          .send({ query: CHANGE, variables: { old: TEST_PASSWORD, new: next } })
      ).body as GqlResult;
    const spaces = refusal(await change('          '));
    expect(spaces.field).toBe('newPassword');
    expect(spaces.message).toContain('新密码不能全是空格');
    expect(refusal(await change('zzzzzzzzzz')).message).toContain('新密码不能是同一个字符的重复');
  });

  it('create-admin and ADMIN_PASSWORD refuse them (BAD_USER_INPUT; a configuration error naming the variable)', async () => {
    const refused = await ensureAdministrator(t.database.db, t.clock, 'pw16-root', '            ', 'create-admin').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('BAD_USER_INPUT');
    expect((refused as DomainError).message).toContain('密码不能全是空格');
    const config = (password: string) => {
      try {
        loadConfig({ NODE_ENV: 'test', ADMIN_USERNAME: 'root.admin', ADMIN_PASSWORD: password });
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
        throw e;
      }
      return 'accepted';
    };
    expect(config('bbbbbbbbbbbb')).toBe('配置有误：ADMIN_PASSWORD 不能是同一个字符的重复');
    expect(config('            ')).toBe('配置有误：ADMIN_PASSWORD 不能全是空格');
    expect(config('a-long-password!')).toBe('accepted');
  });
});

describe('sweep 16a F6: an anonymous request names no metric label', () => {
  const scrape = async () => (await request(t.app).get('/metrics')).text;
  const count = (text: string, operation: string) =>
    Number(new RegExp(String.raw`^graphql_requests_total\{operation="${operation.replace(/[()]/g, '\\$&')}",type="query"\} (\d+)$`, 'm').exec(text)?.[1] ?? 0);

  it('made-up operation names without a session count as (unauthenticated); a signed-in user’s name is its label', async () => {
    const token = await t.token('dispatcher');
    const before = await scrape();
    for (const name of ['PwnedByAnon16a', 'PwnedByAnon16b', 'PwnedByAnon16c']) {
      expect(
        (
          await request(t.app)
            .post('/graphql')
            .send({ query: `query ${name} { __typename }` })
        ).status,
      ).toBe(200);
    }
    // A token that is not valid is no session either.
    await request(t.app).post('/graphql').set('authorization', 'Bearer not-a-token').send({ query: 'query PwnedByAnon16d { __typename }' });
    await request(t.app).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: 'query SignedInProbe16 { __typename }' });
    const after = await scrape();
    expect(after).not.toMatch(/PwnedByAnon16/);
    expect(count(after, '(unauthenticated)') - count(before, '(unauthenticated)')).toBe(4);
    expect(count(after, 'SignedInProbe16') - count(before, 'SignedInProbe16')).toBe(1);
  });
});

describe('sweep 16c F6, D26: EXPIRING and EXPIRED alerts are due when the batch freezes (00:00 China time the day after its expiry date)', () => {
  const ALERTS = `{ alerts { kind dueAt batch { batchNo } } }`;
  const alertOf = async (batchNo: string) => (ok(await t.gql(ALERTS, {}, 'keeper')).alerts as any[]).find((a) => a.batch?.batchNo === batchNo);

  it('dueAt is 00:00 +08:00 of the day after: still EXPIRING at 23:59:59 of the expiry date, EXPIRED from that instant', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 2, batchNo: 'S16-EXP-1', expiryDate: '2026-08-19', unitPrice: '10.00' }]);
    const freezes = Date.parse('2026-08-20T00:00:00+08:00');
    const soon = await alertOf('S16-EXP-1');
    expect(soon.kind).toBe('EXPIRING');
    expect(Date.parse(soon.dueAt)).toBe(freezes);
    t.clock.set('2026-08-19T15:59:59Z'); // 23:59:59 China time on the expiry date: its last usable second
    expect(await alertOf('S16-EXP-1')).toMatchObject({ kind: 'EXPIRING' });
    t.clock.set('2026-08-19T16:00:00Z');
    const expired = await alertOf('S16-EXP-1');
    expect(expired.kind).toBe('EXPIRED');
    expect(Date.parse(expired.dueAt)).toBe(freezes);
    // A day later, still the instant it froze.
    t.clock.set('2026-08-21T02:00:00Z');
    expect(Date.parse((await alertOf('S16-EXP-1')).dueAt)).toBe(freezes);
    t.clock.set(NOW);
  });
});
