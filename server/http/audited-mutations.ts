import {
  getOperationAST,
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type SelectionNode,
  type ValueNode,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { createLoaders } from '../loaders.ts';
import { retryingConflicts } from '../../drizzle/conflicts.ts';
import { accountOfLogin, auditedTransaction, auditRegion, auditSubject, loggedLoginName, recordAudit, type AuditEntry } from '../audit/log.ts';
import { codedGraphQLError, domainErrorOf, MASKED_MESSAGE } from './errors.ts';
import type { DomainError } from '../errors.ts';
import type { RefusedText, RefusedTextAudit } from './input-guard.ts';

const wrapped = new WeakSet<GraphQLSchema>();

/**
 * Ledger posts write no reference data (users, stores, items, reasons). Every other mutation drops this process's
 * reference cache once it has committed, so that the next request here sees its change at once; other processes
 * hear of it through the database (reference-cache.ts).
 */
const POSTS = new Set(['receiveStock', 'issueStock', 'scrapStock', 'shipTransfer', 'receiveTransfer', 'cancelTransfer', 'submitStocktake', 'reverseDocument']);

/**
 * D22: every mutation field runs in one transaction that also writes its audit row, so a committed change always
 * has its row and an audit row never describes a change that did not commit. A refusal rolls the transaction back
 * and is audited on its own. The resolver sees the transaction as `ctx.db` with loaders bound to it; nested fields
 * of the result resolve after the commit, with the request's own loaders.
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  if (wrapped.has(schema)) return schema;
  wrapped.add(schema);
  const mutation = schema.getMutationType();
  // No instanceof: graphql may be loaded twice (ESM and CJS copies) and its classes then differ.
  if (!mutation) return schema;
  for (const field of Object.values(mutation.getFields())) {
    const resolve = field.resolve as GraphQLFieldResolver<unknown, Context> | undefined;
    if (!resolve) continue;
    field.resolve = async (root, args, ctx: Context, info) => {
      const entry = await auditEntry(ctx, info.fieldName, args);
      const attempt = () =>
        auditedTransaction(ctx.database.db, entry, (tx, audit) =>
          Promise.resolve(resolve(root, args, { ...ctx, db: tx, loaders: createLoaders(tx), audit }, info)),
        );
      try {
        // A deadlock, serialization failure or unique violation a concurrent request caused: the whole mutation again.
        const result = await retryingConflicts(attempt);
        if (!POSTS.has(info.fieldName)) ctx.reference.invalidate();
        return result;
      } catch (error) {
        // What the rolled-back transaction read into the cache may not exist.
        ctx.reference.invalidate();
        const domain = domainErrorOf(error);
        // Auditors read this: the user's message for a refusal, never the internals of an unexpected error.
        await recordRefusal(ctx, entry, domain?.code ?? 'INTERNAL_SERVER_ERROR', domain?.message ?? MASKED_MESSAGE);
        throw error;
      }
    };
  }
  return schema;
}

async function auditEntry(ctx: Context, operation: string, args: Record<string, unknown>): Promise<Omit<AuditEntry, 'outcome'>> {
  const user = ctx.user;
  // A refused login's username may not be text (a number, refused by GraphQL): it is what was typed all the same.
  const typed = operation === 'login' && ['string', 'number', 'boolean'].includes(typeof args.username) ? String(args.username) : null;
  const account = typed !== null ? await accountOfLogin(ctx.database.db, typed) : null;
  // A name no account has is kept masked, in the row's username and its input alike (loggedLoginName says why).
  const loginName = typed === null ? null : loggedLoginName(typed, account);
  return {
    at: ctx.clock.now().toJSDate(),
    userId: user?.id ?? account?.id ?? null,
    username: user?.username ?? loginName,
    role: user?.role ?? null,
    regionCode: user ? await ctx.reference.auditRegion(user.id, () => auditRegion(ctx.database.db, user)) : (account?.regionCode ?? null),
    // D22: and what it acted on, whose region's auditors read the row too.
    subject: auditSubject(operation, args),
    operation,
    input: loginName === null ? args : { ...args, username: loginName },
    message: null,
  };
}

/** D22: a refusal's own row, outside any transaction (what the mutation did, if anything, rolled back). */
async function recordRefusal(ctx: Context, entry: Omit<AuditEntry, 'outcome'>, outcome: string, message: string): Promise<void> {
  await recordAudit(ctx.database.db, { ...entry, outcome, message }).catch((auditError) =>
    ctx.log.error('audit write failed', { operation: entry.operation, error: String(auditError) }),
  );
}

/** D22: a mutation refused before its transaction began (the login back-off, login-backoff.ts), audited as the wrapper audits one. */
export async function auditRefusal(ctx: Context, operation: string, args: Record<string, unknown>, refusal: DomainError): Promise<void> {
  await recordRefusal(ctx, await auditEntry(ctx, operation, args), refusal.code, refusal.message);
}

// ---- D22: a mutation refused before its resolvers run

/**
 * A mutation operation GraphQL refused before any resolver ran: a variable that does not coerce (a Money of "0.105",
 * a DateTime of "yesterday"), or a document validation refused — the same value written in the query itself, and
 * (sweep 23b F7) the edge's limits (two mutations in one request, nesting too deep, too many aliases, the cost) and
 * any other validation error (an unknown field). The wrapper above never sees it, so it is audited here, a row per
 * root mutation field, as that field's refusal would be.
 */
interface RefusedMutation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null | undefined;
  /** The variables as sent (not coerced: they did not coerce). */
  variables: Record<string, unknown>;
  /** What the client is told, in the user's words. */
  messages: string[];
  /** The refusal's code (API.md), BAD_USER_INPUT unless the refusal said another. */
  code?: string;
}

