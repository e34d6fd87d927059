import { z } from 'zod';
import { isBlank } from '../validation.ts';

// Sweep 16a F2: what a password must be, wherever one is set — createUser, updateUser, changePassword (users/service.ts),
// `npm run create-admin` and ADMIN_PASSWORD (config.ts, and ensureAdministrator). Long enough (8; an administrator's
// 12, users/service.ts ADMIN_PASSWORD_MIN), and not one of the first guesses: only spaces, or one character over and
// over (`aaaaaaaa`, `11111111`). Words are not refused here (nor the demo password: DEMO_PASSWORD is refused in
// production instead, config.ts).

/** Why a password is too easy to guess, or null; `what` names it (密码, 新密码; '' after a variable's name). */
export function trivialPassword(password: string, what = '密码'): string | null {
  if (isBlank(password)) return `${what}不能全是空格`; // spaces, or characters that display as nothing (sweep 21c F1)
  if (new Set(password).size === 1) return `${what}不能是同一个字符的重复`;
  return null;
}

/** trivialPassword as a zod refinement. */
export const notTrivialPassword =
  (what = '密码') =>
  (password: string, ctx: z.RefinementCtx) => {
    const problem = trivialPassword(password, what);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };

/** A password as it may be set (the one schema of users/service.ts); `what` names it in the messages. */
export const passwordSchema = (what = '密码') => z.string().min(8, `${what}至少 8 位`).max(256).superRefine(notTrivialPassword(what));
