import { builder } from './builder.ts';
import { must, serviceContext } from './resolve.ts';
import { connectionType } from './connection.ts';
import { withoutNulls } from '../server/validation.ts';
import { createItem, getItem, listCategories, listItems, updateItem, type CategoryRow, type ItemWithCategory } from '../server/catalog/service.ts';

export const Category = builder.objectRef<CategoryRow>('Category');
export const RecoveryKind = builder.enumType('RecoveryKind', { values: ['ALWAYS', 'WITHIN_MONTHS', 'NEVER'] as const });

export const Item = builder.objectRef<ItemWithCategory>('Item').implement({
  description: 'D4, D5: a kind of material in the catalog, in its base unit of measure',
  fields: (t) => ({
    id: t.exposeID('id'),
    code: t.exposeString('code'),
    gbCode: t.exposeString('gbCode', { nullable: true, description: 'GB/T 38565-2020 class code, where known' }),
    name: t.exposeString('name'),
    spec: t.exposeString('spec', { nullable: true }),
    unit: t.exposeString('unit'),
    category: t.field({ type: Category, resolve: (i, _a, ctx) => i.category ?? must(ctx.loaders.category.load(i.categoryCode)) }),
    referencePrice: t.field({ type: 'Money', nullable: true, resolve: (i) => i.referencePrice }),
    storageLifeMonths: t.exposeInt('storageLifeMonths', {
      nullable: true,
      description: 'D10 储存年限: a change applies to batches received afterwards; a batch received keeps the life it came in under (D31)',
    }),
    rotationLeadMonths: t.exposeInt('rotationLeadMonths', {
      description: 'D10 轮换提前期: a change applies to batches received afterwards; a batch received keeps its rotate-by date (D31)',
    }),
    recoveryKind: t.expose('recoveryKind', { type: RecoveryKind, description: 'D12: whether the item is recovered after an incident' }),
    recoveryMonths: t.exposeInt('recoveryMonths', { nullable: true }),
  }),
});

Category.implement({
  description: 'D4: a plan (专栏) category',
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    items: t.field({ type: [Item], resolve: (c, _a, ctx) => ctx.loaders.categoryItems.load(c.code) }),
  }),
});

export const ItemConnection = connectionType('Item', Item);

builder.queryFields((t) => ({
  categories: t.field({
    type: [Category],
    authScopes: { authenticated: true },
    description: 'D4: the plan categories (专栏) of the national catalog; reference data readable by every user',
    resolve: (_r, _a, ctx) => listCategories(ctx.db),
  }),
  items: t.field({
    type: ItemConnection,
    authScopes: { authenticated: true },
    description: 'D4, D5: the national catalog by code, optionally of a category or matching a word of name, code or specification; readable by every user',
    args: { categoryCode: t.arg.string(), search: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, args, ctx) => listItems(ctx.db, args, args),
  }),
  item: t.field({
    type: Item,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'A catalog item by id; reference data readable by every user',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => getItem(ctx.db, String(args.id), 'id'),
  }),
}));

const RecoveryRuleInput = builder.inputType('RecoveryRuleInput', {
  fields: (t) => ({ kind: t.field({ type: RecoveryKind, required: true }), months: t.int() }),
});

const itemInputFields = (t: PothosSchemaTypes.InputFieldBuilder<any, 'InputObject'>, required: boolean) => ({
  categoryCode: t.string({ required }),
  name: t.string({ required }),
  unit: t.string({ required }),
  spec: t.string(),
  gbCode: t.string(),
  referencePrice: t.field({ type: 'Money' }),
  storageLifeMonths: t.int(),
  rotationLeadMonths: t.int(),
  recovery: t.field({ type: RecoveryRuleInput }),
});

const CreateItemInput = builder.inputType('CreateItemInput', {
  fields: (t) => ({ code: t.string({ required: true }), ...itemInputFields(t, true) }),
});
const UpdateItemInput = builder.inputType('UpdateItemInput', {
  fields: (t) => ({ code: t.string(), ...itemInputFields(t, false) }),
});

builder.mutationFields((t) => ({
  createItem: t.field({
    type: Item,
    authScopes: { roles: ['ADMIN'] },
    description:
      'D4, D5: adds an item to the national catalog (code, category, unit, GB/T 38565 code, reference price, storage life, rotation lead, recovery rule); only an administrator without a region',
    args: { input: t.arg({ type: CreateItemInput, required: true }) },
    resolve: (_r, { input }, ctx) => createItem(serviceContext(ctx), withoutNulls(input)),
  }),
  updateItem: t.field({
    type: Item,
    authScopes: { roles: ['ADMIN'] },
    description: 'D5, D31: changes a catalog item; once stock of it has moved, its unit and category stay as they were; only an administrator without a region',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateItemInput, required: true }) },
    resolve: (_r, { id, input }, ctx) => updateItem(serviceContext(ctx), String(id), input),
  }),
}));
