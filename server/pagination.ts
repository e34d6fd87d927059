import { badInput } from './errors.ts';

// API.md: growing lists are cursor connections. Cursors are opaque: base64url of the list's name and its sort key.
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageRequest {
  list: string;
  limit: number;
  after: unknown[] | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  cursor: (node: T) => string;
  totalCount: () => Promise<number>;
}

/**
 * What a list's cursor holds, part by part. A cursor is read against it, so a forged or garbled one is refused here as
 * 分页游标无效 and never reaches SQL as a value of the wrong type. It also names its list: a cursor of `items` given to
 * `stores` has the same shape (one code) but would open a wrong page, so it is refused too.
 */
export type CursorPart = 'int' | 'text' | 'uuid' | 'date' | 'timestamp';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

const fits: Record<CursorPart, (v: unknown) => boolean> = {
  int: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  text: (v) => typeof v === 'string' && v.length <= 256,
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  date: (v) => typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(v)),
  timestamp: (v) => typeof v === 'string' && TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v)),
};

export function pageRequest(args: PageArgs, list: string, shape: readonly CursorPart[]): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `每页条数须为 0 到 ${MAX_PAGE_SIZE} 之间的整数`, { value: first });
  }
  return { list, limit: first, after: args.after ? decodeCursor(args.after, list, shape) : null };
}

export const encodeCursor = (list: string, key: unknown[]) => Buffer.from(JSON.stringify([list, ...key])).toString('base64url');

function decodeCursor(cursor: string, list: string, shape: readonly CursorPart[]): unknown[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (Array.isArray(parts) && parts[0] === list) {
    const key = parts.slice(1);
    if (key.length === shape.length && shape.every((part, i) => fits[part](key[i]))) return key;
  }
  throw badInput('after', '分页游标无效，请从第一页重新查询', { value: cursor.slice(0, 64) });
}

/** Builds a page from rows fetched with limit + 1. */
export function toPage<T>(rows: T[], req: PageRequest, key: (node: T) => unknown[], totalCount: () => Promise<number>): Page<T> {
  return {
    nodes: rows.slice(0, req.limit),
    hasNextPage: rows.length > req.limit,
    cursor: (n) => encodeCursor(req.list, key(n)),
    totalCount,
  };
}

/** The cursor of a list ordered by one text key (a code, a username, an id). */
export function cursorString(req: PageRequest): string | null {
  return req.after ? (req.after[0] as string) : null;
}
