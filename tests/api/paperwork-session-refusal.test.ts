import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId, userId } from '../../seeds/demo.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// The plain-HTTP paperwork routes (downloads, uploads) refuse a token as GraphQL does, by the one rule of
// server/auth/session-refusal.ts (sweep 23c F4): 401 { error: { code: 'UNAUTHENTICATED', message, reason } }, where
// reason is ACCOUNT_DISABLED only for the genuine, current token of a disabled account (its holder is the user, who
// must call an administrator), SESSION_ENDED for any other — expired, forged, ended —, so no one learns that an account
// is disabled who could not sign in as it (D22's silence, as login's 用户名或密码错误). They answered 请先登录 whatever
// the cause, and the console could not tell its user to log in again, nor that the account was disabled.

const WEIHUI = storeId('S-410781-01');
const KEEPER = userId('keeper');
const DOWNLOAD = `/paperwork/stocktake-sheets/${WEIHUI}.xlsx`;
const UPLOAD = `/paperwork/stocktake-sheets/${WEIHUI}`;
const ENDED = { code: 'UNAUTHENTICATED', message: '登录已失效，请重新登录', reason: 'SESSION_ENDED' };
const DISABLED = { code: 'UNAUTHENTICATED', message: '您的账号已被管理员停用，本次登录已失效，请联系管理员', reason: 'ACCOUNT_DISABLED' };

describe('file endpoints: a refused token is told why, as GraphQL tells it (sweep 23c F4 rule; README sessions)', () => {
  const t = useTestApp();
  const login = async (username: string) =>
    (await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: username, p: TEST_PASSWORD })).data!.login
      .token as string;
  const setActive = async (active: boolean) => {
    const res = await t.gql(`mutation($id: ID!, $a: Boolean!) { updateUser(id: $id, input: { active: $a }) { active } }`, { id: KEEPER, a: active }, 'admin');
    expect(res.errors).toBeUndefined();
  };
  const credentialsVersion = async () =>
    (await queryRows<{ cv: number }>(t.database.db, sql`SELECT credentials_version AS cv FROM users WHERE id = ${KEEPER}::uuid`))[0].cv;
  /** A token of the keeper's at its current credentials version, signed with `secret`, that expired an hour ago or not. */
  const tokenOf = async (opts: { expired?: boolean; secret?: Uint8Array }) => {
    const exp = Math.floor(Date.now() / 1000) + (opts.expired ? -3600 : 600);
    return new SignJWT({ cv: await credentialsVersion() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(KEEPER)
      .setIssuer('emergency-reserves')
      .setIssuedAt(exp - 3600)
      .setExpirationTime(exp)
      .sign(opts.secret ?? t.config.jwtSecret);
  };
  const forgedOf = (token: string) => `${token.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
  const otherSecret = new TextEncoder().encode('another-secret-another-secret-xx');

  /** What the download, the upload and GraphQL each answer this authorization header. */
  async function answers(authorization: string | null) {
    const get = request(t.app).get(DOWNLOAD);
    const post = request(t.app).post(UPLOAD);
    const gql = request(t.app).post('/graphql').set('content-type', 'application/json');
    if (authorization) for (const r of [get, post, gql]) r.set('authorization', authorization);
    const [download, upload, graphql] = await Promise.all([
      get,
      post.attach('file', Buffer.from('not a workbook'), '盘点表.xlsx'),
      gql.send({ query: '{ me { id } }' }),
    ]);
    const error = (graphql.body as GqlResult).errors![0];
    return {
      download: { status: download.status, error: download.body.error },
      upload: { status: upload.status, error: upload.body.error },
      graphql: { code: error.extensions.code, message: error.message, ...(error.extensions.reason ? { reason: error.extensions.reason } : {}) },
    };
  }
  const expectEach = (got: Awaited<ReturnType<typeof answers>>, error: Record<string, string>) =>
    expect(got).toEqual({ download: { status: 401, error }, upload: { status: 401, error }, graphql: error });

  it('no token at all: 请先登录, no reason (never signed in), as GraphQL says it', async () => {
    expectEach(await answers(null), { code: 'UNAUTHENTICATED', message: '请先登录' });
    expectEach(await answers('Basic YWRtaW46YWRtaW4='), { code: 'UNAUTHENTICATED', message: '请先登录' });
  });

  it('an expired token: SESSION_ENDED (log in again) on the download and the upload', async () => {
    expectEach(await answers(`Bearer ${await tokenOf({ expired: true })}`), ENDED);
  });

  it('a forged token: SESSION_ENDED, and the same answer whether the account is active or disabled (nothing learnt)', async () => {
    const forged = [forgedOf(await login('keeper')), await tokenOf({ secret: otherSecret }), 'garbage'];
    const active = await Promise.all(forged.map((f) => answers(`Bearer ${f}`)));
    active.forEach((a) => expectEach(a, ENDED));
    await setActive(false);
    try {
      const disabled = await Promise.all(forged.map((f) => answers(`Bearer ${f}`)));
      expect(disabled).toEqual(active);
      // An expired token of the disabled account is no more than a forged one: its holder may not be the user.
      expectEach(await answers(`Bearer ${await tokenOf({ expired: true })}`), ENDED);
    } finally {
      await setActive(true);
    }
  });

  it('the disabled account’s genuine, current token: ACCOUNT_DISABLED (联系管理员) on the download and the upload', async () => {
    const token = await login('keeper');
    await setActive(false);
    try {
      expectEach(await answers(`Bearer ${token}`), DISABLED);
    } finally {
      await setActive(true);
    }
    // Reactivated: that session ended with the reactivation (a new credentials version) — SESSION_ENDED, whatever next.
    expectEach(await answers(`Bearer ${token}`), ENDED);
  });

  it('a download link stands for the session that minted it: the account disabled since → ACCOUNT_DISABLED; its session ended → SESSION_ENDED', async () => {
    const token = await login('keeper');
    const mint = async () => {
      const res = await request(t.app)
        .post('/graphql')
        .set('authorization', `Bearer ${token}`)
        .send({ query: `mutation($p: String!) { createDownloadLink(path: $p) { url } }`, variables: { p: DOWNLOAD } });
      return (res.body as GqlResult).data!.createDownloadLink.url as string;
    };
    const first = await mint();
    const second = await mint();
    await setActive(false);
    try {
      const res = await request(t.app).get(first);
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 401, error: DISABLED });
    } finally {
      await setActive(true);
    }
    // The reactivation ended the session the link was minted in.
    const res = await request(t.app).get(second);
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 401, error: ENDED });
  });
});
