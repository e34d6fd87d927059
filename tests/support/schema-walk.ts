import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLArgument,
  GraphQLField,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionNode,
  SelectionSetNode,
} from 'graphql';

/**
 * graphql-js from the copy the schema was built with. Pothos loads graphql's CommonJS build, while vitest hands ES
 * module importers the .mjs build, and graphql's type checks (instanceof) refuse objects from the other copy.
 */
export const graphql: typeof GraphQLModule = createRequire(import.meta.url)('graphql');
const { astFromValue, getNamedType, isAbstractType, isLeafType, isListType, isNonNullType, isObjectType, Kind, parse, print } = graphql;

// Builds queries from the schema and walks responses alongside them, so that every object in a response is known with
// its GraphQL type. Knows nothing about scope: the oracle (scope-oracle.ts) decides what an object may show.

/** `XConnection { edges pageInfo totalCount }` and `XEdge { cursor node }`: wrappers that do not count as a level. */
export function isConnectionWrapper(type: GraphQLObjectType): boolean {
  const fields = type.getFields();
  if (type.name.endsWith('Connection') && fields.edges) return true;
  if (type.name.endsWith('Edge') && fields.node && fields.cursor) return true;
  return false;
}

/** Object types of the schema, without the root and introspection types. */
export function objectTypesOf(schema: GraphQLSchema): GraphQLObjectType[] {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean).map((t) => t!.name));
  return Object.values(schema.getTypeMap())
    .filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && !roots.has(t.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Arguments for a field: values to pass, or a reason the field cannot be selected. */
export type ArgChoice = { values: Record<string, unknown> } | { skip: string };

export interface ExpandOptions {
  /** Object levels below the root field; connection wrappers (edges, node) do not count. */
  maxDepth: number;
  /** How often one object type may be expanded on one path (Region → parent → Region …). */
  maxTypeRepeats: number;
  /** Nesting limit of the query text itself (the edge refuses deeper queries). */
  maxAstDepth: number;
  /** `first` for every field that takes one. */
  listFirst: number;
  /**
   * Types whose subtree can hold nothing the walk checks (see typesReaching): selected with their leaves only, so that
   * reference lists (Category.items under every item) do not multiply the response.
   */
  leavesOnly?: (typeName: string) => boolean;
  /** Required arguments of non-root fields: a value from the fixture, or a reason to leave the field out. */
  fieldArgs?: (parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>) => ArgChoice | undefined;
}

export const DEFAULT_EXPAND: ExpandOptions = { maxDepth: 5, maxTypeRepeats: 2, maxAstDepth: 12, listFirst: 3 };

/** A selected field: name, printed arguments, and its own selection when it is an object. */
export interface Sel {
  name: string;
  args: string;
  children?: Sel[];
}

export interface SkippedField {
  type: string;
  field: string;
  reason: string;
}

/** `(a: 1, b: "x")` for the given values, printed as literals of the argument types. */
export function printArgs(argDefs: readonly GraphQLArgument[], values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const def of argDefs) {
    if (!(def.name in values) || values[def.name] === undefined) continue;
    const ast = astFromValue(values[def.name], def.type);
    if (!ast) throw new Error(`cannot print argument ${def.name}=${JSON.stringify(values[def.name])}`);
    parts.push(`${def.name}: ${print(ast)}`);
  }
  return parts.length ? `(${parts.join(', ')})` : '';
}

function argsFor(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, opts: ExpandOptions): { args: string } | { skip: string } {
  const values: Record<string, unknown> = {};
  if (field.args.some((a) => a.name === 'first')) values.first = opts.listFirst;
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  if (required.length) {
    const choice = opts.fieldArgs?.(parent, field);
    if (!choice) return { skip: `required argument(s) ${required.map((a) => a.name).join(', ')} without a fixture` };
    if ('skip' in choice) return choice;
    Object.assign(values, choice.values);
    const missing = required.filter((a) => values[a.name] === undefined);
    if (missing.length) return { skip: `no fixture for required argument(s) ${missing.map((a) => a.name).join(', ')}` };
  }
  return { args: printArgs(field.args, values) };
}

/**
 * Every field of `type`, expanded: leaves always; object fields while the depth, the per-path repeat count of the type
 * and the text depth allow. Fields that cannot be selected are recorded in `skipped` (once per type and field).
 */
