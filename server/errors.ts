// API.md: every failure carries one of these codes in extensions.code.
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'INSUFFICIENT_STOCK',
  'IDEMPOTENCY_CONFLICT',
  'INVALID_STATE',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A domain error: its message is for the user (in words a keeper understands), its code and details are stable
 * for clients. Plain TypeScript: the edge (server/http/) maps it to a GraphQL error or an HTTP status.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/**
 * Why a bearer token was refused, told to its holder in extensions.reason (sweep 23c F4): the console words a disabled
 * account (联系管理员) apart from a session that ended (log in again). ACCOUNT_DISABLED only for a token that would be
 * the user's session still but for the deactivation (server/auth/session-refusal.ts); anything else is SESSION_ENDED.
 */
export type SessionRefusal = 'SESSION_ENDED' | 'ACCOUNT_DISABLED';

/**
 * No principal: never signed in — or a token was sent and refused (expired, ended by a logout, forged, the account
 * disabled): then said so, with the reason (`true`: SESSION_ENDED). The code stays UNAUTHENTICATED (API.md).
 */
export const unauthenticated = (sessionRefused: SessionRefusal | boolean = false) => {
  if (!sessionRefused) return new DomainError('UNAUTHENTICATED', '请先登录');
  const reason: SessionRefusal = sessionRefused === true ? 'SESSION_ENDED' : sessionRefused;
  return new DomainError('UNAUTHENTICATED', reason === 'ACCOUNT_DISABLED' ? '您的账号已被管理员停用，本次登录已失效，请联系管理员' : '登录已失效，请重新登录', {
    reason,
  });
};
// A refusal names the kind of record, never the record itself: its name or number is what the scope withholds. Where
// one input value is the cause (a store id, a region code), `field` names it, as BAD_USER_INPUT and NOT_FOUND do.
export const forbidden = (what = '该操作', field?: string) => new DomainError('FORBIDDEN', `无权访问：${what}超出您的权限范围`, field ? { field } : {});
export const badInput = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError('BAD_USER_INPUT', message, { field, ...details });
// Sweep 22c F4: a record's UUID is noise to a keeper — the message says what was not found (「物资不存在」) and
// extensions.id keeps the id for a client; a code the user wrote (a 区划 code, a category code) is words they know
// and is said (「物资类别不存在：NOPE」).
const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const notFound = (field: string, what: string, id: string) =>
  new DomainError('NOT_FOUND', UUID_LIKE.test(id) ? `${what}不存在` : `${what}不存在：${id}`, { field, id });
export const invalidState = (message: string, details: Record<string, unknown> = {}) => new DomainError('INVALID_STATE', message, details);
export const rateLimited = (message: string, retryAfterSeconds: number) => new DomainError('RATE_LIMITED', message, { retryAfterSeconds });
