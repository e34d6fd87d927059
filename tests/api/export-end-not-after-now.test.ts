import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { download, openWorkbook } from '../support/paperwork.ts';

// Sweep 18c F4 (D21, D22; README exports: "Today's end has not come: a date alone of today as the end is now"): an
// export's end that has not come is refused, one rule for the journal's `to` and the valuation's `asOf` — the journal
// accepted `to=<tomorrow>` and titled the sheet 「至 <tomorrow> 24:00」, a period not ended printed as if it had, while
// the valuation refused it. Today's date alone is still now, and an end in the past is as before.

const t = useTestApp({ resetClock: true });
const NOW = '2026-12-06T22:15:00Z'; // 2026-12-07 06:15 China time: the UTC date (12-06) and the China date differ

const period = async (path: string, query: Record<string, string>) => {
  const res = await download(t, path, 'auditor', query);
  expect(res.status, String(res.body)).toBe(200);
  const ws = await openWorkbook(res.body as Buffer);
  const texts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((c) => String(ws.getRow(2).getCell(c).value ?? ''));
  return texts.find((s) => s.startsWith('期间：'))!.slice(3);
};

describe('sweep 18c F4: an export’s end after now is refused (D21, D22)', () => {
  it('D22: journal.xlsx?to=<tomorrow, China> is refused at `to`, saying the end has not come; today is now', async () => {
    t.clock.set(NOW);
    for (const to of ['2026-12-08', '2026-12-07T07:00:00+08:00', '2026-12-07T23:59:59.999+08:00']) {
      for (const path of ['/exports/journal.xlsx', '/exports/journal.csv']) {
        const res = await download(t, path, 'auditor', { to });
        expect(res.status, `${path} ${to}`).toBe(400);
        const error = JSON.parse(String(res.text ?? res.body)).error;
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
        expect(error.message).toMatch(/^截止日期：.* 晚于当前时间（2026-12-07 06:15），该时点尚未到来/);
      }
    }
    expect(await period('/exports/journal.xlsx', { to: '2026-12-07' })).toBe('最早 至 2026-12-07 06:15');
    expect(await period('/exports/journal.xlsx', { from: '2026-12-01', to: '2026-12-06' })).toBe('2026-12-01 00:00 后至 2026-12-06 24:00');
  });

  it('D21: valuation.xlsx?asOf=<tomorrow> is refused by the same rule, at `asOf`', async () => {
    t.clock.set(NOW);
    const res = await download(t, '/exports/valuation.csv', 'auditor', { asOf: '2026-12-08' });
    expect(res.status).toBe(400);
    const error = JSON.parse(res.text).error;
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    expect(error.message).toMatch(/^截止时间：2026-12-08 24:00 晚于当前时间/);
    expect(await period('/exports/valuation.xlsx', { asOf: '2026-12-07' })).toBe('截至 2026-12-07 06:15');
  });
});
