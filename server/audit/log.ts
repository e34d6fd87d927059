import { AsyncLocalStorage } from 'node:async_hooks';
import { and, count, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { auditLog } from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import { auditEntriesInScope } from '../auth/policy.ts';
import { forbidden } from '../errors.ts';
import { withoutIdNumbers } from '../id-numbers-in-text.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { PLAN_APPROVAL_KINDS } from '../authority/queue.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { getRegionInScope } from '../regions/service.ts';
import { assertPeriodOrder } from '../validation.ts';
import { normalizeRegionCode, PREFIX_LENGTHS, subtreePrefix } from '../regions/codes.ts';
import type { ServiceContext } from '../context.ts';

export type AuditRow = typeof auditLog.$inferSelect;

// D29: a household's personal data (head's name, ID number, address) is kept in its distribution record, not in the log.
const SECRET_KEYS = /password|token|secret|^idNumber$|^household$/i;

/**
 * Whether an input field's value is a secret or personal data, never written to the log nor quoted back in a message
 * (which the log keeps too): the field's name or a name on its path ("input.household.idNumber", "newPassword").
 */
export const isSecretField = (path: string): boolean => path.split('.').some((name) => SECRET_KEYS.test(name));
const MAX_STRING = 200;
const MAX_ITEMS = 20;
/**
 * D22 (sweep 23b F2): what an input's row keeps is bounded by size — about this many characters of text, keys and
 * numbers —, not by nesting: a plan request's destinations' lines (items and quantities) are what it asked for. What is
 * past the bound is cut, and the cut says so (CUT_FOR_SIZE).
 */
const MAX_INPUT_CHARS = 16_000;
/** Only a guard for the stack: the schema's inputs nest a few levels (5: a plan request's lines); a refused input's variables, as sent, may nest anything. */
const MAX_DEPTH = 32;
/** Where a row's input was cut for its size: in place of the rest of a list or an object. */
export const CUT_FOR_SIZE = '…（审计记录长度已达上限，以下未记录）';
const CUT_FOR_DEPTH = '…（嵌套过深，以下未记录）';

/**
 * Text the database always accepts: NUL and lone UTF-16 surrogates become U+FFFD, and the text is cut on a
 * character (code point) boundary, never inside one — an emoji cut in half is a string PostgreSQL refuses.
 */
export function storableText(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- NUL is matched on purpose: PostgreSQL text cannot store it.
  const clean = value.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

/** A bounded, secret-free, storable copy of the input for the log. */
export function summarizeInput(value: unknown): unknown {
  return summarized(value, 0, { left: MAX_INPUT_CHARS });
}

/** summarizeInput below `depth`, charging what it keeps to `budget` (MAX_INPUT_CHARS): a list or object past it is cut, saying so. */
function summarized(value: unknown, depth: number, budget: { left: number }): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') {
    budget.left -= 5;
    return value ?? null;
  }
  if (typeof value === 'string' || typeof value === 'bigint') {
    // D29: an ID number typed into free text is left out, whole or masked (withoutIdNumbers) — in a refused input too.
    const text = typeof value === 'string' ? storableText(withoutIdNumbers(value), MAX_STRING) : String(value);
    budget.left -= text.length + 2;
    return text;
  }
  if (depth > MAX_DEPTH) return CUT_FOR_DEPTH;
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    for (const v of value.slice(0, MAX_ITEMS)) {
      if (budget.left <= 0) return [...kept, CUT_FOR_SIZE];
      kept.push(summarized(v, depth + 1, budget));
    }
    return value.length > MAX_ITEMS ? [...kept, `… ${value.length} items`] : kept;
  }
  if (typeof value === 'object') {
    // Scalars parsed into objects (luxon DateTime, Date) are logged as they were sent.
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return summarized(json.call(value), depth, budget);
    const kept: [string, unknown][] = [];
    for (const [k, v] of Object.entries(value).slice(0, MAX_ITEMS * 2)) {
      if (budget.left <= 0) {
        kept.push(['…', CUT_FOR_SIZE]);
        break;
      }
      const name = storableText(k, 64);
      budget.left -= name.length + 3;
      kept.push([name, isSecretField(k) ? '***' : summarized(v, depth + 1, budget)]);
    }
    return Object.fromEntries(kept);
  }
  return storableText(String(value), MAX_STRING);
}

export interface AuditEntry {
  at: Date;
  userId: string | null;
  username: string | null;
  role: string | null;
  /** The actor's region. */
  regionCode: string | null;
  /** What the mutation acted on; its region is looked up by the row's own INSERT (auditSubject). */
  subject?: AuditSubject | null;
  /** The subject's region before the change, for an edit that may move it (subjectRegionBefore). */
  subjectPriorRegionCode?: string | null;
  /** The other regions the subject touched before the change — a keeper's stores (subjectRegionBefore). */
  subjectPriorOtherRegionCodes?: readonly string[] | null;
  /** What an edit replaced or a removal removed, read before the change (priorValues); kept in the row's input as `prior`. */
  prior?: Record<string, unknown> | null;
  /** What a creation made, by id (noteCreated); kept in the row's input as `created`. */
  created?: Record<string, string> | null;
  operation: string;
  input: unknown;
  outcome: string;
  message: string | null;
}

