import { GraphQLError } from 'graphql';
import { pgError } from '../../drizzle/client.ts';
import { DomainError, ERROR_CODES, isDomainError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { errorContext } from './logging.ts';
import { literalField, refusalInChinese, variableFields } from './coercion-messages.ts';

// The edge's one mapping of failures: domain errors keep their code and details; GraphQL's own (syntax,
// validation, coercion) are the client's bad input; a value PostgreSQL refuses as data is bad input too;
// anything else is logged once with its cause and masked.

const API_CODES: ReadonlySet<string> = new Set(ERROR_CODES);
export const MASKED_MESSAGE = '服务器内部错误，请稍后重试';

const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof GraphQLError;

const NUMERIC_OUT_OF_RANGE = '22003';
const INT_MAX = 2_147_483_647;

/** The answer's fields an Int sum may overflow, as a keeper calls them; any other field is 该数值. */
const ANSWER_WORDS: Record<string, string> = {
  quantity: '数量',
  totalQuantity: '合计数量',
  available: '可用数量',
  inTransitQuantity: '在途数量',
  onHand: '库存数量',
  reserved: '预留数量',
  inTransit: '在途数量',
  received: '已收数量',
  returned: '已交回数量',
  pending: '待审批数量',
  outstanding: '未回收数量',
  withHouseholds: '在群众手中的数量',
  requested: '需求数量',
  planned: '计划数量',
  shipped: '已发数量',
  distributed: '已发放数量',
  recovered: '已回收数量',
  receivedQuantity: '入库数量',
  issuedQuantity: '出库数量',
  // reserveGaps (sweep 18c F1): a region's stock against its quota.
  physical: '实物储备数量',
  agreementCommitted: '协议承储数量',
};

/** Reads whose figures an export (/exports/…) lists in full: the refusal points there. */
const EXPORTED: ReadonlySet<string> = new Set(['valuation', 'rotationDue', 'rotationPlan', 'stock', 'journal', 'reserveGaps']);

/**
 * An answer's figure beyond what an API Int carries (graphql-js's or graphql-jit's serialisation of an Int field
 * refused it: an error with a path into the answer, never one of an input, which is refused before execution). A sum
 * over many stores or batches may pass 2,147,483,647 although each balance is below it (sweeps 14b F1, 15a F10:
 * valuation grouped by item over 21 × 100,000,000 bags): the request was fine, so it is not BAD_USER_INPUT, but the state
 * of the books cannot be told in this field — INVALID_STATE, saying which figure and how large (its exact digits in
 * `value`), and how to read it otherwise. A capped or wrapped figure would be a wrong one. Null for any other error.
 */
function answerBeyondInt(e: GraphQLError): DomainError | null {
  if (!e.path?.length) return null;
  const m = /^Int cannot represent non 32-bit signed integer value: (-?\d+)$/.exec(e.message);
  if (!m) return null;
  const field = [...e.path].reverse().find((p): p is string => typeof p === 'string') ?? '';
  const words = ANSWER_WORDS[field] ?? '该数值';
  const below = m[1].startsWith('-');
  const limit = below ? -INT_MAX - 1 : INT_MAX;
  const exported = EXPORTED.has(String(e.path[0]));
  return new DomainError(
    'INVALID_STATE',
    `${words}为 ${Number(m[1]).toLocaleString('en-US')}，${below ? '低于' : '超过'}接口能表示的${below ? '最小' : '最大'}整数 ${limit.toLocaleString('en-US')}，此项无法在查询中答出：请缩小范围查询（按下级区划、按仓库或按物资）${exported ? '，或用导出报表查看完整数字' : ''}`,
    { value: m[1], limit },
  );
}

/**
 * SQLSTATE class 22 (data exception: a value out of range, too long, an untranslatable character) means input that
 * validation let through: the client's bad input, and a gap to close in validation (logged as a warning). Not 22003
 * (numeric value out of range): every input number is bounded by validation and every balance by posting
 * (posting.ts balanceOverflow), so an overflow is a figure of ours — a sum cast too narrow — an internal failure,
 * logged and masked, its SQLSTATE not told (sweeps 14b F1, 15a F10: neighbourStock answered BAD_USER_INPUT, sqlState 22003).
 */
function dataException(error: unknown): DomainError | null {
  const { code } = pgError(error);
  if (!code?.startsWith('22') || code === NUMERIC_OUT_OF_RANGE) return null;
  return new DomainError('BAD_USER_INPUT', '输入的值超出允许范围或格式不被接受', { sqlState: code });
}

export interface ErrorContext {
  operation?: string | null;
  operationType?: string | null;
  user?: string | null;
  role?: string | null;
  requestId?: string | null;
  route?: string;
}

/** The domain error behind a failure, if any (including one mapped from a data exception). */
export function domainErrorOf(error: unknown, log?: Logger, context: ErrorContext = {}): DomainError | null {
  const original = isGraphQLError(error) && error.originalError ? error.originalError : error;
  if (isDomainError(original)) return original;
  const mapped = dataException(original);
  if (mapped && log)
    log.warn('input refused by the database', { ...errorContext(), ...context, sqlState: mapped.details.sqlState, cause: pgError(original).message });
  return mapped;
}

/**
 * GraphQL's own refusal (syntax, validation, a value that does not coerce) as the client receives it: coded
 * (BAD_USER_INPUT unless it carries an API code already), and a value refusal in the user's words naming its field
 * (coercion-messages.ts). Validation errors reach the client without maskError: app.ts maps them here too.
 */
export function codedGraphQLError(e: GraphQLError): GraphQLError {
  const code = API_CODES.has(e.extensions?.code as string) ? (e.extensions.code as ErrorCode) : 'BAD_USER_INPUT';
  // A refused variable is named by the argument it was passed as: the document is read again for it (bad input only).
  const fields = code === 'BAD_USER_INPUT' && e.source && e.message.startsWith('Variable "$') ? variableFields(e.source.body) : null;
  // A value written in the query itself is named alike, by the argument and fields it was given for.
  const source = e.source?.body;
  const at = e.positions?.[0];
  const literal = () => (source !== undefined && at !== undefined ? literalField(source, at) : null);
  const chinese = code === 'BAD_USER_INPUT' ? refusalInChinese(e.message, (name) => fields?.get(name) ?? name, literal) : null;
  // yoga puts its JSON parser's own error (English internals: `SyntaxError: Unexpected end of JSON input …`) into
  // extensions.originalError; the client gets the coded Chinese refusal only (admin-auth sweep #11).
  const { http, originalError: _parserError, ...extensions } = (e.extensions ?? {}) as Record<string, unknown>;
  const coded: Record<string, unknown> = { ...extensions, code, ...(chinese?.field ? { field: chinese.field } : {}) };
  // Refused before execution, so no data: bad input is HTTP 400 whichever executor (compiled or not) refused it and
  // whatever the client accepts — yoga's own validation hint (`spec`) would answer 200 to application/json. yoga reads
  // the status from extensions.http and strips it from the body.
  const hint = http as { status?: number } | undefined;
  if (code === 'BAD_USER_INPUT') coded.http = { ...hint, spec: false, status: hint?.status ?? 400 };
  else if (http) coded.http = http;
  return new GraphQLError(chinese?.message ?? e.message, {
    nodes: e.nodes,
    source: e.source,
    positions: e.positions,
    path: e.path,
    extensions: coded,
  });
}

/** The error a GraphQL client receives (yoga's maskError). */
export function toClientError(error: unknown, log: Logger, context: ErrorContext = {}): GraphQLError {
  const located = isGraphQLError(error) ? error : null;
  const domain = domainErrorOf(error, log, context);
  if (domain) {
    return new GraphQLError(domain.message, { nodes: located?.nodes, path: located?.path, extensions: { code: domain.code, ...domain.details } });
  }
  const beyond = located && answerBeyondInt(located);
  if (beyond) {
    log.warn('answer beyond Int', { ...errorContext(), ...context, path: located.path?.join('.'), value: beyond.details.value });
    return new GraphQLError(beyond.message, { nodes: located.nodes, path: located.path, extensions: { code: beyond.code, ...beyond.details } });
  }
  // Syntax, validation and coercion errors, and the edge's own coded refusals (limits, rate limits).
  if (located && (!located.originalError || isGraphQLError(located.originalError))) return codedGraphQLError(located);
  logUnexpected(error, log, context);
  return new GraphQLError(MASKED_MESSAGE, { nodes: located?.nodes, path: located?.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** drizzle puts a failed statement's parameters into its message (and so its stack): passwords, tokens, hashes. */
const withoutParameters = (text: string) => text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, '\nparams: [not logged]');

/** Logs an unexpected failure once: who, which request and operation, and the database's own reason. */
export function logUnexpected(error: unknown, log: Logger, context: ErrorContext = {}) {
  const original = isGraphQLError(error) && error.originalError ? error.originalError : error;
  const db = pgError(original);
  log.error('unexpected error', {
    ...errorContext(),
    ...context,
    error: withoutParameters(original instanceof Error ? original.message : String(original)),
    sqlState: db.code,
    cause: db.message,
    stack: original instanceof Error && original.stack ? withoutParameters(original.stack) : undefined,
  });
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  INVALID_STATE: 409,
  IDEMPOTENCY_CONFLICT: 409,
  INSUFFICIENT_STOCK: 409,
  RATE_LIMITED: 429,
};

/** The status and JSON body of a failed plain-HTTP request (exports, uploads). */
export function httpError(error: unknown, log: Logger, context: ErrorContext = {}) {
  const domain = domainErrorOf(error, log, context);
  if (domain) return { status: HTTP_STATUS[domain.code] ?? 400, body: { error: { code: domain.code, message: domain.message, ...domain.details } } };
  logUnexpected(error, log, context);
  return { status: 500, body: { error: { code: 'INTERNAL_SERVER_ERROR', message: MASKED_MESSAGE } } };
}
