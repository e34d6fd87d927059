import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type DocumentNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { createComplexityRule, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from '../config.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination.ts';

// API.md The edge: every limit on a GraphQL document, checked before execution, in this one file. A refused request
// answers BAD_USER_INPUT at once: the lexical limits before the parser recurses, the structural ones (depth,
// aliases, directives) before the standard validation rules run, and the cost once the document is known valid;
// no context is built, so nothing reaches the database or a resolver.

/** The refusal a client reads: Chinese first, the limit and what was found in extensions. */
export function limitRefusal(message: string, details: { limit: string; max?: number; found?: number }): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...details, http: { status: 400 } } });
}

const isRefusal = (e: unknown): e is GraphQLError =>
  e instanceof Error && e.name === 'GraphQLError' && typeof (e as GraphQLError).extensions?.limit === 'string';

// Parser safety: graphql-js parses recursively and overflows the stack at ~1,500 nested brackets, well inside any
// sensible token limit, so nesting is bounded lexically (the lexer does not recurse) before the parser runs.
const nestingLimit = (limits: QueryLimits) => Math.max(64, 4 * limits.maxDepth);

const OPENING = new Set<string>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<string>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/** Counts tokens and bracket nesting without recursing; stops at the first limit exceeded. */
function checkLexically(source: string | Source, limits: QueryLimits): void {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  const maxNesting = nestingLimit(limits);
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > limits.maxTokens) {
        throw limitRefusal(`查询过长（最多 ${limits.maxTokens} 个词法单元）`, { limit: 'tokens', max: limits.maxTokens });
      }
      if (OPENING.has(token.kind) && ++nesting > maxNesting) {
        throw limitRefusal(`查询嵌套过深（括号最多 ${maxNesting} 层）`, { limit: 'nesting', max: maxNesting });
      } else if (CLOSING.has(token.kind)) nesting--;
    }
  } catch (error) {
    if (isRefusal(error)) throw error;
    // A syntax error: the parser reports it with its location.
  }
}

/** Whatever still overflows the stack in parse or validate is a document too complex to accept, not a server fault. */
const tooComplex = () => limitRefusal('查询结构过于复杂，无法处理', { limit: 'complexity' });

// The armor rules report through onReject; their English message carries what was found.
const found = (error: GraphQLError) => {
  const m = /found (\d+)/.exec(error.message);
  return m ? Number(m[1]) : undefined;
};

function armorOptions(limit: string, max: number, message: (n: number | undefined) => string) {
  return {
    n: max,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (ctx: ValidationContext | null, error: GraphQLError) => {
        const n = found(error);
        ctx?.reportError(limitRefusal(message(n), { limit, max, found: n }));
      },
    ],
  };
}

/** API.md: at most `max` directives on one field (or fragment); @include and @skip together are never needed. */
function directivesPerFieldRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let reported = false;
    const check = (node: { directives?: readonly unknown[] }) => {
      const n = node.directives?.length ?? 0;
      if (n > max && !reported) {
        reported = true;
        context.reportError(limitRefusal(`每个字段最多 ${max} 个指令（实际 ${n} 个）`, { limit: 'directivesPerField', max, found: n }));
      }
    };
    return { Field: check, FragmentSpread: check, InlineFragment: check };
  };
}

// graphql-js's OverlappingFieldsCanBeMerged compares every pair of fields that answer at the same response path:
// `me { username }` repeated 1,200 times (well inside the token limit) costs a second of CPU. No client needs a
// field more than a few times at one path (a fragment may repeat one), so more is refused before that rule runs.
export const MAX_FIELDS_PER_PATH = 10;