/** Sweep 23b F7: at most this many rows for one refused request (a request of 30 aliased mutations is one refusal). */
const MAX_REFUSED_ROWS = 10;

/** The kinds of node a refused value is reported at (ValuesOfCorrectTypeRule); other validation rules report elsewhere. */
const VALUE_NODES: ReadonlySet<string> = new Set([
  Kind.INT,
  Kind.FLOAT,
  Kind.STRING,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
  Kind.OBJECT_FIELD,
]);

/** Refused by validation for a value written in the query only (not for an unknown field, a limit, a syntax error). */
const onlyValueRefusals = (errors: readonly Error[]) =>
  errors.length > 0 &&
  errors.every((e) => {
    const nodes = (e as Partial<GraphQLError>).nodes;
    return !!nodes?.length && nodes.every((n) => VALUE_NODES.has(n.kind));
  });

/** The code a refusal by validation carries (codedGraphQLError put it there): BAD_USER_INPUT unless it says another. */
const refusalCode = (errors: readonly Error[]) => {
  const code = (errors[0] as Partial<GraphQLError> | undefined)?.extensions?.code;
  return typeof code === 'string' ? code : 'BAD_USER_INPUT';
};

/** Refused by variable coercion: graphql-js (and graphql-jit) word each such refusal "Variable "$…" …". */
const onlyVariableRefusals = (errors: readonly GraphQLError[] | undefined) => !!errors?.length && errors.every((e) => e.message.startsWith('Variable "$'));

/**
 * The root fields of the operation that would have run, with their arguments as sent (variables put in, nothing
 * coerced), each once by its response name — as graphql would have resolved them. A field the schema does not have
 * (refused by validation) is named as sent (sweep 23b F7); `__typename` is no mutation.
 */
