import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger as Pino, type LoggerOptions } from 'pino';

// One JSON object per line on stderr (pino), the level as a word and the time in ISO: what an operator greps and
// what a log shipper reads. Every line written while a request is served carries its request id.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Level = Exclude<LogLevel, 'silent'>;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The longest line, in UTF-8 bytes, that the logger writes whatever the input (a client's text, a stack). */
export const MAX_LOG_LINE_BYTES = 16_384;
const MAX_STRING = 2_000;
const MAX_KEYS = 30;
const MAX_ITEMS = 20;
const MAX_DEPTH = 3;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s);

function bounded(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cut(value, MAX_STRING);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[array]' : '[object]';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => bounded(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, MAX_KEYS)
      .map(([k, v]) => [cut(k, 64), bounded(v, depth + 1)]),
  );
}

/**
 * The fields of one line, bounded: strings, lists and nesting are cut; should the line still be too long, only the
 * first scalar fields, cut short, are kept (≤ 30 × (64 + 120) characters, ≤ 3 bytes each: under the bound).
 */
export function boundLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  const line = bounded(fields, 0) as Record<string, unknown>;
  if (Buffer.byteLength(JSON.stringify(line)) <= MAX_LOG_LINE_BYTES - 1_024) return line;
  const scalars = Object.entries(line).filter(([, v]) => v === null || typeof v !== 'object');
  return {
    ...Object.fromEntries(scalars.slice(0, MAX_KEYS - 1).map(([k, v]) => [k, typeof v === 'string' ? cut(v, 100) : v])),
    truncated: true,
  };
}

/** Fields that never reach a line, wherever a caller puts them (tokens, passwords, secrets, cookies). */
const REDACTED = ['authorization', 'cookie', 'password', 'newPassword', 'token', 'secret', 'jwtSecret', 'variables'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** What is known of the request being served; its id goes on every line (server/http/logging.ts fills it). */
export interface LogScope {
  requestId: string;
}

const requestScope = new AsyncLocalStorage<LogScope>();

/** Runs `fn` with `scope.requestId` on every line logged inside it. */
export function withLogScope<T>(scope: LogScope, fn: () => T): T {
  return requestScope.run(scope, fn);
}

export const currentLogScope = (): LogScope | undefined => requestScope.getStore();

/** Runs `fn` outside any request's scope: nothing it logs carries a request id (shutdown, main.ts). */
export function withoutLogScope<T>(fn: () => T): T {
  return requestScope.exit(fn);
}

function pinoOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    redact: { paths: REDACTED, censor: '[redacted]' },
    mixin: () => {
      const requestId = currentLogScope()?.requestId;
      return requestId ? { requestId } : {};
    },
    formatters: { level: (label) => ({ level: label }), log: boundLogFields },
  };
}

const pinoBehind = new WeakMap<Logger, Pino>();

function wrap(p: Pino): Logger {
  const at = (level: Level) => (msg: string, fields?: Record<string, unknown>) => p[level](fields ?? {}, msg);
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  pinoBehind.set(log, p);
  return log;
}

/** A logger at `level` writing to stderr (or to `destination`: tests capture lines). */
export function createLogger(level: LogLevel, destination: DestinationStream = pino.destination({ fd: 2, sync: true })): Logger {
  return wrap(pino(pinoOptions(level), destination));
}

/**
 * The pino logger behind `log` (pino-http needs one). A logger not made by createLogger (a test's recorder)
 * gets a pino logger that hands each line back to it, so that it sees the access log as well.
 */
export function pinoOf(log: Logger): Pino {
  let p = pinoBehind.get(log);
  if (!p) {
    p = pino(pinoOptions('debug'), {
      write(line: string) {
        const { level, msg, ...fields } = JSON.parse(line) as { level: Level; msg: string; time?: string; pid?: number };
        delete fields.time;
        delete fields.pid;
        log[level](msg, fields);
      },
    });
    pinoBehind.set(log, p);
  }
  return p;
}
