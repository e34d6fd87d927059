import { sql } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';

// API.md The edge: the names under which failed password checks are counted (login_failures, server/http/login-attempts.ts),
// in one place for the guard that counts them (server/http/login-backoff.ts) and the administrator who lifts a lock.

/**
 * A login's count: by the username tried, compared trimmed and regardless of case (as the login compares it:
 * users/service.ts), so that case variants share one count; bounded, so that any input makes a small key.
 */
export const loginFailureKey = (username: string) => `login-user:${username.trim().slice(0, 128).toLowerCase()}`;

/** 修改密码's count: a wrong current password by the signed-in user. */
export const passwordChangeFailureKey = (userId: string) => `password-user:${userId}`;

/**
 * Forgets a user's failed logins and password changes (sweep 7c M3): anyone may lock a username with a few wrong
 * passwords, again each time a lock ends; the administrator who sets the user a new password, or reactivates the
 * account, lets the user in at once. The client addresses' counts stay: they are the attacker's.
 */
export async function forgetLoginFailures(tx: Db, user: { id: string; username: string }): Promise<void> {
  await tx.execute(sql`DELETE FROM login_failures WHERE key IN (${loginFailureKey(user.username)}, ${passwordChangeFailureKey(user.id)})`);
}
