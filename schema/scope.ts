import SchemaBuilder, { BasePlugin, isThenable, type PothosOutputFieldConfig, type PothosOutputFieldType, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import type { Context } from '../server/context.ts';
import { mayRead, type PolicyLookups, type ScopedKind } from '../server/auth/policy.ts';
import { policyLookupsThrough } from '../server/auth/lookups.ts';
import { forbidden, unauthenticated } from '../server/errors.ts';

// The schema's side of the policy module: a scoped object type is checked wherever an object of it is returned — at
// a root field or through any relation — by the policy's record decision. The check runs in the field that returns
// the record (each element of a list), once per record: a record out of scope answers FORBIDDEN there, and the field
// is null (or, non-null, its parent), the same way everywhere. Checking where records are returned rather than in
// each of their fields (Pothos's type-level authScopes) leaves the fields of a scoped type plain: compiled execution
// (graphql-jit, app.ts) reads them directly — a nested read of 16,350 stock lines and their batches made 130,000
// wrapped field calls (issue 11, P3). Object types only: no interface or union returns a scoped type.

const lookupsOf = new WeakMap<Context, PolicyLookups>();

/** The policy's look-ups through this request's loaders; one set per context (a check runs for every record). */
export function policyLookups(ctx: Context): PolicyLookups {
  let lookups = lookupsOf.get(ctx);
  if (!lookups) {
    // A store a post has just read is in this process's memory (issue 11): no round trip after the post.
    lookups = policyLookupsThrough(ctx.loaders, ctx.reference);
    lookupsOf.set(ctx, lookups);
  }
  return lookups;
}

/** Type options: objects of this type are shown only to principals the policy lets read them. */
export const scopedType = <K extends ScopedKind>(kind: K) => ({ readPolicy: kind });

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      recordPolicy: RecordPolicyPlugin<Types>;
    }
    interface ObjectTypeOptions<Types extends SchemaTypes, Shape> {
      /** The policy's record decision (mayRead) for objects of this type. */
      readPolicy?: ScopedKind;
    }
  }
}

type Decide = (p: NonNullable<Context['user']>, record: unknown, look: PolicyLookups) => boolean | Promise<boolean>;

/** README: a refusal names the kind of record ("无权访问：该批次超出您的权限范围"). */
const RECORD_NAMES: Record<ScopedKind, string> = {
  stockLine: '该库存',
  batch: '该批次',
  document: '该单据',
  movement: '该库存流水',
  transfer: '该调拨单',
  agreement: '该协议',
  incident: '该事件',
  plan: '该调拨方案',
  order: '该出库申请',
  approval: '该审批事项',
  settlement: '该结算',
  jointAgreement: '该联储协议',
  distribution: '该发放记录',
  auditEntry: '该审计日志',
};

/**
 * Returns the record when the principal may read it; else FORBIDDEN naming its kind — and `field`, the argument that
 * named the record, on a root look-up by id (UNAUTHENTICATED without a principal).
 */
function vetted(decide: Decide, kind: ScopedKind, ctx: Context, record: unknown, field?: string): unknown {
  if (record === null || record === undefined) return record;
  if (!ctx.user) throw unauthenticated(ctx.sessionRefused);
  const allowed = decide(ctx.user, record, policyLookups(ctx));
  if (allowed === true) return record;
  if (allowed === false) throw forbidden(RECORD_NAMES[kind], field);
  return allowed.then((ok) => {
    if (!ok) throw forbidden(RECORD_NAMES[kind], field);
    return record;
  });
}

/**
 * Vets a field's value of type `type` (lists element by element, through promises). A record out of scope fails the
 * whole list, as it did when its own non-null fields failed: the schema's lists have non-null elements.
 */
function vetValue(
  type: PothosOutputFieldType<SchemaTypes>,
  decide: Decide,
  kind: ScopedKind,
  ctx: Context,
  value: unknown,
  field: string | undefined,
): unknown {
  if (isThenable(value)) return Promise.resolve(value).then((v) => vetValue(type, decide, kind, ctx, v, field));
  if (type.kind !== 'List') return vetted(decide, kind, ctx, value, field);
  if (value === null || value === undefined) return value;
  const items = [...(value as Iterable<unknown>)].map((item) => vetValue(type.type, decide, kind, ctx, item, field));
  return items.some(isThenable) ? Promise.all(items) : items;
}

export class RecordPolicyPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    let named = fieldConfig.type;
    while (named.kind === 'List') named = named.type;
    if (named.kind !== 'Object') return resolver;
    const kind = (this.buildCache.getTypeConfig(named.ref).pothosOptions as { readPolicy?: ScopedKind }).readPolicy;
    if (!kind) return resolver;
    // See vetValue: a scoped record is never a nullable element of a list.
    for (let t = fieldConfig.type; t.kind === 'List'; t = t.type) {
      if (t.type.nullable) throw new Error(`${fieldConfig.parentType}.${fieldConfig.name}: a list of ${kind} records must not have nullable elements`);
    }
    const decide = mayRead[kind] as Decide;
    const type = fieldConfig.type as PothosOutputFieldType<SchemaTypes>;
    const field = fieldConfig.parentType === 'Query' && 'id' in fieldConfig.args ? 'id' : undefined;
    return (parent, args, ctx, info) => vetValue(type, decide, kind, ctx as unknown as Context, resolver(parent, args, ctx, info), field);
  }
}

/** The plugin's name, for the builder's plugin list. */
export const recordPolicy = 'recordPolicy' as const;
SchemaBuilder.registerPlugin(recordPolicy, RecordPolicyPlugin);