/**
 * D22: writes one audit row. Called in the transaction of the change it records (so a committed change always has
 * its row), or on its own for a refusal. Every string is made storable and bounded: no input can make it fail.
 */
export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.insert(auditLog).values(storableEntry(e));
}

function storableEntry(e: AuditEntry) {
  const subject = e.subject ?? null;
  // Sweep 23b F3: a quota removeQuota removed has no region after the change: the region it had before.
  const subjectRegion =
    subject?.kind === 'quota' && e.subjectPriorRegionCode
      ? sql`COALESCE(${subjectRegionSql(subject)}, ${e.subjectPriorRegionCode}::varchar)`
      : subjectRegionSql(subject);
  return {
    at: e.at,
    userId: e.userId,
    username: e.username === null ? null : storableText(e.username, 64),
    // D22, D31 (sweep 19c F2): the actor's name as it is now, when the row is written — not looked up on reading, where a
    // later rename (or a name copied from a colleague) would rewrite every past entry. Read by the INSERT itself.
    displayName: sql`(SELECT u.display_name FROM users u WHERE u.id = ${e.userId}::uuid)`,
    role: e.role,
    regionCode: e.regionCode,
    subjectRegionCode: subjectRegion,
    // Kept only where the change moved the subject: the region before, when it is not the region after.
    subjectPriorRegionCode: e.subjectPriorRegionCode ? sql`NULLIF(${e.subjectPriorRegionCode}::varchar, ${subjectRegion})` : sql`NULL::varchar`,
    subjectOtherRegionCodes: subjectOtherRegionsSql(subject, e.subjectPriorOtherRegionCodes ?? []),
    operation: storableText(e.operation, 64),
    // D22 (sweep 23b F1): an edit's row says what it replaced beside the new values: `prior` next to the arguments.
    // D22 (sweep 24b F2): and a creation's row the id of what it made (`created`), which the arguments cannot hold.
    input: summarizeInput(
      (e.prior || e.created) && e.input !== null && typeof e.input === 'object'
        ? { ...(e.input as Record<string, unknown>), ...(e.prior && { prior: e.prior }), ...(e.created && { created: e.created }) }
        : e.input,
    ),
    outcome: storableText(e.outcome, 32),
    // D29 (sweep 20c F7): and in a message — a refusal may name another household's masked number to the keeper.
    message: e.message === null ? null : storableText(withoutIdNumbers(e.message), 500),
  };
}

/**
 * The audit row of the mutation a service runs in (D22), for a service that can write it in its own statement instead
 * of one more round trip (issue 11: a ledger post). The mutation's wrapper writes it when no service did.
 */
export interface PendingAudit {
  entry: AuditEntry;
  written: boolean;
}

/** OK: the mutation committed a change. REPLAYED: the same idempotency key and input again — the first result, no change. */
const AUDIT_OK = 'OK';
export const AUDIT_REPLAYED = 'REPLAYED';

const runningMutation = new AsyncLocalStorage<PendingAudit>();

/** Runs a mutation's resolver with its pending audit row, for noteIdempotentReplay to find. */
function withPendingAudit<T>(pending: PendingAudit, run: () => T): T {
  return runningMutation.run(pending, run);
}

/**
 * D22, API.md idempotency: the running mutation answers with the first result of its idempotency key and changes
 * nothing, so its row says REPLAYED — an auditor counting a key's OK rows counts the change once, and still sees that
 * it was asked again. Called where a replay is decided (server/inventory/idempotency.ts); outside a mutation, no-op.
 */
export function noteIdempotentReplay(): void {
  const pending = runningMutation.getStore();
  if (pending && !pending.written && pending.entry.outcome === AUDIT_OK) pending.entry.outcome = AUDIT_REPLAYED;
}

/**
 * D22: one transaction holding a change and its audit row. `run` gets the transaction and the pending row; a ledger
 * post writes the row in its own statement (pendingAuditInsert), a replay marks it REPLAYED, and otherwise it is
 * written here, last. A refusal rolls both back — the caller audits it on its own. The API's mutations and the demo
 * seed both go through here, so a demo change is journaled exactly as the same change made through the API.
 */
export function auditedTransaction<T>(db: Db, entry: Omit<AuditEntry, 'outcome'>, run: (tx: Db, audit: PendingAudit) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const before = await subjectRegionBefore(tx, entry);
    const prior = await priorValues(tx, entry);
    const audit: PendingAudit = {
      entry: { ...entry, outcome: AUDIT_OK, subjectPriorRegionCode: before.code, subjectPriorOtherRegionCodes: before.others, prior },
      written: false,
    };
    const result = await withPendingAudit(audit, () => run(tx, audit));
    if (!audit.written) await recordAudit(tx, audit.entry);
    return result;
  });
}

/**
 * D22 (sweep 24b F2): the record the running mutation created, by id — `{ userId }` for createUser —, kept in its audit
 * row (`created`, beside the arguments) so that the entry names the new account and later rows about it (an updateUser
 * of that id) can be matched to its creation. Outside a mutation, or once the row is written, no-op.
 */
