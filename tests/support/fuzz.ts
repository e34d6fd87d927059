import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type RequestListener, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
} from 'graphql';
import request from 'supertest';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { ERROR_CODES } from '../../server/errors.ts';
import { checkLedger } from '../../server/inventory/ledger-check.ts';
import type { Logger } from '../../server/logger.ts';
import type { GqlResult } from './harness.ts';

// Schema-driven fuzzing of mutations (tests/api/fuzz-mutations.test.ts): a valid seed input is generated from the
// input types, then one to three of its nodes are mutated with a seeded PRNG, so that every case can be replayed
// from (seed, mutation, case number) alone.

export type Args = Record<string, unknown>;
type AnyField = GraphQLField<unknown, unknown>;

// ---------------------------------------------------------------- deterministic randomness

export type Rng = () => number;

/** mulberry32: small, fast and good enough to pick operators. */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the parts: one independent stream per (run seed, mutation, case). */
export function seedOf(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join(':')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

// ---------------------------------------------------------------- the schema

/** The demo user a mutation is fuzzed as: the least privileged role its authScopes admit; null for public fields. */
export function callerOf(field: { extensions?: Readonly<Record<string, unknown>> | null }): string | null {
  const scopes = (field.extensions?.pothosOptions as { authScopes?: unknown } | undefined)?.authScopes;
  if (scopes && typeof scopes === 'object') {
    const { public: isPublic, roles } = scopes as { public?: boolean; roles?: readonly string[] };
    if (isPublic) return null;
    for (const role of ['KEEPER', 'DISPATCHER', 'ADMIN']) if (roles?.includes(role)) return role.toLowerCase();
  }
  return 'admin';
}

// ---------------------------------------------------------------- valid seeds

/** Where a leaf value goes: the field (or argument) name, the input type or mutation declaring it, its named type. */
export interface Slot {
  name: string;
  owner: string;
  type: GraphQLNamedType;
  required: boolean;
}

/** Leaves a field out of a seed (from a guess) or out of the seed it patches (in an override). */
export const OMIT = Symbol('omit');

export type Guess = (slot: Slot) => unknown;

type FieldDef = GraphQLArgument | GraphQLInputField;

/** A complete input for the field: every argument and input field, optional ones too, each leaf from `guess`. */
export function seedArgs(field: AnyField, guess: Guess): Args {
  return seedFields(field.args, field.name, guess);
}

function seedFields(fields: readonly FieldDef[], owner: string, guess: Guess): Args {
  const out: Args = {};
  for (const f of fields) {
    const value = seedValue(f.type, f.name, owner, guess);
    if (value !== OMIT) out[f.name] = value;
  }
  return out;
}

function seedValue(type: GraphQLInputType, name: string, owner: string, guess: Guess): unknown {
  const inner = getNullableType(type);
  if (isListType(inner)) {
    const element = seedValue(inner.ofType, name, owner, guess);
    return element === OMIT ? OMIT : [element];
  }
  if (isInputObjectType(inner)) return seedFields(Object.values(inner.getFields()), inner.name, guess);
  return guess({ name, owner, type: inner, required: isNonNullType(type) });
}

/**
 * The seed with a patch applied: objects merge key by key, OMIT removes a key, a list in the patch patches the
 * seed's first element once per patch element (so `lines: [{ batchId }]` keeps the generated rest of the line).
 */
export function patched(seed: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) {
    const base = Array.isArray(seed) ? seed : [];
    return patch.map((p, i) => patched(base[i] ?? base[0], p));
  }
  if (isPlainObject(patch)) {
    const out: Args = isPlainObject(seed) ? { ...seed } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === OMIT) delete out[k];
      else out[k] = patched(out[k], v);
    }
    return out;
  }
  return patch;
}

const isPlainObject = (v: unknown): v is Args => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------- mutation operators

type Path = (string | number)[];

/** A node of an input with its declared type; `fields` is set for objects (and the argument list itself). */
interface Site {
  path: Path;
  value: unknown;
  type: GraphQLInputType | null;
  fields: Map<string, FieldDef> | null;
}

interface Operator {
  name: string;
  applies(site: Site): boolean;
  apply(site: Site, rng: Rng): unknown;
  /** Multiplies the size of the input: one per case, or nested repeats make millions of elements. */
  grows?: boolean;
}

/** The scalar or enum type of a leaf site; null for lists, objects and the argument list. */
const leafTypeOf = (site: Site) => {
  const inner = site.type && getNullableType(site.type);
  return inner && !isListType(inner) && !isInputObjectType(inner) ? inner : null;
};
const scalarNamed =
  (...names: string[]) =>
  (site: Site) =>
    site.value !== null && names.includes(leafTypeOf(site)?.name ?? '');