/** At most MAX_FIELDS_PER_PATH fields at one response path, counted through fragments. */
function repeatedFieldsRule(limits: QueryLimits): ValidationRule {
  const maxWork = 20 * limits.maxTokens;
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const counts = new Map<string, number>();
      let work = 0;
      const walk = (set: SelectionSetNode, path: string, fragments: readonly string[]): GraphQLError | null => {
        for (const selection of set.selections) {
          if (++work > maxWork) return tooComplex();
          let refusal: GraphQLError | null = null;
          if (selection.kind === Kind.FIELD) {
            const key = `${path}.${(selection.alias ?? selection.name).value}`;
            const n = (counts.get(key) ?? 0) + 1;
            counts.set(key, n);
            if (n > MAX_FIELDS_PER_PATH) {
              return limitRefusal(`同一字段重复过多：${key.slice(1)}（同一位置最多 ${MAX_FIELDS_PER_PATH} 次）`, {
                limit: 'repeatedField',
                max: MAX_FIELDS_PER_PATH,
                found: n,
              });
            }
            if (selection.selectionSet) refusal = walk(selection.selectionSet, key, fragments);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            refusal = walk(selection.selectionSet, path, fragments);
          } else if (!fragments.includes(selection.name.value)) {
            const fragment = context.getFragment(selection.name.value);
            if (fragment) refusal = walk(fragment.selectionSet, path, [...fragments, selection.name.value]);
          }
          if (refusal) return refusal;
        }
        return null;
      };
      const refusal = walk(operation.selectionSet, '', []);
      if (refusal) context.reportError(refusal);
    },
  });
}

/**
 * API.md "A failed mutation changes nothing": one mutation field per request. GraphQL runs several one after another,
 * each in its own transaction, and its answer to a later one's refusal is `data: null` (the fields are non-null): a
 * client was told the request failed while the first had been posted.
 */
function oneMutationRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(operation) {
      if (operation.operation !== 'mutation') return;
      const spread = new Set<string>();
      const count = (set: SelectionSetNode): number =>
        set.selections.reduce((n, s) => {
          if (s.kind === Kind.FIELD) return n + (s.name.value === '__typename' ? 0 : 1);
          if (s.kind === Kind.INLINE_FRAGMENT) return n + count(s.selectionSet);
          if (spread.has(s.name.value)) return n;
          spread.add(s.name.value);
          const fragment = context.getFragment(s.name.value);
          return n + (fragment ? count(fragment.selectionSet) : 0);
        }, 0);
      const n = count(operation.selectionSet);
      if (n > 1) {
        context.reportError(
          limitRefusal(`一次请求只能提交一个操作（本次 ${n} 个），请逐个提交：否则前一个已生效时，答复仍会显示失败`, {
            limit: 'mutationsPerRequest',
            max: 1,
            found: n,
          }),
        );
      }
    },
  };
}

function structuralRules(limits: QueryLimits): ValidationRule[] {
  return [
    maxDepthRule({
      ...armorOptions('depth', limits.maxDepth, (n) => `查询嵌套过深（最多 ${limits.maxDepth} 层${n ? `，实际 ${n} 层` : ''}）`),
      flattenFragments: true, // fragments nest no deeper than the fields they hold
      ignoreIntrospection: true,
    }),
    maxAliasesRule({
      ...armorOptions('aliases', limits.maxAliases, (n) => `查询中的别名过多（最多 ${limits.maxAliases} 个${n ? `，实际 ${n} 个` : ''}）`),
      allowList: [],
    }),
    maxDirectivesRule(
      armorOptions('directives', limits.maxDirectives, (n) => `查询中的指令过多（最多 ${limits.maxDirectives} 个${n ? `，实际 ${n} 个` : ''}）`),
    ),
    directivesPerFieldRule(limits.maxDirectivesPerField),
    repeatedFieldsRule(limits),
    oneMutationRule,
  ];
}

// ---- Cost ----------------------------------------------------------------------------------------------------
// Units are roughly "rows read": an object costs 1, a leaf 0, a list multiplies its elements by its expected size,
// a connection by `first` (or the default page). Fields that compute rather than read weigh what they cost:
// the planner and the valuation take 0.2–0.3 s each on a large ledger (README Performance), a password hash
// ~50 ms and 19 MiB. The default limit lets through the largest legitimate pages (500 nodes with a few nested
// objects each) and refuses a handful of heavy computations in one request, or fan-out through lists.