export function noteCreated(pending: PendingAudit | undefined, created: Record<string, string>): void {
  if (pending && !pending.written) pending.entry.created = { ...pending.entry.created, ...created };
}

/** The INSERT of an audit row, to ride in a data-modifying CTE; marks the row written. */
export function pendingAuditInsert(pending: PendingAudit): SQL {
  pending.written = true;
  const r = storableEntry(pending.entry);
  return sql`INSERT INTO audit_log (at, user_id, username, display_name, role, region_code, subject_region_code, subject_prior_region_code,
                         subject_other_region_codes, operation, input, outcome, message)
    VALUES (${r.at.toISOString()}::timestamptz, ${r.userId}::uuid, ${r.username}::varchar, ${r.displayName}, ${r.role}::varchar, ${r.regionCode}::varchar,
            ${r.subjectRegionCode}, ${r.subjectPriorRegionCode}, ${r.subjectOtherRegionCodes}, ${r.operation}::varchar, ${r.input === null ? null : JSON.stringify(r.input)}::jsonb, ${r.outcome}::varchar, ${r.message}::varchar)`;
}

// ---- what a mutation acted on (D22): an auditor of the region of a store, user, approval … reads the rows about it

type SubjectKind =
  | 'store'
  | 'user'
  | 'approval'
  | 'settlement'
  | 'document'
  | 'transfer'
  | 'transferReceipt'
  | 'order'
  | 'callOff'
  | 'agreement'
  | 'plan'
  | 'incident'
  | 'quota'
  | 'region';

export interface AuditSubject {
  kind: SubjectKind;
  /** The record's id (a UUID), or a region's code. */
  id: string;
  /**
   * D22 (sweep 19c F3): every store and region a list argument names — a keeper's stores (`storeIds`), a 联储
   * agreement's regions (`regionCodes`): the row is theirs too, not only the first one's (subjectOtherRegionsSql).
   */
  storeIds?: readonly string[];
  regionCodes?: readonly string[];
  /**
   * D22 (sweep 24b F5): the accounts a mutation gives a store to — an 安置点's managers (`managerIds`): the row is the
   * regions' of the stores they keep too, so that a keeper's home county reads that its keeper was given a store in
   * another county of the city, and by whom (as an updateUser of the same stores is filed under both).
   */
  userIds?: readonly string[];
}

/**
 * Mutations whose `id` argument names the record they change (and may move to another region, or remove:
 * subjectRegionBefore). Sweep 23b F3: removeQuota's quota too — its row was filed under no region, read by no regional
 * auditor. (updateItem's item is the one catalog of every region: no region to file it under.)
 */
const SUBJECT_OF_ID: Record<string, SubjectKind> = { updateStore: 'store', updateUser: 'user', removeQuota: 'quota' };

/**
 * A receipt acts at the receiving store, not where the transfer came from (sweep 11a F5: a 安置点's receipts were filed
 * under the source county, out of sight of an auditor of the 安置点's township).
 */
const SUBJECT_KIND_OF_OPERATION: Record<string, Partial<Record<SubjectKind, SubjectKind>>> = { receiveTransfer: { transfer: 'transferReceipt' } };

/**
 * The arguments naming a mutation's subject, most specific first: a document names its store, a call-off its plan's
 * incident. Where several are given (a quota's store and region), the first decides. A transfer is recorded under the
 * region it acted from (the source store); a store's region change under both regions (subjectRegionBefore).
 */
const SUBJECT_ARGS: readonly (readonly [string, SubjectKind])[] = [
  ['approvalId', 'approval'],
  ['settlementId', 'settlement'],
  ['documentId', 'document'],
  ['transferId', 'transfer'],
  ['orderId', 'order'],
  ['callOffId', 'callOff'],
  ['agreementId', 'agreement'],
  ['storeId', 'store'],
  ['fromStoreId', 'store'],
  ['planId', 'plan'],
  ['dispatchPlanId', 'plan'],
  ['incidentId', 'incident'],
  ['userId', 'user'],
  ['regionCode', 'region'],
  ['storeIds', 'store'], // a keeper's account: its first store (and every store's region: AuditSubject.storeIds)
  ['regionCodes', 'region'], // a 联储 agreement: its first region (and every region: AuditSubject.regionCodes)
];

/** At most this many of a list argument's stores or regions are looked up for the row (an account keeps a few stores). */
const MAX_LISTED = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REGION_CODE = /^\d{6}(\d{6})?$/;

const renamed = (o: Record<string, string[]>, from: string, to: string): Record<string, string[]> => (o[from] ? { [to]: o[from] } : {});