export function expandType(
  type: GraphQLObjectType,
  opts: ExpandOptions,
  skipped: SkippedField[],
  at: { depth: number; astDepth: number; repeats: ReadonlyMap<string, number> } = { depth: 0, astDepth: 1, repeats: new Map() },
): Sel[] {
  const out: Sel[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.name.startsWith('__')) continue;
    const a = argsFor(type, field, opts);
    if ('skip' in a) {
      if (!skipped.some((s) => s.type === type.name && s.field === field.name)) skipped.push({ type: type.name, field: field.name, reason: a.skip });
      continue;
    }
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      out.push({ name: field.name, args: a.args });
      continue;
    }
    if (isAbstractType(named)) {
      if (!skipped.some((s) => s.type === type.name && s.field === field.name))
        skipped.push({ type: type.name, field: field.name, reason: `abstract type ${named.name}: not expanded` });
      continue;
    }
    if (!isObjectType(named)) continue;
    if (opts.leavesOnly?.(named.name)) {
      if (at.astDepth + 1 <= opts.maxAstDepth) out.push({ name: field.name, args: a.args, children: leavesOf(named, opts, skipped) });
      continue;
    }
    const wrapper = isConnectionWrapper(named);
    const depth = wrapper ? at.depth : at.depth + 1;
    const seen = at.repeats.get(named.name) ?? 0;
    if (depth > opts.maxDepth || at.astDepth + 1 > opts.maxAstDepth || (!wrapper && seen >= opts.maxTypeRepeats)) continue;
    const repeats = new Map(at.repeats).set(named.name, seen + 1);
    out.push({ name: field.name, args: a.args, children: expandType(named, opts, skipped, { depth, astDepth: at.astDepth + 1, repeats }) });
  }
  return out;
}

function leavesOf(type: GraphQLObjectType, opts: ExpandOptions, skipped: SkippedField[]): Sel[] {
  const out: Sel[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.name.startsWith('__') || !isLeafType(getNamedType(field.type))) continue;
    const a = argsFor(type, field, opts);
    if ('skip' in a) {
      if (!skipped.some((s) => s.type === type.name && s.field === field.name)) skipped.push({ type: type.name, field: field.name, reason: a.skip });
      continue;
    }
    out.push({ name: field.name, args: a.args });
  }
  return out;
}

/** Object types from which one of `targets` can be reached through fields (targets included). */
export function typesReaching(schema: GraphQLSchema, targets: ReadonlySet<string>): Set<string> {
  const reach = new Set([...targets]);
  const types = objectTypesOf(schema);
  for (let grew = true; grew;) {
    grew = false;
    for (const type of types) {
      if (reach.has(type.name)) continue;
      if (Object.values(type.getFields()).some((f) => reach.has(getNamedType(f.type).name))) {
        reach.add(type.name);
        grew = true;
      }
    }
  }
  return reach;
}

export function printSel(sels: Sel[]): string {
  return sels.map((s) => `${s.name}${s.args}${s.children ? ` { ${s.children.length ? printSel(s.children) : '__typename'} }` : ''}`).join(' ');
}

export function selSize(sels: Sel[]): number {
  return sels.reduce((n, s) => n + 1 + (s.children ? selSize(s.children) : 0), 0);
}

/**
 * Splits a selection that is too large for one request into several, each holding the leaves and a share of the object
 * fields; an object field too large on its own is split inside in the same way. Every part keeps its whole path.
 */
export function splitSel(sels: Sel[], maxSize: number): Sel[][] {
  if (selSize(sels) <= maxSize) return [sels];
  const leaves = sels.filter((s) => !s.children);
  const objects = sels.filter((s) => s.children);
  const parts: Sel[][] = [];
  let current: Sel[] = [];
  let size = leaves.length;
  for (const o of objects) {
    const n = 1 + selSize(o.children!);
    if (n + leaves.length > maxSize) {
      for (const inner of splitSel(o.children!, Math.max(maxSize - leaves.length - 1, 8))) parts.push([...leaves, { ...o, children: inner }]);
      continue;
    }
    if (size + n > maxSize && current.length) {
      parts.push([...leaves, ...current]);
      current = [];
      size = leaves.length;
    }
    current.push(o);
    size += n;
  }
  if (current.length || !parts.length) parts.push([...leaves, ...current]);
  return parts;
}

// ---- identity: every object selection carries __typename, its id, and the fields its scope rule reads

/** Per type, object fields the oracle needs to identify an object of it (StockLine: store and batch). */
export type IdentityFields = Readonly<Record<string, readonly string[]>>;

const fieldNode = (name: string, selectionSet?: SelectionSetNode): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  arguments: [],
  directives: [],
  selectionSet,
});

