import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { SignJWT, jwtVerify } from 'jose';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { users } from '../../drizzle/schema/index.ts';
import type { ServiceContext } from '../context.ts';
import { DomainError, badInput, unauthenticated } from '../errors.ts';
import { loadPrincipal } from '../users/service.ts';
import type { Principal } from '../auth/principal.ts';
import { refusalOf } from '../auth/session-refusal.ts';
import { assertKnownParams } from './params.ts';
import { REPORTS } from './reports/index.ts';

// Browser downloads without the long-lived token in a URL: a signed link, bound to one user and one path with its query,
// valid for a short time and served once. The file itself is produced as for the bearer token — the same services, in
// the user's scope at the time of the download.
//
// A link is bound to what the login token is bound to: the user's credentials version (claim `cv`, as in
// server/auth/tokens.ts). Logging out, a password reset or a reactivation moves the version on and ends every session
// (README, TOKEN_TTL) — and with them every link minted in those sessions, spent or not.

const AUDIENCE = 'download';
// Another issuer than the login tokens' (server/auth/tokens.ts): a link is never accepted as a bearer token.
const ISSUER = 'emergency-reserves/download-link';
export const DOWNLOAD_LINK_SECONDS = 120;
/** The query parameter that carries a link's token. */
export const DOWNLOAD_LINK_PARAM = 'dl';

/**
 * The paths a link may name: the exports (by their names: a link to no report is refused when minted, not when
 * opened), the printable documents and the stocktake sheet.
 */
const DOWNLOADABLE = [
  new RegExp(`^/exports/(${Object.keys(REPORTS).join('|')})\\.(xlsx|csv)$`),
  /^\/paperwork\/documents\/[0-9a-f-]{36}\.html$/,
  /^\/paperwork\/dispatch-plans\/[0-9a-f-]{36}\.html$/,
  /^\/paperwork\/stocktake-sheets\/[0-9a-f-]{36}\.xlsx$/,
  /^\/paperwork\/opening-balance-template\.xlsx$/,
];

/** A path with its query in one canonical form (parameters sorted, the link's own parameter left out). */
export function canonicalTarget(path: string, query: URLSearchParams): string {
  const params = [...query.entries()].filter(([k]) => k !== DOWNLOAD_LINK_PARAM).sort(([a, av], [b, bv]) => a.localeCompare(b) || av.localeCompare(bv));
  const qs = new URLSearchParams(params).toString();
  return qs ? `${path}?${qs}` : path;
}

export interface DownloadLink {
  url: string;
  expiresAt: Date;
}

/** Mints a link for `target` (a relative URL such as `/exports/valuation.xlsx?groupBy=STORE`) for the acting user. */
export async function createDownloadLink(ctx: ServiceContext, secret: Uint8Array, target: string): Promise<DownloadLink> {
  let url: URL;
  try {
    url = new URL(target, 'http://local');
  } catch {
    throw badInput('path', `下载地址格式错误：${target.slice(0, 100)}`);
  }
  if (!target.startsWith('/') || target.startsWith('//') || url.origin !== 'http://local' || !DOWNLOADABLE.some((p) => p.test(url.pathname))) {
    const reports = url.pathname.startsWith('/exports/') ? `；报表：${Object.keys(REPORTS).join('、')}` : '';
    throw badInput('path', `不能为该地址生成下载链接：${target.slice(0, 100)}（可用：/exports/…、/paperwork/…${reports}）`);
  }
  if (url.searchParams.has(DOWNLOAD_LINK_PARAM)) throw badInput('path', `下载地址不能带参数 ${DOWNLOAD_LINK_PARAM}`);
  // Sweep 17b F8: a parameter the list does not read is refused when the link is minted, as when the file is produced.
  const report = /^\/exports\/(.+)\.(xlsx|csv)$/.exec(url.pathname)?.[1];
  if (report) assertKnownParams(url.searchParams.keys(), REPORTS[report].params, 'path');
  const bound = canonicalTarget(url.pathname, url.searchParams);
  const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + DOWNLOAD_LINK_SECONDS * 1000);
  // The session minting the link was authenticated at this version a moment ago (authenticate compares it).
  const cv = await credentialsVersion(ctx.db, ctx.actor.id);
  if (cv === null) throw refused('账号不可用');
  const token = await new SignJWT({ target: bound, cv })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(ctx.actor.id)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(secret);
  return { url: `${bound}${bound.includes('?') ? '&' : '?'}${DOWNLOAD_LINK_PARAM}=${token}`, expiresAt };
}

const refused = (message: string) => new DomainError('UNAUTHENTICATED', message);

/** The user's current credentials version; null when the user is gone. */
async function credentialsVersion(db: Db, userId: string): Promise<number | null> {
  const [row] = await db.select({ cv: users.credentialsVersion }).from(users).where(eq(users.id, userId));
  return row ? row.cv : null;
}

/**
 * The user a download link was minted for, when `token` is a valid, unexpired, unused link for exactly this path and
 * query; the link is spent in the same step. A link for another file, an expired or a spent one is refused, and so is
 * one minted before the user's sessions ended (logout, password reset: its `cv` is not the user's any more).
 */
export async function redeemDownloadLink(db: Db, secret: Uint8Array, token: string, path: string, query: URLSearchParams, at: Date): Promise<Principal> {
  let payload: { sub?: string; jti?: string; target?: unknown; cv?: unknown; exp?: number; iat?: number };
  try {
    ({ payload } = await jwtVerify(token, secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      maxTokenAge: `${DOWNLOAD_LINK_SECONDS + 5}s`,
    }));
  } catch {
    throw refused('下载链接无效或已过期，请重新生成');
  }
  if (payload.target !== canonicalTarget(path, query)) throw refused('下载链接与所请求的文件不符');
  if (!Number.isSafeInteger(payload.cv)) throw refused('下载链接无效或已过期，请重新生成');
  // A link stands for the session that minted it: one ended since (退出, a password reset), or the account disabled, is
  // refused as that session's token is — the same rule and words, with its reason (server/auth/session-refusal.ts).
  const subject = { userId: payload.sub!, credentialsVersion: payload.cv as number };
  if ((await credentialsVersion(db, subject.userId)) !== subject.credentialsVersion) throw unauthenticated(await refusalOf(db, subject));
  const spent = await queryRows<{ jti: string }>(
    db,
    sql`INSERT INTO download_link_uses (jti, user_id, used_at) VALUES (${payload.jti!}::uuid, ${payload.sub!}::uuid, ${at.toISOString()}::timestamptz)
        ON CONFLICT DO NOTHING RETURNING jti`,
  );
  if (!spent.length) throw refused('下载链接已使用过，请重新生成');
  const user = await loadPrincipal(db, subject.userId);
  if (!user) throw unauthenticated(await refusalOf(db, subject));
  return user;
}