/** What a mutation acted on, read from its arguments (top level, then `input`); null when they name nothing scoped. */
export function auditSubject(operation: string, args: Record<string, unknown>): AuditSubject | null {
  const input = args.input !== null && typeof args.input === 'object' ? (args.input as Record<string, unknown>) : {};
  const listed = (name: string, valid: (v: string) => string | null) => {
    const raw = [args[name], input[name]].find(Array.isArray) as unknown[] | undefined;
    const values = (raw ?? []).flatMap((v) => (typeof v === 'string' ? (valid(v) ?? []) : []));
    return values.length ? { [name]: [...new Set(values)].slice(0, MAX_LISTED) } : {};
  };
  const lists = {
    ...listed('storeIds', (v) => (UUID.test(v) ? v : null)),
    ...listed('regionCodes', (v) => (REGION_CODE.test(v.trim()) ? normalizeRegionCode(v) : null)),
    ...renamed(
      listed('managerIds', (v) => (UUID.test(v) ? v : null)),
      'managerIds',
      'userIds',
    ),
  };
  const byId = SUBJECT_OF_ID[operation];
  if (byId && typeof args.id === 'string' && UUID.test(args.id)) return { kind: byId, id: args.id, ...lists };
  for (const [name, kind] of SUBJECT_ARGS) {
    for (const source of [args, input]) {
      const raw = source[name];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (typeof value !== 'string') continue;
      if (kind === 'region' && REGION_CODE.test(value.trim())) return { kind, id: normalizeRegionCode(value), ...lists };
      if (kind !== 'region' && UUID.test(value)) return { kind: SUBJECT_KIND_OF_OPERATION[operation]?.[kind] ?? kind, id: value, ...lists };
    }
  }
  return null;
}

/**
 * The subject's region as an expression of the audit row's INSERT: looked up in the same statement (no round trip),
 * null when the record does not exist (a refused create). Ids are checked as UUIDs first: no input makes it fail.
 */
function subjectRegionSql(subject: AuditSubject | null): SQL {
  if (!subject) return sql`NULL::varchar`;
  const id = subject.id;
  const storeRegion = (storeId: SQL) => sql`(SELECT s.region_code FROM stores s WHERE s.id = ${storeId})`;
  switch (subject.kind) {
    case 'region':
      return sql`(SELECT r.code FROM regions r WHERE r.code = ${id}::varchar)`;
    case 'store':
      return storeRegion(sql`${id}::uuid`);
    case 'user':
      return sql`(SELECT COALESCE(u.region_code, ${keeperRegionSql(sql`u.id`)}) FROM users u WHERE u.id = ${id}::uuid)`;
    case 'approval':
      return sql`(SELECT a.region_code FROM approvals a WHERE a.id = ${id}::uuid)`;
    case 'settlement':
      return sql`(SELECT x.owed_to_region FROM settlements x WHERE x.id = ${id}::uuid)`;
    case 'document':
      return storeRegion(sql`(SELECT d.store_id FROM documents d WHERE d.id = ${id}::uuid)`);
    case 'transfer':
      return storeRegion(sql`(SELECT t.from_store_id FROM transfers t WHERE t.id = ${id}::uuid)`);
    case 'transferReceipt':
      return storeRegion(sql`(SELECT t.to_store_id FROM transfers t WHERE t.id = ${id}::uuid)`);
    case 'order':
      return storeRegion(sql`(SELECT o.store_id FROM outbound_orders o WHERE o.id = ${id}::uuid)`);
    case 'agreement':
      return sql`(SELECT a.region_code FROM agreements a WHERE a.id = ${id}::uuid)`;
    case 'incident':
      return sql`(SELECT i.region_code FROM incidents i WHERE i.id = ${id}::uuid)`;
    case 'quota':
      // D19: a store's quota is the store's region's, a region's quota that region's.
      return sql`(SELECT COALESCE(${storeRegion(sql`q.store_id`)}, q.region_code) FROM quotas q WHERE q.id = ${id}::uuid)`;
    case 'plan':
      return sql`(SELECT i.region_code FROM dispatch_plans p JOIN incidents i ON i.id = p.incident_id WHERE p.id = ${id}::uuid)`;
    case 'callOff':
      return sql`(SELECT i.region_code FROM call_offs c JOIN dispatch_plans p ON p.id = c.plan_id JOIN incidents i ON i.id = p.incident_id
                   WHERE c.id = ${id}::uuid)`;
  }
}

/**
 * D22 (sweep 19c F3): the regions besides subject_region_code that what the mutation acted on touches, whose auditors
 * read the row too — a region's auditor must see a change to its own stock, debts and stores whichever region the row
 * is filed under:
 * - a keeper's account: the region of every store they keep (a 新乡 store and a 晋城 store: both cities);
 * - a settlement: the owing region beside the one owed (settle marks the owing region's debt paid);
 * - a dispatch plan, its call-offs and its approvals (consent, written approval): every region the plan touches
 *   (planRegionsSql) — the stores whose stock it takes above all;
 * - and every store and region a list argument names (a keeper's storeIds, a 联储 agreement's regionCodes).
 * Other subjects (a store, a document, a transfer, an order …) add nothing: no subquery at all then, so a ledger post's
 * row costs what it did. `prior`: the regions the subject touched before the change (subjectRegionBefore). An
 * expression of the row's own INSERT (no round trip); sorted, without the subject's region; null when nothing is left.
 */