function rootFields(refused: RefusedMutation): { operation: string; args: Record<string, unknown> }[] {
  const operation = getOperationAST(refused.document, refused.operationName);
  if (!operation) return [];
  const { variables } = refused;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of refused.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const argumentsOf = (nodes: readonly { name: { value: string }; value: ValueNode }[] | undefined) =>
    Object.fromEntries((nodes ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
  const included = (s: SelectionNode) =>
    (s.directives ?? []).every((d) => {
      const condition = argumentsOf(d.arguments).if;
      return d.name.value === 'skip' ? condition !== true : d.name.value === 'include' ? condition === true : true;
    });
  const out = new Map<string, { operation: string; args: Record<string, unknown> }>();
  const spread = new Set<string>();
  const walk = (selections: readonly SelectionNode[]) => {
    for (const s of selections) {
      if (!included(s)) continue;
      if (s.kind === Kind.FIELD) {
        const key = s.alias?.value ?? s.name.value;
        if (!s.name.value.startsWith('__') && !out.has(key)) out.set(key, { operation: s.name.value, args: argumentsOf(s.arguments) });
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet.selections);
      else if (!spread.has(s.name.value)) {
        spread.add(s.name.value);
        const fragment = fragments.get(s.name.value);
        if (fragment) walk(fragment.selectionSet.selections);
      }
    }
  };
  walk(operation.selectionSet.selections);
  return [...out.values()];
}

/**
 * One row per root field of the refused operation (at most MAX_REFUSED_ROWS), with its code (BAD_USER_INPUT unless the
 * refusal said another) and the refusal's words: actor and input as the resolver wrapper writes them.
 */
async function auditRefusedMutation(ctx: Context, refused: RefusedMutation): Promise<void> {
  const message = [...new Set(refused.messages)].join('；');
  for (const { operation, args } of rootFields(refused).slice(0, MAX_REFUSED_ROWS)) {
    const entry = await auditEntry(ctx, operation, args);
    await recordRefusal(ctx, entry, refused.code ?? 'BAD_USER_INPUT', message);
  }
}

const isMutation = (document: DocumentNode, operationName: string | null | undefined) => getOperationAST(document, operationName)?.operation === 'mutation';

/**
 * The plugin that audits mutations refused before their resolvers run. Place it after the plugins that word GraphQL's
 * refusals (app.ts: validation errors mapped by codedGraphQLError, variableRefusalSources), so that its rows carry the
 * words the client reads. A refusal by validation comes before the request's context is built: `contextOf` builds it
 * (who asked) for the row. No row is written twice: a refused variable or literal means no resolver ran, and only
 * the resolver wrapper audits a refusal once one has.
 */
export function auditRefusedMutations<S extends object>(contextOf: (serverContext: S) => Promise<Context>): Plugin<object, S> {
  const refusedByValidation = new WeakMap<object, RefusedMutation>();
  return {
    onValidate:
      ({ params, context }) =>
      ({ valid, result }) => {
        // Sweep 23b F7: every refusal by validation (the edge's limits among them), not only a refused value.
        if (valid || !result.length) return;
        const request = (context as { params?: { operationName?: string | null; variables?: Record<string, unknown> } }).params;
        if (!isMutation(params.documentAST, request?.operationName)) return;
        refusedByValidation.set(context, {
          schema: params.schema,
          document: params.documentAST,
          operationName: request?.operationName,
          variables: request?.variables ?? {},
          messages: result.map((e) => e.message),
          code: onlyValueRefusals(result) ? 'BAD_USER_INPUT' : refusalCode(result),
        });
      },
    onExecute: ({ args }) => {
      if (!isMutation(args.document, args.operationName)) return;
      return {
        onExecuteDone: async ({ result }) => {
          // No data at all: execution never began (a result with data, even null, comes from the resolvers).
          if (isAsyncIterable(result) || result.data !== undefined || !onlyVariableRefusals(result.errors)) return;
          const source = args.document.loc?.source;
          const messages = result.errors!.map(
            (e) => codedGraphQLError(e.source || !source ? e : new GraphQLError(e.message, { source, extensions: e.extensions })).message,
          );
          const ctx = args.contextValue as unknown as Context;
          await auditRefusedMutation(ctx, {
            schema: args.schema,
            document: args.document,
            operationName: args.operationName,
            variables: args.variableValues ?? {},
            messages,
          }).catch((error: unknown) => ctx.log.error('audit write failed', { operation: 'refused mutation', error: String(error) }));
        },
      };
    },
    onExecutionResult: async ({ context }) => {
      const refused = refusedByValidation.get(context);
      if (!refused) return;
      refusedByValidation.delete(context);
      let ctx: Context;
      try {
        ctx = await contextOf(context);
      } catch {
        return; // who asked cannot be told (the database is unreachable): the client has its refusal all the same
      }
      await auditRefusedMutation(ctx, refused).catch((error: unknown) =>
        ctx.log.error('audit write failed', { operation: 'refused mutation', error: String(error) }),
      );
    },
  };
}

/**
 * D22 (sweep 21c F2): a mutation whose text the edge refused before parsing or at it — a control character, NUL, a
 * lone surrogate, a direction control (input-guard.ts) — is audited as a value refused by validation is: a row per
 * root field, with who asked (`contextOf` builds the request's context for it) and the input as sent, the refused
 * characters shown as U+FFFD (input-guard.ts cleans them), so that no such input can make the row fail. A query is not
 * audited, as no refused query is.
 */
export function auditRefusedText<S extends object>(schema: GraphQLSchema, contextOf: (serverContext: S) => Promise<Context>): RefusedTextAudit {
  return async (serverContext, refused: RefusedText) => {
    if (!isMutation(refused.document, refused.operationName)) return;
    let ctx: Context;
    try {
      ctx = await contextOf(serverContext as S);
    } catch {
      return; // who asked cannot be told (the database is unreachable): the client has its refusal all the same
    }
    const { document, operationName, variables, message } = refused;
    await auditRefusedMutation(ctx, { schema, document, operationName, variables, messages: [message] }).catch((error: unknown) =>
      ctx.log.error('audit write failed', { operation: 'refused mutation', error: String(error) }),
    );
  };
}
