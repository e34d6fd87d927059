import { eq } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { users } from '../../drizzle/schema/index.ts';
import type { SessionRefusal } from '../errors.ts';
import { verifyTokenSubject, type TokenKeys } from './tokens.ts';

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
  const subject = token ? await verifyTokenSubject(keys, token) : undefined;
  if (!subject) return 'SESSION_ENDED';
  const [user] = await db
    .select({ active: users.active, credentialsVersion: users.credentialsVersion })
    .from(users)
    .where(eq(users.id, subject.userId))
    .catch(() => []);
  return user && !user.active && user.credentialsVersion === subject.credentialsVersion ? 'ACCOUNT_DISABLED' : 'SESSION_ENDED';
}