/**
 * The planner's cost grows with what it is asked (sweep 16a F8: 50 安置点 × 89 items, 4,450 demand lines, took 4 s a
 * call, and five of them passed as one request): a base for loading the sources, and each demand line a few hundred
 * rows of candidate stores (a destination × an item is one column of the LP). One call of ~1,300 lines is still let
 * through alone; a real plan has tens.
 */
const PLANNER_BASE = 4000;
const PLANNER_PER_DEMAND_LINE = 12;
const plannerWeight = (args: Record<string, unknown>) => {
  const destinations = (args.input as { destinations?: unknown } | undefined)?.destinations;
  const lines = Array.isArray(destinations)
    ? destinations.reduce((n: number, d) => n + (Array.isArray((d as { lines?: unknown } | null)?.lines) ? (d as { lines: unknown[] }).lines.length : 0), 0)
    : 0;
  return PLANNER_BASE + PLANNER_PER_DEMAND_LINE * lines;
};

/** What a field costs on its own, beyond the default (1 for an object, 0 for a leaf); some depend on the arguments. */
export const FIELD_WEIGHTS: Readonly<Record<string, number | ((args: Record<string, unknown>) => number)>> = {
  'Query.suggestDispatchPlan': plannerWeight,
  'Query.valuation': 4000,
  'Query.reconciliation': 4000,
  // Counting what needs attention runs the reconciliation scan (D22) besides the rotation, quota and relief checks.
  'Query.alerts': 4000,
  'Query.coverage': 2000,
  'Query.reserveGaps': 2000,
  'Query.reserveFloor': 2000,
  'Query.replenishmentsOwed': 1000,
  'Query.batchTrace': 1000,
  'Query.rotationPlan': 1000,
  'Query.rotationDue': 500,
  'Query.outstandingRecovery': 500, // every movement at an incident's 安置点, grouped
  'Query.neighbourStock': 500, // every 联储 partner's balances of the item
  'Query.overdueEmergencyApprovals': 200,
  'Mutation.requestDispatch': plannerWeight,
  'Mutation.closePeriod': 4000,
  'Mutation.executeDispatchPlan': 1000,
  'Mutation.login': 2000,
  'Mutation.changePassword': 2000, // two password hashes
  'Mutation.createUser': 2000,
  'Mutation.updateUser': 2000,
};
/** Every other mutation: a transaction with its audit row. */
const MUTATION_WEIGHT = 50;
/** A COUNT over the filtered rows. */
const TOTAL_COUNT_WEIGHT = 10;

/** How many elements a plain list is expected to hold (for some, depending on its arguments). */
export const LIST_SIZES: Readonly<Record<string, number | ((args: Record<string, unknown>) => number)>> = {
  // Every region is reference data: the whole tree when unfiltered, a level or a parent's children otherwise.
  'Query.regions': (args) =>
    args.parentCode ? 30 : (({ PROVINCE: 5, CITY: 20, COUNTY: 50, TOWNSHIP: 100 } as Record<string, number>)[String(args.level)] ?? 500),
  'Query.categories': 10,
  'Query.stockReasons': 50,
  'Region.children': 20,
  'Region.stores': 5,
  'Category.items': 50,
  'BatchTrace.movements': 100,
};
const DEFAULT_LIST_SIZE = 10;