function subjectOtherRegionsSql(subject: AuditSubject | null, prior: readonly string[]): SQL {
  const parts: SQL[] = [];
  const own = subject && otherRegionsOfSubjectSql(subject);
  if (own) parts.push(own);
  if (subject?.storeIds?.length) parts.push(sql`ARRAY(SELECT s.region_code FROM stores s WHERE s.id IN (${uuidList(subject.storeIds)}))`);
  if (subject?.regionCodes?.length) parts.push(sql`ARRAY(SELECT r.code FROM regions r WHERE r.code IN (${varcharList(subject.regionCodes)}))`);
  // The accounts' scope as the row is written: a keeper's stores (the one just given among them), another's region.
  if (subject?.userIds?.length) {
    parts.push(sql`ARRAY(SELECT s.region_code FROM user_stores us JOIN stores s ON s.id = us.store_id WHERE us.user_id IN (${uuidList(subject.userIds)})
                         UNION SELECT u.region_code FROM users u WHERE u.id IN (${uuidList(subject.userIds)}) AND u.region_code IS NOT NULL)`);
  }
  if (prior.length) parts.push(sql`ARRAY[${varcharList(prior)}]::varchar[]`);
  if (!parts.length) return sql`NULL::varchar[]`;
  return sql`(SELECT array_agg(DISTINCT c.code ORDER BY c.code) FROM unnest(${sql.join(parts, sql` || `)}) AS c(code)
               WHERE c.code IS NOT NULL AND c.code IS DISTINCT FROM ${subjectRegionSql(subject)})`;
}

