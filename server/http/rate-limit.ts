import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../clock.ts';
import type { AppConfig } from '../config.ts';
import { rateLimited, type DomainError } from '../errors.ts';
import { verifyToken, type TokenKeys } from '../auth/tokens.ts';
import { recordRefusal } from './logging.ts';

// API.md The edge: RATE_LIMITED answers a client over its request budget (here) and repeated failed logins
// (login-attempts.ts: in the database, shared by every process). The request buckets live in memory, behind the small
// EdgeCounters interface (promises, so that a shared store could implement it): a request must not pay a round trip
// to be let in. Each API process keeps its own (workers.ts): with N processes a client gets at most N × the burst at
// once — the bound README states and tests/api/edge-processes.test.ts checks. Time comes from the injectable clock
// (House style 6).

/** The request budget's counters; keys are opaque strings such as `addr:203.0.113.7` or `user:<id>`. */
export interface EdgeCounters {
  /** Takes one token from each bucket; 0 when taken, else the seconds until every bucket has one (none is taken). */
  takeRequest(keys: readonly string[], budget: RequestBudget, nowMs: number): Promise<number>;
}

export interface RequestBudget {
  perMinute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** One process's counters. Bounded: idle entries are swept, and past `maxEntries` the oldest are dropped. */
export class MemoryCounters implements EdgeCounters {
  private readonly buckets = new Map<string, Bucket>();
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
      recordRefusal(req, refusal.code);
      res.status(429).set('Retry-After', String(wait));
      const extensions = { code: refusal.code, ...refusal.details };
      if (req.originalUrl.startsWith('/graphql')) res.json({ errors: [{ message: refusal.message, extensions }] });
      else res.json({ error: { message: refusal.message, ...extensions } });
    } catch (error) {
      next(error);
    }
  };
}