function augmentSet(schema: GraphQLSchema, ss: SelectionSetNode, type: GraphQLObjectType, identity: IdentityFields, guard: number): SelectionSetNode {
  const selections: SelectionNode[] = [];
  const plain = (name: string) => ss.selections.some((s) => s.kind === Kind.FIELD && s.name.value === name && !s.alias);
  if (!plain('__typename')) selections.push(fieldNode('__typename'));
  const fields = type.getFields();
  if (fields.id && isLeafType(getNamedType(fields.id.type)) && !plain('id')) selections.push(fieldNode('id'));
  for (const name of identity[type.name] ?? []) {
    const named = fields[name] && getNamedType(fields[name].type);
    if (!plain(name) && named && isObjectType(named) && guard < 4) selections.push(fieldNode(name, { kind: Kind.SELECTION_SET, selections: [] }));
  }
  const all = [...ss.selections, ...selections].map((s): SelectionNode => {
    if (s.kind === Kind.FIELD) {
      if (!s.selectionSet) return s;
      const def = fields[s.name.value];
      const named = def && getNamedType(def.type);
      if (!named || !isObjectType(named)) return s;
      return { ...s, selectionSet: augmentSet(schema, s.selectionSet, named, identity, guard + (selections.includes(s) ? 1 : 0)) };
    }
    if (s.kind === Kind.INLINE_FRAGMENT) {
      const on = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
      return isObjectType(on) ? { ...s, selectionSet: augmentSet(schema, s.selectionSet, on, identity, guard) } : s;
    }
    return s;
  });
  return { ...ss, selections: all };
}

/** The query with __typename, id and the identity fields added to every object selection (idempotent). */
export function withIdentity(schema: GraphQLSchema, query: string | DocumentNode, identity: IdentityFields): string {
  const doc = typeof query === 'string' ? parse(query) : query;
  const definitions = doc.definitions.map((d) => {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      const root =
        d.operation === 'mutation' ? schema.getMutationType() : d.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
      const selections = d.selectionSet.selections.map((s) => {
        if (s.kind !== Kind.FIELD || !s.selectionSet || !root) return s;
        const named = getNamedType(root.getFields()[s.name.value]?.type);
        return named && isObjectType(named) ? { ...s, selectionSet: augmentSet(schema, s.selectionSet, named, identity, 0) } : s;
      });
      return { ...d, selectionSet: { ...d.selectionSet, selections } };
    }
    if (d.kind === Kind.FRAGMENT_DEFINITION) {
      const on = schema.getType(d.typeCondition.name.value);
      return isObjectType(on) ? { ...d, selectionSet: augmentSet(schema, d.selectionSet, on, identity, 0) } : d;
    }
    return d;
  });
  return print({ ...doc, definitions });
}

// ---- walking a response alongside its query

export type PathKey = string | number;

export interface VisitedObject {
  typeName: string;
  value: Record<string, unknown>;
  path: PathKey[];
  /** The field (its name, not its alias) that returned the object, on `parentType`. */
  field: string;
  parentType: string;
  /** Enclosing objects, outermost first (the root operation type not included), each with the field that returned it. */
  ancestors: { typeName: string; value: Record<string, unknown>; field: string; parentType: string }[];
}

/**
 * The field an object came through, connection wrappers skipped: `Store.stock` for a StockLine under
 * `store { stock { edges { node } } }`, `Query.batch` for a root field.
 */
export function entryField(o: VisitedObject): string {
  const chain = [...o.ancestors, { typeName: o.typeName, value: o.value, field: o.field, parentType: o.parentType }];
  let i = chain.length - 1;
  while (i > 0 && /(Connection|Edge)$/.test(chain[i].parentType)) i--;
  return `${chain[i].parentType}.${chain[i].field}`;
}

/**
 * Calls `onObject` for every object in `data`, with its GraphQL type (the runtime type for abstract ones, from
 * __typename), its path and its enclosing objects.
 */