const isStringLeaf = (site: Site) => leafTypeOf(site) !== null && typeof site.value === 'string';
const isUuid = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

const uuidFrom = (rng: Rng) => {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

const replace = (name: string, applies: Operator['applies'], value: (site: Site, rng: Rng) => unknown): Operator => ({ name, applies, apply: value });
const growing = (op: Operator): Operator => ({ ...op, grows: true });
const constant = (name: string, applies: Operator['applies'], v: unknown) => replace(name, applies, () => v);

const DATES = { 'year-0000': '0000-01-01', 'year+271821': '+271821-01-01', 'year-271821': '-271821-01-01', 'feb-30': '2026-02-30', 'year-9999': '9999-12-31' };
const NUMBERS = { zero: 0, 'minus-one': -1, '2^31': 2 ** 31, '2^31-1': 2 ** 31 - 1, '-2^31-1': -(2 ** 31) - 1, '2^53': 2 ** 53, '1e308': 1e308, half: 0.5 };
const MONEY = {
  'money-negative': '-0.01',
  'money-3dp': '0.001',
  'money-exponent': '1e3',
  'money-huge': '99999999999999999999.99',
  'money-bigint-edge': '92233720368547758.08',
};
const ALL_STRING_SCALARS = ['String', 'ID', 'Date', 'DateTime', 'Money'];

/** Overflows an Int column when summed: 25 lines × 100,000,000 of the same thing is 2.5 × 10⁹ > 2³¹. */
const OVERFLOW_LINES = 25;
const OVERFLOW_QUANTITY = 100_000_000;

const quantityField = (site: Site) => {
  const element = site.type && getNullableType(site.type);
  if (!isListType(element)) return undefined;
  const named = getNamedType(element);
  if (!isInputObjectType(named)) return undefined;
  return Object.values(named.getFields()).find((f) => /quantity$/i.test(f.name) && getNamedType(f.type).name === 'Int')?.name;
};

const enumOf = (site: Site) => {
  const leaf = leafTypeOf(site);
  return leaf && isEnumType(leaf) ? leaf : null;
};
const isList = (site: Site) => Array.isArray(site.value) && isListType(site.type && getNullableType(site.type));
const isObject = (site: Site) => site.fields !== null && isPlainObject(site.value);
const clone = <T>(v: T): T => structuredClone(v);

export const OPERATORS: readonly Operator[] = [
  // strings (and the string-shaped scalars)
  constant('empty', scalarNamed(...ALL_STRING_SCALARS), ''),
  constant('long-10000', scalarNamed(...ALL_STRING_SCALARS), 'x'.repeat(10_000)),
  replace('nul', scalarNamed(...ALL_STRING_SCALARS), (s) => `${String(s.value).slice(0, 1)}\u0000${String(s.value).slice(1)}`),
  replace('lone-surrogate', scalarNamed(...ALL_STRING_SCALARS), (s) => `${String(s.value)}\ud800`),
  constant('emoji-at-200', scalarNamed('String'), `${'a'.repeat(199)}😀`),
  constant('emoji-at-500', scalarNamed('String'), `${'a'.repeat(499)}😀`),
  replace('like-metachars', scalarNamed('String', 'ID'), (_s, rng) => pick(rng, ['%', '_', "'", '\\', "%_'\\", "' OR '1'='1"])),
  replace('whitespace-only', scalarNamed('String', 'ID'), (_s, rng) => pick(rng, ['   ', '\t\t', ' \t\n '])),
  // ids
  replace(
    'uppercase-uuid',
    (s) => scalarNamed('ID')(s) && isUuid(s.value),
    (s) => String(s.value).toUpperCase(),
  ),
  replace('unknown-uuid', scalarNamed('ID'), (_s, rng) => uuidFrom(rng)),
  constant('not-a-uuid', scalarNamed('ID'), 'not-a-uuid'),
  // numbers
  ...Object.entries(NUMBERS).map(([name, v]) => constant(name, scalarNamed('Int', 'Float'), v)),
  // dates: a Date and the same day as a DateTime with an offset
  ...Object.entries(DATES).map(([name, v]) => constant(name, scalarNamed('Date'), v)),
  ...Object.entries(DATES).map(([name, v]) => constant(name, scalarNamed('DateTime'), `${v}T00:00:00+08:00`)),
  ...Object.entries(MONEY).map(([name, v]) => constant(name, scalarNamed('Money'), v)),
  // enums and booleans
  replace(
    'other-enum-value',
    (s) => enumOf(s) !== null,
    (s, rng) => {
      const values = enumOf(s)!
        .getValues()
        .map((v) => v.name);
      return pick(rng, values.filter((v) => v !== s.value).concat('NOT_A_VALUE'));
    },
  ),
  replace('flip', scalarNamed('Boolean'), (s) => !s.value),
  // lists
  constant('empty-list', isList, []),
  replace(
    'duplicate-element',
    (s) => isList(s) && (s.value as unknown[]).length > 0,
    (s) => [...(s.value as unknown[]), clone((s.value as unknown[])[0])],
  ),
  growing(
    replace(
      'repeat-1500',
      (s) => isList(s) && (s.value as unknown[]).length > 0,
      (s) => Array.from({ length: 1500 }, () => clone((s.value as unknown[])[0])),
    ),
  ),
  growing(
    replace(
      'repeat-3000',
      (s) => isList(s) && (s.value as unknown[]).length > 0,
      (s) => Array.from({ length: 3000 }, () => clone((s.value as unknown[])[0])),
    ),
  ),
  growing(
    replace(
      'quantity-sum-past-2^31',
      (s) => isList(s) && (s.value as unknown[]).length > 0 && quantityField(s) !== undefined,
      (s) => Array.from({ length: OVERFLOW_LINES }, () => ({ ...(s.value as Args[])[0], [quantityField(s)!]: OVERFLOW_QUANTITY })),
    ),
  ),
  // objects (and the argument list)
  replace(
    'drop-field',
    (s) => isObject(s) && Object.keys(s.value as Args).length > 0,
    (s, rng) => {
      const keys = Object.keys(s.value as Args);
      const required = keys.filter((k) => s.fields!.get(k) && isNonNullType(s.fields!.get(k)!.type));
      const rest = { ...(s.value as Args) };
      delete rest[pick(rng, required.length && rng() < 0.7 ? required : keys)];
      return rest;
    },
  ),
  replace(
    'null-field',
    (s) => isObject(s) && Object.keys(s.value as Args).length > 0,
    (s, rng) => ({ ...(s.value as Args), [pick(rng, Object.keys(s.value as Args))]: null }),
  ),
  replace('unknown-field', isObject, (s) => ({ ...(s.value as Args), fuzzUnknownField: 'x' })),
  // any string, enum values included
  constant('only-nul', isStringLeaf, '\u0000'),
];

/** Every node of the arguments, each with its declared type (nothing for keys the schema does not know). */
function sitesOf(args: Args, field: AnyField): Site[] {
  const sites: Site[] = [];
  const visit = (value: unknown, type: GraphQLInputType | null, path: Path, fields: Map<string, FieldDef> | null) => {
    sites.push({ path, value, type, fields });
    if (value === null || type === null) return;
    const inner = getNullableType(type);
    if (isListType(inner) && Array.isArray(value)) {
      // A long list is one site: its elements all came from the same seed element.
      if (value.length) visit(value[0], inner.ofType, [...path, 0], fieldMap(inner.ofType));
    } else if (fields && isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        const def = fields.get(k);
        if (def) visit(v, def.type, [...path, k], fieldMap(def.type));
      }
    }
  };
  const root = new Map(field.args.map((a) => [a.name, a]));
  sites.push({ path: [], value: args, type: null, fields: root });
  for (const [k, v] of Object.entries(args)) {
    const def = root.get(k);
    if (def) visit(v, def.type, [k], fieldMap(def.type));
  }
  return sites;
}

