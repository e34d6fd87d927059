import { badInput } from './errors.ts';

// API.md: growing lists are cursor connections. Cursors are opaque: base64url of the sort key.
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageRequest {
  limit: number;
  after: unknown[] | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  cursor: (node: T) => string;
  totalCount: () => Promise<number>;
}

export function pageRequest(args: PageArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `first 必须是 0 到 ${MAX_PAGE_SIZE} 之间的整数`, { value: first });
  }
  return { limit: first, after: args.after ? decodeCursor(args.after) : null };
}

export const encodeCursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeCursor(cursor: string): unknown[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key)) return key;
  } catch {
    // fall through
  }
  throw badInput('after', '分页游标无效 (invalid cursor)', { value: cursor });
}

/** Builds a page from rows fetched with limit + 1. */
export function toPage<T>(rows: T[], req: PageRequest, key: (node: T) => unknown[], totalCount: () => Promise<number>): Page<T> {
  return {
    nodes: rows.slice(0, req.limit),
    hasNextPage: rows.length > req.limit,
    cursor: (n) => encodeCursor(key(n)),
    totalCount,
  };
}

export function cursorString(req: PageRequest, field = 'after'): string | null {
  if (!req.after) return null;
  const [v] = req.after;
  if (typeof v !== 'string') throw badInput(field, '分页游标无效 (invalid cursor)');
  return v;
}
