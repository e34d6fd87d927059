import { asc, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../drizzle/client.ts';
import { reliefStandards } from '../../drizzle/schema/index.ts';
import { badInput } from '../errors.ts';
import { itemFor } from '../inventory/common.ts';
import { isInSubtree } from '../regions/codes.ts';
import { getRegion, getRegionInScope, inRegionSubtree } from '../regions/service.ts';
import { idSchema, validate } from '../validation.ts';
import { assertHeadquarters } from './points.ts';
import { effectiveStandard, regionPath, type Standard } from './rules.ts';
import type { ServiceContext } from '../context.ts';

// D29 救助标准: per region and item, per person or per household; the one set nearest to a place applies there.

export type ReliefStandardRow = typeof reliefStandards.$inferSelect;

const standardSchema = z
  .object({
    regionCode: z.string(),
    itemId: idSchema,
    perPerson: z.number().positive('每人标准须大于 0').max(1000, '每人标准过大').nullish(),
    perHousehold: z.number().int('每户标准须为整数').positive('每户标准须大于 0').max(100_000, '每户标准过大').nullish(),
  })
  .refine((v) => ((v.perPerson ?? null) === null) !== ((v.perHousehold ?? null) === null), {
    path: ['perPerson'],
    message: '每人标准与每户标准须填且只填一项',
  });

/** upsertReliefStandard: a dispatcher (or administrator) sets the standard for a region in scope. */
export async function upsertReliefStandard(ctx: ServiceContext, input: unknown): Promise<ReliefStandardRow> {
  const { db, actor: user, clock } = ctx;
  assertHeadquarters(user);
  const v = validate(standardSchema, input);
  const region = await getRegionInScope(db, user, v.regionCode, 'input.regionCode');
  await itemFor(db, v.itemId, 'input.itemId');
  const values = {
    regionCode: region.code,
    itemId: v.itemId,
    perPerson: v.perPerson === null || v.perPerson === undefined ? null : String(v.perPerson),
    perHousehold: v.perHousehold ?? null,
    updatedBy: user.id,
    updatedAt: clock.now().toJSDate(),
  };
  if (values.perPerson !== null && !/^\d+(\.\d{1,3})?$/.test(values.perPerson)) throw badInput('input.perPerson', '每人标准最多 3 位小数');
  const [row] = await db
    .insert(reliefStandards)
    .values(values)
    .onConflictDoUpdate({ target: [reliefStandards.regionCode, reliefStandards.itemId], set: values })
    .returning();
  return row;
}

export const toStandard = (r: ReliefStandardRow): Standard => ({
  regionCode: r.regionCode,
  itemId: r.itemId,
  perPerson: r.perPerson === null ? null : Number(r.perPerson),
  perHousehold: r.perHousehold,
});

/** The standards set at a region or above it (standards are public policy: any signed-in user may read them). */
export async function standardsAbove(db: Db, regionCode: string): Promise<ReliefStandardRow[]> {
  return db
    .select()
    .from(reliefStandards)
    .where(inArray(reliefStandards.regionCode, regionPath(regionCode)))
    .orderBy(asc(reliefStandards.itemId), sql`length(rtrim(${reliefStandards.regionCode}, '0')) DESC`);
}

/**
 * reliefStandards(regionCode): the region's subtree (API.md: region arguments include the whole subtree) — every
 * standard set in it, each with its region — and, for each item, the standard that applies at the region when it is
 * set above it (inherited: the nearest above, D29). Standards are public policy: any signed-in user may read them, for
 * any region. By item, then region code (an ancestor's before the region's own, before those below it).
 */
export async function listReliefStandards(ctx: ServiceContext, regionCode: string): Promise<ReliefStandardRow[]> {
  const region = await getRegion(ctx.db, regionCode);
  const rows = await ctx.db
    .select()
    .from(reliefStandards)
    .where(or(inArray(reliefStandards.regionCode, regionPath(region.code)), inRegionSubtree(reliefStandards.regionCode, region.code)))
    .orderBy(asc(reliefStandards.itemId), asc(reliefStandards.regionCode));
  const standards = rows.map(toStandard);
  // Above the region only the one that applies there; in the subtree (the region itself included) every one.
  return rows.filter((r) => isInSubtree(r.regionCode, region.code) || effectiveStandard(standards, region.code, r.itemId)?.regionCode === r.regionCode);
}
