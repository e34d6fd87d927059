import { and, asc, eq, inArray, like, ne, type SQL } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { regions } from '../../drizzle/schema/index.ts';
import { notFound } from '../errors.ts';
import { type Principal } from '../auth/principal.ts';
import { assertRegionAccess } from '../auth/policy.ts';
import { normalizeRegionCode, subtreePrefix, type RegionLevel } from './codes.ts';

export type RegionRow = typeof regions.$inferSelect;

/**
 * regions(parentCode, level): under parentCode, its direct children; with a level as well, every region of that level
 * in parentCode's subtree (API.md: region arguments include the whole subtree), e.g. a city's townships.
 */
export async function listRegions(db: Db, args: { parentCode?: string | null; level?: RegionLevel | null }) {
  const where: SQL[] = [];
  if (args.parentCode) {
    const parent = await getRegion(db, args.parentCode, 'parentCode');
    where.push(args.level ? and(inRegionSubtree(regions.code, parent.code), ne(regions.code, parent.code))! : eq(regions.parentCode, parent.code));
  }
  if (args.level) where.push(eq(regions.level, args.level));
  return db
    .select()
    .from(regions)
    .where(and(...where))
    .orderBy(asc(regions.code));
}

/** The region for a 6- or 12-digit code; NOT_FOUND names the argument. */
export async function getRegion(db: Db, code: string, field = 'regionCode'): Promise<RegionRow> {
  const code12 = normalizeRegionCode(code, field);
  const [row] = await db.select().from(regions).where(eq(regions.code, code12));
  if (!row) throw notFound(field, '区划', code);
  return row;
}

/** A region the principal may read as a whole: NOT_FOUND if absent, FORBIDDEN outside their subtree (and for keepers). */
export async function getRegionInScope(db: Db, user: Principal, code: string, field = 'regionCode'): Promise<RegionRow> {
  const region = await getRegion(db, code, field);
  assertRegionAccess(user, region.code, `区划「${region.name}」`, field);
  return region;
}

/**
 * A list's region filter: the region (NOT_FOUND when unknown); one out of the caller's scope is FORBIDDEN — except for
 * a keeper, whose stores it only narrows (a keeper holds stores, not a region). The one rule of stock, journal,
 * stores, rotation and outbound-order lists.
 */
export async function filterRegion(db: Db, user: Principal, code: string, field = 'regionCode'): Promise<RegionRow> {
  const region = await getRegion(db, code, field);
  if (user.role !== 'KEEPER') assertRegionAccess(user, region.code, `区划「${region.name}」`, field);
  return region;
}

/**
 * The code prefix a region-wide read covers: the named region (checked against the user's scope), else the user's
 * own region ('' for a system-wide administrator). Keepers, scoped to stores, read no region as a whole.
 */
export async function readablePrefix(db: Db, user: Principal, regionCode: string | null | undefined): Promise<string> {
  if (regionCode) return subtreePrefix((await getRegionInScope(db, user, regionCode)).code);
  assertRegionAccess(user, user.regionCode ?? '000000000000', '区划');
  return user.regionCode ? subtreePrefix(user.regionCode) : '';
}

export const regionsByCodes = (db: Db, codes: readonly string[]) =>
  db
    .select()
    .from(regions)
    .where(inArray(regions.code, [...codes]));

export const regionsByParents = (db: Db, parents: readonly string[]) =>
  db
    .select()
    .from(regions)
    .where(inArray(regions.parentCode, [...parents]))
    .orderBy(asc(regions.code));

/** SQL condition: `column` lies in the subtree of region `code12`. */
export const inRegionSubtree = (column: Parameters<typeof like>[0], code12: string) => like(column, `${subtreePrefix(code12)}%`);
