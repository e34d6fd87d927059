import { eq } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { users } from '../../drizzle/schema/index.ts';
import type { SessionRefusal } from '../errors.ts';
import { verifyTokenSubject, type TokenKeys, type TokenSubject } from './tokens.ts';

/**
 * Why a bearer token that authenticate refused was refused, as its holder is told (sweep 23c F4). ACCOUNT_DISABLED
 * only when the token is genuine, unexpired and issued under the user's credentials version now — the session would go
 * on but for the deactivation, so its holder is the user, who must call an administrator rather than log in again. A
 * token that is forged, expired or ended (退出, a password reset) says SESSION_ENDED whatever the account's state: no one
 * learns that an account is disabled who could not sign in as it (login says 用户名或密码错误 for one, D22's silence).
 * Asked only for a refused token, one read then (a forged one costs none: its signature fails first).
 */
export async function sessionRefusal(db: Db, keys: TokenKeys, authorization: string | null | undefined): Promise<SessionRefusal> {
  const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  return refusalOf(db, token ? await verifyTokenSubject(keys, token) : undefined);
}

/**
 * What a request that authenticate refused is told, on every route — GraphQL (app.ts) and the plain-HTTP downloads and
 * uploads alike: no bearer token sent, `false` (请先登录, never signed in); a token sent and refused, its
 * sessionRefusal (errors.ts unauthenticated words either).
 */
export async function bearerRefusal(db: Db, keys: TokenKeys, authorization: string | null | undefined): Promise<SessionRefusal | false> {
  return /^Bearer\s+\S/i.test(authorization ?? '') ? sessionRefusal(db, keys, authorization) : false;
}

/**
 * The one rule, for whatever credential verified as the user's (a login token; a download link, bound to the same
 * credentials version: server/paperwork/download-links.ts): ACCOUNT_DISABLED only for the user's current credentials
 * of a disabled account, else SESSION_ENDED — an unverified credential (undefined) among them.
 */
export async function refusalOf(db: Db, subject: TokenSubject | undefined): Promise<SessionRefusal> {
  if (!subject) return 'SESSION_ENDED';
  const [user] = await db
    .select({ active: users.active, credentialsVersion: users.credentialsVersion })
    .from(users)
    .where(eq(users.id, subject.userId))
    .catch(() => []);
  return user && !user.active && user.credentialsVersion === subject.credentialsVersion ? 'ACCOUNT_DISABLED' : 'SESSION_ENDED';
}
