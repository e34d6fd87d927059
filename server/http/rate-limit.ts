import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../clock.ts';
import type { AppConfig, LoginBackoffPolicy } from '../config.ts';
import { rateLimited, type DomainError } from '../errors.ts';
import { verifyToken, type TokenKeys } from '../auth/tokens.ts';

// API.md The edge: RATE_LIMITED answers a client over its request budget and repeated failed logins. The counters
// live here, in memory, behind the small EdgeCounters interface (promises, so that a shared store could implement
// it). Each API process keeps its own (workers.ts): with N processes a client gets at most N × the burst at once and
// N × the failed logins before every process locks the username or address — the bound README states and
// tests/api/edge-processes.test.ts checks. Time comes from the injectable clock (House style 6).

/** The counters the edge keeps; keys are opaque strings such as `addr:203.0.113.7` or `user:<id>`. */
export interface EdgeCounters {
  /** Takes one token from each bucket; 0 when taken, else the seconds until every bucket has one (none is taken). */
  takeRequest(keys: readonly string[], budget: RequestBudget, nowMs: number): Promise<number>;
  /**
   * Admits one login attempt, atomically: while any key is locked, the seconds to wait (nothing counted); else 0, and
   * the attempt is in flight until endLoginAttempt. Attempts in flight count towards the threshold (so that concurrent
   * guesses cannot all slip in under it), but change nothing: only a failure is counted (#5 of the admin-auth sweep —
   * a correct login never leaves a username or address more locked than before it).
   */
  beginLoginAttempt(keys: readonly LoginKey[], policy: LoginBackoffPolicy, nowMs: number): Promise<number>;
  /**
   * Ends an attempt begun with 0: FAILED counts a failure for every key (and locks a key at its threshold); SUCCEEDED
   * forgets the failures of the keys that a success clears (the username's) and leaves the others as they were (the
   * address's); VOID (an error of ours) changes nothing.
   */
  endLoginAttempt(keys: readonly LoginKey[], outcome: LoginOutcome, policy: LoginBackoffPolicy, nowMs: number): Promise<void>;
}

export type LoginOutcome = 'FAILED' | 'SUCCEEDED' | 'VOID';

export interface LoginKey {
  key: string;
  /** Failures within the window that lock the key. */
  maxFailures: number;
  /** A successful login forgets the key's failures (a username's; not an address's: one valid account must not reset it). */
  clearedBySuccess?: boolean;
}

export interface RequestBudget {
  perMinute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}
interface Failures {
  /** Failures within the window (only attempts that failed). */
  count: number;
  last: number;
  lockedUntil: number;
  /** Attempts begun and not yet ended. */
  inFlight: number;
}

/** One process's counters. Bounded: idle entries are swept, and past `maxEntries` the oldest are dropped. */
export class MemoryCounters implements EdgeCounters {
  private readonly buckets = new Map<string, Bucket>();
  private readonly failures = new Map<string, Failures>();
  private operations = 0;

  constructor(private readonly maxEntries = 100_000) {}

  async takeRequest(keys: readonly string[], budget: RequestBudget, nowMs: number): Promise<number> {
    this.sweepNow(nowMs, budget);
    const perMs = budget.perMinute / 60_000;
    const buckets = keys.map((key) => {
      const b = this.buckets.get(key) ?? { tokens: budget.burst, at: nowMs };
      // Refill for the time passed (never backwards: a clock set back refills nothing).
      const tokens = Math.min(budget.burst, b.tokens + Math.max(0, nowMs - b.at) * perMs);
      return { key, tokens };
    });
    const short = buckets.filter((b) => b.tokens < 1);
    if (short.length) {
      for (const b of buckets) this.remember(this.buckets, b.key, { tokens: b.tokens, at: nowMs });
      return Math.max(...short.map((b) => Math.ceil((1 - b.tokens) / perMs / 1000)), 1);
    }
    for (const b of buckets) this.remember(this.buckets, b.key, { tokens: b.tokens - 1, at: nowMs });
    return 0;
  }

  async beginLoginAttempt(keys: readonly LoginKey[], policy: LoginBackoffPolicy, nowMs: number): Promise<number> {
    let wait = 0;
    for (const { key, maxFailures } of keys) {
      const f = this.current(key, policy, nowMs);
      if (!f) continue;
      if (f.lockedUntil > nowMs) wait = Math.max(wait, Math.ceil((f.lockedUntil - nowMs) / 1000));
      // Were every attempt in flight to fail, this one would come after the lock they set: it waits for them. At or
      // past the threshold, one attempt at a time (each failure there locks again).
      else if (f.inFlight > 0 && f.count + f.inFlight >= maxFailures) wait = Math.max(wait, 1);
    }
    if (wait > 0) return wait;
    for (const { key } of keys) {
      const f = this.current(key, policy, nowMs) ?? { count: 0, last: nowMs, lockedUntil: 0, inFlight: 0 };
      this.remember(this.failures, key, { ...f, inFlight: f.inFlight + 1 });
    }
    return 0;
  }