// Types are inspected by shape, not with graphql's isListType & co.: under vitest the schema and this module may
// hold different copies of graphql, whose instanceof checks would refuse each other's types.
interface TypeShape {
  name?: string;
  ofType?: TypeShape;
  getFields?: () => Record<string, unknown>;
  getTypes?: () => unknown;
  toString(): string;
}
const namedType = (t: TypeShape): TypeShape => (t.ofType ? namedType(t.ofType) : t);
const isList = (t: TypeShape) => /^\[/.test(String(t));
const isComposite = (t: TypeShape) => typeof t.getFields === 'function' || typeof t.getTypes === 'function';
const isConnection = (t: TypeShape) => !!t.name?.endsWith('Connection') && typeof t.getFields === 'function' && 'edges' in t.getFields();

const estimateCost: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const key = `${type.name}.${field.name}`;
  const returns = field.type as unknown as TypeShape;
  const named = namedType(returns);
  if (type.name.startsWith('__') || field.name.startsWith('__')) return 0; // introspection reads the schema in memory
  const fixed = FIELD_WEIGHTS[key];
  const weight =
    (typeof fixed === 'function' ? fixed(args) : fixed) ??
    (type.name === 'Mutation'
      ? MUTATION_WEIGHT
      : field.name === 'totalCount' && type.name.endsWith('Connection')
        ? TOTAL_COUNT_WEIGHT
        : isComposite(named)
          ? 1
          : 0);
  if (isConnection(named)) {
    // A page past MAX_PAGE_SIZE never runs: pageRequest refuses it at `first`, saying the range, which a client can act
    // on; estimated at the largest page that can run, such a request reaches that refusal rather than the cost's.
    const first = typeof args.first === 'number' && args.first >= 0 ? Math.min(args.first, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
    return weight + first * childComplexity;
  }
  // A connection's edges are counted by the connection's `first`.
  if (isList(returns) && !type.name.endsWith('Connection')) {
    const known = LIST_SIZES[key];
    const size = typeof known === 'function' ? known(args) : (known ?? DEFAULT_LIST_SIZE);
    return weight + size * ((isComposite(named) ? 1 : 0) + childComplexity);
  }
  return weight + childComplexity;
};

function costRule(limits: QueryLimits, params: RequestParams | undefined): ValidationRule {
  return createComplexityRule({
    maximumComplexity: limits.maxCost,
    variables: params?.variables ?? undefined,
    operationName: params?.operationName ?? undefined,
    estimators: [estimateCost],
    // Bounds the work of estimating itself (fragments spread many times).
    maxQueryNodes: 20 * limits.maxTokens,
    createError: (max, actual) =>
      limitRefusal(`查询开销过大（上限 ${max}，估算 ${Math.round(actual)}），请减少字段、嵌套或每页条数`, {
        limit: 'cost',
        max,
        found: Math.round(actual),
      }),
  });
}

interface RequestParams {
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/**
 * The yoga plugin applying the limits. The standard rules run only on a document within the structural limits;
 * the cost only on a valid one (it needs the variables, so yoga's validation cache, by document alone, is turned off
 * in app.ts). Issue 11 (P1): a document that passed the structural and standard rules is remembered — yoga's parser
 * cache hands the same DocumentNode for the same text — so a repeated operation pays only for its cost, which is
 * estimated with each request's variables.
 */
export function queryLimits(limits: QueryLimits): Plugin {
  const structural = structuralRules(limits);
  const valid = new WeakSet<DocumentNode>();
  return {
    onParse({ setParseFn, parseFn }) {
      setParseFn((source, options) => {
        checkLexically(source, limits);
        try {
          return parseFn(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof RangeError) throw tooComplex();
          throw error;
        }
      });
    },
    onValidate({ setValidationFn, validateFn, context }) {
      const params = (context as { params?: RequestParams }).params;
      setValidationFn((schema, document, rules, typeInfo, options) => {
        try {
          if (!valid.has(document)) {
            const refused = validateFn(schema, document, structural);
            if (refused.length) return refused;
            const invalid = validateFn(schema, document, rules, typeInfo, options);
            if (invalid.length) return invalid;
            valid.add(document);
          }
          // Variables that do not coerce are reported by execution, with its own message; keep only the cost verdict.
          return validateFn(schema, document, [costRule(limits, params)]).filter(isRefusal);
        } catch (error) {
          if (error instanceof RangeError) return [tooComplex()];
          // graphql-query-complexity throws (rather than reports) when estimating would visit too many nodes.
          if (error instanceof Error && error.name === 'GraphQLError' && !isRefusal(error)) {
            return [limitRefusal('查询开销过大，无法估算', { limit: 'cost', max: limits.maxCost })];
          }
          throw error;
        }
      });
    },
  };
}