function fieldMap(type: GraphQLInputType): Map<string, FieldDef> | null {
  const inner = getNullableType(type);
  return isInputObjectType(inner) ? new Map(Object.entries(inner.getFields())) : null;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container = (Array.isArray(root) ? [...root] : { ...(root as Args) }) as Record<string | number, unknown>;
  container[head] = setAt(container[head], rest, value);
  return container;
}

/** One applied operator, with the path it was applied at ("input.lines.0.quantity"). */
export interface Applied {
  operator: string;
  path: string;
}

/** The seed with one to three of its nodes mutated. */
export function mutateArgs(seed: Args, field: AnyField, rng: Rng): { args: Args; applied: Applied[] } {
  let args = seed;
  const applied: Applied[] = [];
  const times = rng() < 0.7 ? 1 : rng() < 0.67 ? 2 : 3;
  let grown = false;
  for (let n = 0; n < times; n++) {
    const usable = OPERATORS.filter((op) => !(grown && op.grows));
    const choices = sitesOf(args, field).flatMap((site) => usable.filter((op) => op.applies(site)).map((op) => ({ site, op })));
    if (choices.length === 0) break;
    const { site, op } = pick(rng, choices);
    args = setAt(args, site.path, op.apply(site, rng)) as Args;
    grown ||= Boolean(op.grows);
    applied.push({ operator: op.name, path: site.path.join('.') || '(arguments)' });
  }
  return { args, applied };
}