  async endLoginAttempt(keys: readonly LoginKey[], outcome: LoginOutcome, policy: LoginBackoffPolicy, nowMs: number): Promise<void> {
    for (const { key, maxFailures, clearedBySuccess } of keys) {
      const f = this.current(key, policy, nowMs) ?? { count: 0, last: nowMs, lockedUntil: 0, inFlight: 1 };
      const next = { ...f, inFlight: Math.max(0, f.inFlight - 1) };
      if (outcome === 'FAILED') {
        next.count = f.count + 1;
        next.last = nowMs;
        if (next.count >= maxFailures) {
          // The lock doubles with every failure past the threshold: 30 s, 60 s, 120 s … up to the maximum.
          const seconds = Math.min(policy.maxLockSeconds, policy.lockSeconds * 2 ** Math.min(next.count - maxFailures, 30));
          next.lockedUntil = Math.max(f.lockedUntil, nowMs + seconds * 1000);
        }
      } else if (outcome === 'SUCCEEDED' && clearedBySuccess) {
        Object.assign(next, { count: 0, lockedUntil: 0 });
      }
      if (next.count === 0 && next.inFlight === 0) this.failures.delete(key);
      else this.remember(this.failures, key, next);
    }
  }

  /** A key's record, its failures forgotten a window after the last one (or after the lock it caused ends). */
  private current(key: string, policy: LoginBackoffPolicy, nowMs: number): Failures | undefined {
    const f = this.failures.get(key);
    if (!f || nowMs - Math.max(f.last, f.lockedUntil) <= policy.windowSeconds * 1000) return f;
    return { count: 0, last: nowMs, lockedUntil: 0, inFlight: f.inFlight };
  }

  private remember<V>(map: Map<string, V>, key: string, value: V) {
    map.delete(key); // re-insert: Map order is then least recently used first
    map.set(key, value);
    if (map.size > this.maxEntries) map.delete(map.keys().next().value!);
  }

  /** Every few thousand operations, drops full buckets (they hold nothing a new one would not). */
  private sweepNow(nowMs: number, budget: RequestBudget) {
    if (++this.operations % 5000 !== 0) return;
    const perMs = budget.perMinute / 60_000;
    for (const [key, b] of this.buckets) if (b.tokens + (nowMs - b.at) * perMs >= budget.burst) this.buckets.delete(key);
  }
}

/**
 * The client's address: the socket's, or the one X-Forwarded-For names when TRUST_PROXY says which proxies to
 * believe (express's `trust proxy`, set in app.ts). An IPv6 client is keyed by its /64: one host holds a whole /64.
 */
export function clientAddress(req: Request): string {
  const ip = (req.ip ?? req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (isIP(ip) !== 6) return ip;
  const groups = expandIPv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

function expandIPv6(ip: string): string[] | null {
  const [head, tail] = ip.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  if (right.some((g) => g.includes('.')) || left.some((g) => g.includes('.'))) return null;
  const missing = 8 - left.length - right.length;
  if (tail === undefined && missing !== 0) return null;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** The refusal of a client over its budget. */
export const overBudget = (retryAfterSeconds: number): DomainError => rateLimited(`请求过于频繁，请 ${retryAfterSeconds} 秒后再试`, retryAfterSeconds);

/**
 * Express middleware: each request takes a token from its address's bucket, and from its user's when it carries a
 * valid token (checked by signature alone: no database). Over budget: 429 with Retry-After and a JSON error in the
 * GraphQL shape on /graphql, in the exports' shape elsewhere.
 */
export function requestBudget(counters: EdgeCounters, config: AppConfig, clock: Clock) {
  const keys: TokenKeys = { secret: config.jwtSecret, ttlHours: config.tokenTtlHours };
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const bucketKeys = [`addr:${clientAddress(req)}`];
      const token = req.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
      const userId = token ? await verifyToken(keys, token) : undefined;
      if (userId) bucketKeys.push(`user:${userId}`);
      const wait = await counters.takeRequest(bucketKeys, config.requestBudget, clock.now().toMillis());
      if (wait === 0) return next();
      const refusal = overBudget(wait);
      res.status(429).set('Retry-After', String(wait));
      const extensions = { code: refusal.code, ...refusal.details };
      if (req.originalUrl.startsWith('/graphql')) res.json({ errors: [{ message: refusal.message, extensions }] });
      else res.json({ error: { message: refusal.message, ...extensions } });
    } catch (error) {
      next(error);
    }
  };
}