const varcharList = (values: readonly string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}::varchar`),
    sql`, `,
  );

/** The regions a subject of its kind touches besides its own (subjectOtherRegionsSql), as a varchar[]; null: none. */
function otherRegionsOfSubjectSql(subject: AuditSubject): SQL | null {
  const id = subject.id;
  switch (subject.kind) {
    case 'user':
      return sql`ARRAY(SELECT s.region_code FROM user_stores us JOIN stores s ON s.id = us.store_id WHERE us.user_id = ${id}::uuid)`;
    case 'settlement':
      return sql`ARRAY(SELECT x.owed_by_region FROM settlements x WHERE x.id = ${id}::uuid)`;
    case 'plan':
      return planRegionsSql(sql`${id}::uuid`);
    case 'callOff':
      return planRegionsSql(sql`(SELECT c.plan_id FROM call_offs c WHERE c.id = ${id}::uuid)`);
    case 'approval':
      // A plan's approval, its written approval after an emergency, another region's consent: the plan's regions.
      return sql`COALESCE((SELECT ${planRegionsSql(sql`a.subject_id`)} FROM approvals a
                            WHERE a.id = ${id}::uuid AND a.kind::text IN (${varcharList(PLAN_APPROVAL_KINDS)})), ARRAY[]::varchar[])`;
    default:
      return null;
  }
}

/**
 * D15, D22, D25: the regions a dispatch plan touches — its incident's, its jurisdiction's (whose plan it is), its
 * destinations', and those of the stores and agreement companies it takes stock from (another region's stock leaving
 * under a 联储 agreement or by consent: that region's auditors see who asked for it, approved and shipped it).
 */
function planRegionsSql(planId: SQL): SQL {
  return sql`(SELECT ARRAY(SELECT i.region_code FROM dispatch_plans p JOIN incidents i ON i.id = p.incident_id WHERE p.id = q.id
                           UNION SELECT p.jurisdiction_code FROM dispatch_plans p WHERE p.id = q.id
                           UNION SELECT d.region_code FROM dispatch_destinations d WHERE d.plan_id = q.id
                           UNION SELECT s.region_code FROM dispatch_lines l JOIN stores s ON s.id = l.store_id WHERE l.plan_id = q.id
                           UNION SELECT g.region_code FROM dispatch_lines l JOIN agreements g ON g.id = l.agreement_id WHERE l.plan_id = q.id)
                FROM (SELECT ${planId} AS id) q)`;
}

/**
 * D22 (sweep 12c C6): an edit of a record that can move it to another region — a store's region, a user's region or
 * stores (SUBJECT_OF_ID) — is read by the auditors of the region it left as well as of the one it reached: otherwise
 * a store moved out of a township vanishes from the township's log without a trace. The record's region before the
 * change, read in the change's transaction before the change runs; the row keeps it where it differs from the region
 * after (storableEntry). Likewise the other regions it touched before (sweep 19c F3: a keeper's stores — a 晋城 store
 * taken from a keeper is 晋城's auditor's to see). Other mutations do not move their subject: no extra statement for
 * them (a ledger post).
 */
async function subjectRegionBefore(tx: Db, entry: Omit<AuditEntry, 'outcome'>): Promise<{ code: string | null; others: string[] }> {
  const subject = entry.subject;
  if (!subject || SUBJECT_OF_ID[entry.operation] !== subject.kind) return { code: null, others: [] };
  const others = otherRegionsOfSubjectSql(subject);
  // As text: the drivers read arrays differently.
  const [row] = await queryRows<{ code: string | null; others: string | null }>(
    tx,
    sql`SELECT ${subjectRegionSql(subject)} AS code, ${others ? sql`array_to_string(${others}, ',')` : sql`NULL::text`} AS others`,
  );
  return { code: row?.code ?? null, others: row?.others ? row.others.split(',') : [] };
}

// ---- what an edit replaced (D22, sweep 23b F1): the values before the change, beside the new ones

/** An id or region code argument as the prior reads take it: well-formed, or nothing is read (no input makes it fail). */
const uuidArg = (v: unknown): string | null => (typeof v === 'string' && UUID.test(v) ? v : null);
const regionArg = (v: unknown): string | null => (typeof v === 'string' && REGION_CODE.test(v.trim()) ? normalizeRegionCode(v) : null);
const inputArg = (args: Record<string, unknown>): Record<string, unknown> =>
  args.input !== null && typeof args.input === 'object' ? (args.input as Record<string, unknown>) : {};

interface PriorRead {
  /** One row, one column `prior`: the record's values as jsonb, keyed as the mutation's input names them; no row: nothing to replace. */
  select: SQL;
  /** The new values the prior ones are compared with (the mutation's input); none: a removal, whose prior is kept whole. */
  changes?: Record<string, unknown>;
}

/** An edit of the record its `id` argument names: `select` reads it; the input holds the new values. */
const editOf = (args: Record<string, unknown>, select: (id: string) => SQL): PriorRead | null => {
  const id = uuidArg(args.id);
  return id ? { select: select(id), changes: inputArg(args) } : null;
};

/**
 * The edits in place and removals, and how to read what they replace: in the change's transaction, before it runs,
 * the row locked (FOR UPDATE) so that no concurrent edit comes between the read and the change. Creations and ledger
 * posts replace nothing (D22: corrections are reversing entries) and read nothing.
 */
const PRIOR_READS: Record<string, (args: Record<string, unknown>) => PriorRead | null> = {
  // Never the password (isSecretField): a new one is a change the row already shows as 「***」.
  updateUser: (args) =>
    editOf(
      args,
      (id) => sql`SELECT jsonb_build_object('displayName', u.display_name, 'role', u.role, 'regionCode', u.region_code, 'active', u.active,
                        'storeIds', ARRAY(SELECT us.store_id::text FROM user_stores us WHERE us.user_id = u.id ORDER BY 1))::text AS prior
                        FROM users u WHERE u.id = ${id}::uuid FOR UPDATE OF u`,
    ),
  updateStore: (args) =>
    editOf(
      args,
      (id) => sql`SELECT jsonb_build_object('code', s.code, 'name', s.name, 'regionCode', s.region_code, 'kind', s.kind,
                        'location', jsonb_build_object('lat', s.lat, 'lng', s.lng), 'address', s.address, 'contactName', s.contact_name,
                        'contactPhone', s.contact_phone, 'operatorName', (SELECT o.name FROM organizations o WHERE o.id = s.operator_org_id))::text AS prior
                        FROM stores s WHERE s.id = ${id}::uuid FOR UPDATE OF s`,
    ),
  updateItem: (args) =>
    editOf(
      args,
      (id) => sql`SELECT jsonb_build_object('code', i.code, 'name', i.name, 'categoryCode', i.category_code, 'spec', i.spec, 'unit', i.unit,
                        'gbCode', i.gb_code, 'referencePrice', i.reference_price::text, 'storageLifeMonths', i.storage_life_months,
                        'rotationLeadMonths', i.rotation_lead_months, 'recovery', jsonb_build_object('kind', i.recovery_kind, 'months', i.recovery_months))::text AS prior
                        FROM items i WHERE i.id = ${id}::uuid FOR UPDATE OF i`,
    ),
  // D19: an existing quota of the store (or region) and item is replaced; none: a new one, nothing replaced.
  upsertQuota: (args) => {
    const input = inputArg(args);
    const item = uuidArg(input.itemId);
    const store = uuidArg(input.storeId);
    const region = regionArg(input.regionCode);
    if (!item || (!store && !region)) return null;
    const target = store ? sql`q.store_id = ${store}::uuid` : sql`q.region_code = ${region}::varchar`;
    return {
      select: sql`SELECT jsonb_build_object('quantity', q.quantity)::text AS prior FROM quotas q WHERE q.item_id = ${item}::uuid AND ${target} FOR UPDATE`,
      changes: input,
    };
  },
  // Sweep 23b F3: what was removed — the item, the store or region, the quantity.
  removeQuota: (args) => {
    const id = uuidArg(args.id);
    return id
      ? {
          select: sql`SELECT jsonb_build_object('itemId', q.item_id, 'storeId', q.store_id, 'regionCode', q.region_code, 'quantity', q.quantity)::text AS prior
                        FROM quotas q WHERE q.id = ${id}::uuid FOR UPDATE`,
        }
      : null;
  },
  upsertReliefStandard: (args) => {
    const input = inputArg(args);
    const item = uuidArg(input.itemId);
    const region = regionArg(input.regionCode);
    if (!item || !region) return null;
    return {
      select: sql`SELECT jsonb_build_object('perPerson', r.per_person::float8, 'perHousehold', r.per_household)::text AS prior
                    FROM relief_standards r WHERE r.item_id = ${item}::uuid AND r.region_code = ${region}::varchar FOR UPDATE`,
      changes: input,
    };
  },
  setTravelTime: (args) => {
    const store = uuidArg(args.storeId);
    const region = regionArg(args.regionCode);
    if (!store || !region) return null;
    return {
      select: sql`SELECT jsonb_build_object('hours', t.hours)::text AS prior
                    FROM travel_times t WHERE t.store_id = ${store}::uuid AND t.region_code = ${region}::varchar FOR UPDATE`,
      changes: args,
    };
  },
};

/** A value as an edit's comparison takes it: text trimmed, a number's text a number, a region code normalized, a list of ids as a set. */
function comparable(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return comparable(key, json.call(value));
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^regionCodes?$/.test(key) && REGION_CODE.test(text)) return normalizeRegionCode(text);
    return text !== '' && Number.isFinite(Number(text)) ? Number(text) : UUID.test(text) ? text.toLowerCase() : text;
  }
  if (Array.isArray(value)) return value.map((v) => comparable(key, v)).sort();
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]): [string, unknown] => [k, comparable(k, v)]);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  return value;
}

/**
 * D22 (sweep 23b F1): what an edit in place replaced — of the fields its input sets, those whose value it changes, as
 * they were (`{ role: "AUDITOR" }` beside the input's `role: "DISPATCHER"`) —, or what a removal removed (whole). Read
 * in the change's transaction before it runs (PRIOR_READS); null for every other mutation, for a new record, and for an
 * edit that changes nothing. Only the changed fields: the row stays the size of the edit.
 */
async function priorValues(tx: Db, entry: Omit<AuditEntry, 'outcome'>): Promise<Record<string, unknown> | null> {
  const read = entry.input !== null && typeof entry.input === 'object' ? PRIOR_READS[entry.operation]?.(entry.input as Record<string, unknown>) : null;
  if (!read) return null;
  const [row] = await queryRows<{ prior: string | null }>(tx, read.select);
  if (!row?.prior) return null;
  const before = JSON.parse(row.prior) as Record<string, unknown>;
  if (!read.changes) return before;
  const changes = read.changes;
  const changed = Object.entries(before).filter(
    ([key, value]) => key in changes && !isSecretField(key) && JSON.stringify(comparable(key, value)) !== JSON.stringify(comparable(key, changes[key])),
  );
  return changed.length ? Object.fromEntries(changed) : null;
}

/**
 * The region a keeper's account belongs to in the audit (D22): the smallest region holding every store they keep — a
 * county store and 安置点 in two of its townships → the county. An auditor reads a keeper's entries where all their
 * stores lie, not a township's auditor a county store's business because the keeper also manages a 安置点 there (M1,
 * sweep 3: it was the first store by code, which was arbitrary). Null without stores, or for stores in two provinces.
 * `userId`: the user's id as SQL.
 */
function keeperRegionSql(userId: SQL): SQL {
  const common = [...PREFIX_LENGTHS].reverse().map((n) => sql`WHEN count(DISTINCT left(s.region_code, ${n}::int)) = 1 THEN ${n}::int`);
  return sql`(SELECT NULLIF(rpad(left(min(s.region_code), CASE ${sql.join(common, sql` `)} ELSE 0 END), 12, '0'), '000000000000')
                FROM user_stores us JOIN stores s ON s.id = us.store_id WHERE us.user_id = ${userId})`;
}

/** The region an audit row belongs to: the user's region, a keeper's stores' (keeperRegionSql). */
export async function auditRegion(db: Db, user: Principal): Promise<string | null> {
  if (user.regionCode) return user.regionCode;
  const [row] = await queryRows<{ region_code: string | null }>(db, sql`SELECT ${keeperRegionSql(sql`${user.id}::uuid`)} AS region_code`);
  return row?.region_code ?? null;
}

/**
 * D22: the account a login names, as login finds it (any case, trimmed): its id — so that the row reads who signed in,
 * or whose login was tried, by name (AuditEntry.displayName) — and its region, whose auditors read the row. Null for a
 * name with no account.
 */
export async function accountOfLogin(db: Db, username: string): Promise<{ id: string; regionCode: string | null } | null> {
  if (username.length > 64) return null;
  const [row] = await queryRows<{ id: string; region_code: string | null }>(
    db,
    sql`SELECT u.id::text, COALESCE(u.region_code, ${keeperRegionSql(sql`u.id`)}) AS region_code FROM users u
         WHERE lower(u.username) = lower(${username.trim()})`,
  );
  return row ? { id: row.id, regionCode: row.region_code } : null;
}

/**
 * The name a login tried, as its audit row keeps it (README: passwords are never logged): whole when an account has it
 * (accountOfLogin) — an administrator sees the attempts against each account —, else only its first character and its
 * length (「D*********」): a name no account has is often a password typed into the username field (sweep 12b F6).
 */
export function loggedLoginName(username: string, account: { id: string } | null): string {
  if (account) return username;
  const chars = Array.from(username);
  return `${chars[0] ?? ''}${'*'.repeat(Math.max(chars.length - 1, 0))}`;
}

export interface AuditFilter {
  from?: Date | null;
  to?: Date | null;
  username?: string | null;
  operation?: string | null;
  outcome?: string | null;
  regionCode?: string | null;
}

/**
 * Auditors and administrators read the log of actors in their region and of what was done to their region's records
 * (D22; an unscoped administrator: all).
 */
export async function listAuditLog(ctx: ServiceContext, f: AuditFilter, page: PageArgs) {
  const { db, actor: user } = ctx;
  if (user.role !== 'AUDITOR' && user.role !== 'ADMIN') throw forbidden('审计日志');
  const req = pageRequest(page, 'auditLog', ['int']);
  assertPeriodOrder(f.from, f.to, 'filter.to');
  const where: (SQL | undefined)[] = [];
  if (f.regionCode) {
    const region = await getRegionInScope(db, user, f.regionCode);
    const prefix = `${subtreePrefix(region.code)}%`;
    where.push(
      sql`(${auditLog.regionCode} LIKE ${prefix} OR ${auditLog.subjectRegionCode} LIKE ${prefix} OR ${auditLog.subjectPriorRegionCode} LIKE ${prefix}
           OR EXISTS (SELECT 1 FROM unnest(${auditLog.subjectOtherRegionCodes}) AS o(code) WHERE o.code LIKE ${prefix}))`,
    );
  }
  where.push(
    auditEntriesInScope(
      user,
      auditLog.regionCode,
      [auditLog.subjectRegionCode, auditLog.subjectPriorRegionCode],
      auditLog.subjectOtherRegionCodes,
      auditLog.operation,
    ),
  );
  if (f.from) where.push(gte(auditLog.at, f.from));
  if (f.to) where.push(lte(auditLog.at, f.to));
  if (f.username) where.push(eq(auditLog.username, f.username));
  if (f.operation) where.push(eq(auditLog.operation, f.operation));
  if (f.outcome) where.push(eq(auditLog.outcome, f.outcome));
  const [afterId] = (req.after ?? []) as number[];
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where, req.after ? lt(auditLog.id, Number(afterId)) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(req.limit + 1);
  return toPage(
    rows,
    req,
    (r) => [r.id],
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(auditLog)
        .where(and(...where));
      return r.n;
    },
  );
}

// ---- what an entry's input names (sweep 22c F7): the records behind its ids, for a person reading the log

/** The kinds of record an entry's input names by id (or, a region, by code) that the log names for its reader. */
export const AUDIT_REFERENCE_KINDS = ['STORE', 'ITEM', 'INCIDENT', 'DOCUMENT', 'BATCH', 'TRANSFER', 'REGION', 'USER'] as const;
export type AuditReferenceKind = (typeof AUDIT_REFERENCE_KINDS)[number];

/** Input fields naming a record, by field name (a list field: each of its elements). */
const REFERENCE_FIELDS: Readonly<Record<string, AuditReferenceKind>> = {
  storeId: 'STORE',
  fromStoreId: 'STORE',
  toStoreId: 'STORE',
  storeIds: 'STORE',
  itemId: 'ITEM',
  incidentId: 'INCIDENT',
  documentId: 'DOCUMENT',
  batchId: 'BATCH',
  transferId: 'TRANSFER',
  regionCode: 'REGION',
  regionCodes: 'REGION',
  // Sweep 24b F2: the account a user change acted on (updateUser's `id`, below) or a creation made (`created.userId`),
  // and the managers an 安置点 is given (openDistributionPoint's managerIds).
  userId: 'USER',
  managerIds: 'USER',
};

/** One record an entry's input names: where (the input's JSON path, 「input.lines.0.itemId」), what kind, and its id. */
export interface AuditReference {
  field: string;
  kind: AuditReferenceKind;
  /** The id as the input gave it (a region: its code, normalized). */
  id: string;
}

/**
 * The records an audit entry's input (as the log keeps it, summarizeInput) names by id, in the order it keeps them — a
 * store, an item per line, an incident, a document … —, plus the store an edit by `id` changes (SUBJECT_OF_ID). Only
 * well-formed ids are named (a refused input may hold anything); at most MAX_LISTED.
 */
export function auditReferences(operation: string, input: unknown): AuditReference[] {
  const found: AuditReference[] = [];
  const add = (field: string, kind: AuditReferenceKind, value: unknown) => {
    if (typeof value !== 'string' || found.length >= MAX_LISTED) return;
    if (kind === 'REGION') {
      if (REGION_CODE.test(value.trim())) found.push({ field, kind, id: normalizeRegionCode(value) });
    } else if (UUID.test(value)) found.push({ field, kind, id: value.toLowerCase() });
  };
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}.${i}`));
    else if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        const at = path ? `${path}.${key}` : key;
        const kind = REFERENCE_FIELDS[key];
        if (kind && Array.isArray(v)) v.forEach((e, i) => add(`${at}.${i}`, kind, e));
        else if (kind) add(at, kind, v);
        else walk(v, at);
      }
    }
  };
  const byId = SUBJECT_OF_ID[operation];
  const refOfId = byId === 'store' ? 'STORE' : byId === 'user' ? 'USER' : null;
  if (refOfId && input !== null && typeof input === 'object') add('id', refOfId, (input as Record<string, unknown>).id);
  walk(input, '');
  return found;
}
