import { useGraphQlJit } from '@envelop/graphql-jit';
import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import type { DocumentNode, GraphQLSchema, ValueNode } from 'graphql';

// Compiled execution (issue 11, P3) for queries: the same resolvers, scope checks included, without graphql-js's
// per-field interpretation, where a large nested read spends most of its time. Mutations are bound by the database,
// and subscriptions stay with graphql-js (graphql-jit's subscribe ends the SSE stream).
//
// graphql-jit writes the values of literal arguments into the compiled code as JSON, so a custom scalar parsed from a
// literal (DateTime → a luxon DateTime, Money → fen) would reach the resolver as a plain string. Such a query — e.g.
// valuation(asOf: "2026-05-31T00:00:00+08:00") written inline — runs on graphql-js; with variables it is compiled.

// The copy of graphql-js the schema was built with (Pothos loads its CommonJS build; a bundler may hand ES module
// importers the .mjs build, whose instanceof checks refuse the schema's types).
const { getNamedType, getOperationAST, isScalarType, isSpecifiedScalarType, Kind, TypeInfo, visit, visitWithTypeInfo } = createRequire(import.meta.url)(
  'graphql',
) as typeof GraphQLModule;

const literalCustomScalars = new WeakMap<DocumentNode, boolean>();

/** Whether a literal (not a variable) value of a custom scalar appears anywhere in the document's arguments. */
export function hasLiteralCustomScalar(schema: GraphQLSchema, document: DocumentNode): boolean {
  const known = literalCustomScalars.get(document);
  if (known !== undefined) return known;
  const typeInfo = new TypeInfo(schema);
  const isLiteral = (v: ValueNode) => v.kind !== Kind.VARIABLE && v.kind !== Kind.NULL && v.kind !== Kind.OBJECT;
  let found = false;
  const check = (value: ValueNode) => {
    const type = typeInfo.getInputType();
    const named = type ? getNamedType(type) : undefined;
    if (!named || !isScalarType(named) || isSpecifiedScalarType(named)) return;
    if (value.kind === Kind.LIST ? value.values.some(isLiteral) : isLiteral(value)) found = true;
  };
  // Arguments and the fields of input objects (nested objects are visited as fields of their own).
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument: (node) => check(node.value),
      ObjectField: (node) => check(node.value),
    }),
  );
  literalCustomScalars.set(document, found);
  return found;
}

export const compiledQueries = () =>
  useGraphQlJit(
    {},
    {
      enableIf: (args) => getOperationAST(args.document, args.operationName)?.operation === 'query' && !hasLiteralCustomScalar(args.schema, args.document),
    },
  );