// ---------------------------------------------------------------- operations

/** Every leaf of the return type, and the leaves of its object fields: enough for the output scalars to serialize. */
export function selectionOf(type: GraphQLOutputType, depth = 2): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  const parts: string[] = [];
  for (const f of Object.values(named.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const inner = getNamedType(f.type);
    if (isLeafType(inner)) parts.push(f.name);
    else if (depth > 1 && isObjectType(inner)) {
      const sub = selectionOf(inner, depth - 1);
      if (sub) parts.push(`${f.name} ${sub}`);
    }
  }
  return `{ __typename ${parts.join(' ')} }`;
}

/** The mutation with its arguments passed as variables (coerced by the server). */
export function variablesOperation(field: AnyField, selection: string): string {
  const declared = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `mutation Fuzz(${declared}) { ${field.name}(${passed}) ${selection} }`;
}

/** The mutation with its arguments written into the document as literals. */
export function literalOperation(field: AnyField, args: Args, selection: string): string {
  const types = new Map(field.args.map((a) => [a.name, a.type]));
  const passed = Object.entries(args).map(([k, v]) => `${k}: ${literal(v, types.get(k) ?? null)}`);
  return `mutation Fuzz { ${field.name}${passed.length ? `(${passed.join(', ')})` : ''} ${selection} }`;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

function literal(value: unknown, type: GraphQLInputType | null): string {
  const inner = type && getNullableType(type);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, isListType(inner) ? inner.ofType : null)).join(', ')}]`;
  if (isPlainObject(value)) {
    const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v, fields[k]?.type ?? null)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string' && inner && isEnumType(inner) && NAME.test(value) && !['true', 'false', 'null'].includes(value)) return value;
  // JSON's escapes are GraphQL's, \u0000 and lone surrogates included.
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

// ---------------------------------------------------------------- sending and judging

export type Reply = { hang: true } | { hang: false; status: number; body: GqlResult | undefined; text: string };

/** POSTs one GraphQL request (under `requestId`, for its log); a reply later than `timeoutMs` is a hang. */
export async function post(
  server: Server,
  requestId: string,
  body: { query: string; variables?: Args },
  token: string | undefined,
  timeoutMs: number,
): Promise<Reply> {
  const req = request(server).post('/graphql').set('content-type', 'application/json').set(REQUEST_ID, requestId).timeout({ deadline: timeoutMs });
  if (token) req.set('authorization', `Bearer ${token}`);
  try {
    const res = await req.send(body);
    return { hang: false, status: res.status, body: isPlainObject(res.body) ? (res.body as GqlResult) : undefined, text: res.text };
  } catch (error) {
    if ((error as { timeout?: number }).timeout) return { hang: true };
    throw error;
  }
}

export type FailureKind = 'HANG' | 'HTTP_5XX' | 'NOT_GRAPHQL' | 'INTERNAL_SERVER_ERROR' | 'UNKNOWN_CODE' | 'SEED_REJECTED' | 'LEDGER';

export interface Problem {
  kind: FailureKind;
  message: string;
}

const API_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** What is wrong with a reply: a hang, a 5xx, a masked internal error or a code API.md does not list. */
export function problemsIn(reply: Reply): Problem[] {
  if (reply.hang) return [{ kind: 'HANG', message: 'no answer in time' }];
  if (reply.status >= 500) return [{ kind: 'HTTP_5XX', message: `HTTP ${reply.status}: ${reply.text.slice(0, 200)}` }];
  if (!reply.body || (!reply.body.data && !reply.body.errors)) return [{ kind: 'NOT_GRAPHQL', message: `HTTP ${reply.status}: ${reply.text.slice(0, 200)}` }];
  return (reply.body.errors ?? []).flatMap((e): Problem[] => {
    const code = String(e.extensions?.code);
    const where = e.path ? ` at ${e.path.join('.')}` : '';
    if (code === 'INTERNAL_SERVER_ERROR') return [{ kind: 'INTERNAL_SERVER_ERROR', message: `${e.message}${where}` }];
    if (!API_CODES.has(code)) return [{ kind: 'UNKNOWN_CODE', message: `${code}: ${e.message}${where}` }];
    return [];
  });
}

/** The ledger invariants: balances equal the sum of movements, and no balance is negative. */
export async function ledgerProblems(db: Db): Promise<Problem[]> {
  const mismatches = await checkLedger(db);
  const negative = await queryRows<{ store_id: string; batch_id: string; on_hand: number; reserved: number; in_transit: number }>(
    db,
    sql`SELECT store_id, batch_id, on_hand, reserved, in_transit FROM balances WHERE on_hand < 0 OR reserved < 0 OR in_transit < 0`,
  );
  return [
    ...mismatches.map((m) => ({ kind: 'LEDGER' as const, message: `balance differs from movements: ${JSON.stringify(m)}` })),
    ...negative.map((n) => ({ kind: 'LEDGER' as const, message: `negative balance: ${JSON.stringify(n)}` })),
  ];
}

// ---------------------------------------------------------------- the server and its log

export interface LoggedServer {
  server: Server;
  /** The error and warning lines the app logged while serving the request sent with this id (taken once). */
  takeLog(requestId: string): string[];
}

const REQUEST_ID = 'x-fuzz-request';

/**
 * Serves the app built with a logger that files each error and warning line under the request being served (an
 * AsyncLocalStorage follows the request through the app), so that lines are attributed exactly even with several
 * requests in flight. `echo` also receives every line.
 */
export function serveWithLog(build: (log: Logger) => RequestListener, echo?: Logger): LoggedServer {
  const current = new AsyncLocalStorage<string[]>();
  const byRequest = new Map<string, string[]>();
  const record = (level: 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => {
    echo?.[level](msg, fields);
    current.getStore()?.push(JSON.stringify({ level, msg, ...fields }));
  };
  const app = build({
    debug: (msg, fields) => echo?.debug(msg, fields),
    info: (msg, fields) => echo?.info(msg, fields),
    warn: record('warn'),
    error: record('error'),
  });
  const server = createServer((req, res) => {
    const lines: string[] = [];
    const id = req.headers[REQUEST_ID];
    if (typeof id === 'string') byRequest.set(id, lines);
    current.run(lines, () => app(req, res));
  }).listen(0);
  return {
    server,
    takeLog(requestId) {
      const lines = byRequest.get(requestId) ?? [];
      byRequest.delete(requestId);
      return lines;
    },
  };
}

// ---------------------------------------------------------------- findings

/** A failure, or (SERVER_LOGGED) an answer within the contract for which the server logged an error or a warning. */
export interface Finding {
  kind: FailureKind | 'SERVER_LOGGED';
  message: string;
  mutation: string;
  /** "<run seed>:<mutation>:<case>" — the case is rebuilt from these alone. */
  replay: string;
  applied: Applied[];
  literal: boolean;
  /** The variables (or the literal document) as sent, cut to 500 characters. */
  input: string;
  log?: string;
}

export const isFailure = (f: Finding) => f.kind !== 'SERVER_LOGGED';

/** One JSON log line as "unexpected error [23505] duplicate key value … — Failed query: insert into …". */
export function logSummary(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; sqlState?: string; cause?: string; error?: string };
    const error = entry.error?.split('\n')[0];
    return [`${entry.msg}${entry.sqlState ? ` [${entry.sqlState}]` : ''}`, entry.cause, error !== entry.cause ? error : undefined].filter(Boolean).join(' — ');
  } catch {
    return line;
  }
}

export const truncate = (s: string, n = 500) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** List indices become "*": the same operator on another line is the same finding. */
export const operatorKey = (applied: Applied[]) => applied.map((a) => `${a.operator}@${a.path.replace(/\.\d+(?=\.|$)/g, '.*')}`).join(' + ');

/** One entry per distinct (kind, message, operators), with a count and the first example. */
export function formatFindings(findings: Finding[]): string {
  const groups = new Map<string, { first: Finding; count: number }>();
  for (const f of findings) {
    const key = `${f.kind}|${f.message}|${operatorKey(f.applied)}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { first: f, count: 1 });
  }
  return [...groups.values()]
    .map(({ first: f, count }) =>
      [
        `${f.kind} ×${count}: ${f.message}`,
        `  operators: ${operatorKey(f.applied) || '(none)'}${f.literal ? ' [literal]' : ''}   replay: ${f.replay}`,
        `  input: ${f.input}`,
        ...(f.log ? [`  server log: ${truncate(f.log, 300)}`] : []),
      ].join('\n'),
    )
    .join('\n');
}

/** Runs `work(i)` for i in [0, count) with at most `width` running at once. */
export async function inParallel(count: number, width: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
}