export function walkResponse(schema: GraphQLSchema, query: string | DocumentNode, data: unknown, onObject: (o: VisitedObject) => void): void {
  if (!data || typeof data !== 'object') return;
  const doc = typeof query === 'string' ? parse(query) : query;
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!op) return;
  const root = op.operation === 'mutation' ? schema.getMutationType() : op.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return;

  const applies = (typeCondition: string | undefined, runtime: GraphQLObjectType) => {
    if (!typeCondition || typeCondition === runtime.name) return true;
    const cond = schema.getType(typeCondition);
    return !!cond && isAbstractType(cond) && schema.isSubType(cond, runtime);
  };
  const collect = (ss: SelectionSetNode, runtime: GraphQLObjectType, out: FieldNode[] = []): FieldNode[] => {
    for (const s of ss.selections) {
      if (s.kind === Kind.FIELD) out.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (applies(s.typeCondition?.name.value, runtime)) collect(s.selectionSet, runtime, out);
      } else {
        const f = fragments.get(s.name.value);
        if (f && applies(f.typeCondition.name.value, runtime)) collect(f.selectionSet, runtime, out);
      }
    }
    return out;
  };
  type Anc = VisitedObject['ancestors'];
  const walkValue = (value: unknown, type: GraphQLOutputType, node: FieldNode, parentType: string, path: PathKey[], ancestors: Anc) => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return walkValue(value, type.ofType, node, parentType, path, ancestors);
    if (isListType(type)) {
      if (Array.isArray(value)) value.forEach((v, i) => walkValue(v, type.ofType, node, parentType, [...path, i], ancestors));
      return;
    }
    if (isLeafType(type) || !node.selectionSet || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    let runtime: GraphQLObjectType | undefined;
    if (isObjectType(type)) runtime = type;
    else if (isAbstractType(type)) {
      const t = schema.getType(String(obj.__typename));
      runtime = t && isObjectType(t) ? t : undefined;
    }
    if (!runtime) throw new Error(`cannot tell the type of the object at ${path.join('.')}: select __typename`);
    const field = node.name.value;
    onObject({ typeName: runtime.name, value: obj, path, field, parentType, ancestors });
    walkSet(node.selectionSet, runtime, obj, path, [...ancestors, { typeName: runtime.name, value: obj, field, parentType }]);
  };
  const walkSet = (ss: SelectionSetNode, type: GraphQLObjectType, obj: Record<string, unknown>, path: PathKey[], ancestors: Anc) => {
    for (const f of collect(ss, type)) {
      if (f.name.value.startsWith('__')) continue;
      const def = type.getFields()[f.name.value];
      if (!def) continue;
      const key = f.alias?.value ?? f.name.value;
      walkValue(obj[key], def.type, f, type.name, [...path, key], ancestors);
    }
  };
  walkSet(op.selectionSet, root, data as Record<string, unknown>, [], []);
}

export const formatPath = (path: PathKey[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');

// ---- the edge's limits (API.md: depth ≤ 12, tokens ≤ 5,000, a cost limit): generated queries must pass them

export interface EdgeLimits {
  maxTokens: number;
  maxDepth: number;
  /** graphql-armor's cost: objects 2, scalars 1, ×1.5 per level, × `first` of a list. */
  maxCost: number;
}

export const DEFAULT_LIMITS: EdgeLimits = { maxTokens: 4500, maxDepth: 12, maxCost: 5000 };

export interface QueryMeasure {
  tokens: number;
  depth: number;
  cost: number;
}

export function measureQuery(text: string): QueryMeasure {
  const lexer = new graphql.Lexer(new graphql.Source(text));
  let tokens = 0;
  while (lexer.advance().kind !== graphql.TokenKind.EOF) tokens++;
  const doc = parse(text);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const depthOf = (node: FieldNode, d: number): number =>
    node.selectionSet ? Math.max(d, ...node.selectionSet.selections.map((c) => (c.kind === Kind.FIELD ? depthOf(c, d + 1) : d))) : d;
  const costOf = (node: FieldNode): number => {
    if (!node.selectionSet) return 1;
    const first = node.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
    const times = first && first.value.kind === Kind.INT ? Math.max(parseInt(first.value.value, 10), 1) : 1;
    return times * node.selectionSet.selections.reduce((c, s) => c + (s.kind === Kind.FIELD ? 1.5 * costOf(s) : 0), 2);
  };
  const roots = (op?.selectionSet.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
  return { tokens, depth: Math.max(0, ...roots.map((r) => depthOf(r, 1))), cost: roots.reduce((c, r) => c + costOf(r), 0) };
}

export const withinLimits = (m: QueryMeasure, l: EdgeLimits) => m.tokens <= l.maxTokens && m.depth <= l.maxDepth && m.cost <= l.maxCost;

/**
 * The selection as one or more query texts that each pass the edge's limits (`fits`): halves what is too large until
 * it fits. A part that cannot be split further is returned as it is (the control then reports the refusal).
 */
export function fitToLimits(sels: Sel[], render: (part: Sel[]) => string, fits: (text: string) => boolean): string[] {
  const text = render(sels);
  if (fits(text)) return [text];
  const parts = splitSel(sels, Math.max(4, Math.floor(selSize(sels) / 2)));
  if (parts.length < 2) {
    // One object field holds all of it: split inside it.
    const objects = sels.filter((s) => s.children);
    if (objects.length !== 1 || !objects[0].children!.length) return [text];
    const inner = splitSel(objects[0].children!, Math.max(4, Math.floor(selSize(objects[0].children!) / 2)));
    if (inner.length < 2) return [text];
    const leaves = sels.filter((s) => !s.children);
    return inner.flatMap((p) => fitToLimits([...leaves, { ...objects[0], children: p }], render, fits));
  }
  return parts.flatMap((p) => fitToLimits(p, render, fits));
}
