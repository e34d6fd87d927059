import { GraphQLError, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';

// API.md The edge: in production the API tells a stranger nothing about itself — no introspection for anonymous
// clients (a signed-in user may introspect: the console and its typed client do), and no "did you mean" hints that
// would spell out field, argument and enum names one guess at a time.

/**
 * The message without graphql-js's suggestions ("Did you mean "name"?", "Did you mean the enum value "CITY"?"), also
 * as said in Chinese (「。您是否要查询 name？」, graphql-messages.ts).
 */
export function withoutSuggestions<E extends Error>(error: E): E | GraphQLError {
  if (error.name !== 'GraphQLError') return error;
  const message = error.message
    .replace(/\s*Did you mean [^?]*\?/g, '')
    .replace(/。您是否要[^？]*？/g, '')
    .trim();
  if (message === error.message) return error;
  const e = error as unknown as GraphQLError;
  return new GraphQLError(message, {
    nodes: e.nodes,
    source: e.source,
    positions: e.positions,
    path: e.path,
    originalError: e.originalError,
    extensions: e.extensions,
  });
}

/** Does the executed operation ask for __schema or __type (at its root, through fragments too)? */
function asksForSchema(document: DocumentNode, operationName?: string | null): boolean {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : [])));
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === 'Field') return s.name.value === '__schema' || s.name.value === '__type';
      if (s.kind === 'InlineFragment') return inSet(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      const fragment = fragments.get(s.name.value);
      return fragment ? inSet(fragment.selectionSet) : false;
    });
  return operation ? inSet(operation.selectionSet) : false;
}

/** The production plugin: introspection needs a signed-in user; validation errors carry no suggestions. */
export function productionDisclosure(): Plugin {
  return {
    onValidate:
      () =>
      ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map(withoutSuggestions));
      },
    // After validation and the context (so a deactivated user's token counts as anonymous), before any resolver.
    onExecute({ args, setResultAndStopExecution }) {
      if ((args.contextValue as unknown as Context).user) return;
      if (!asksForSchema(args.document, args.operationName)) return;
      setResultAndStopExecution({
        errors: [new GraphQLError('请先登录再查询接口结构', { extensions: { code: 'UNAUTHENTICATED' } })],
      });
    },
  };
}
