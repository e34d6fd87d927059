import { describe, expect, it } from 'vitest';
import { chinaText, chinaYear } from '../../server/clock.ts';

/** One formatter for every instant people read — messages, reports, exports, prints, file names — in China time. */
describe('China time (clock.ts): instants as keepers read them', () => {
  const newYearsEveUtc = new Date('2026-12-31T16:30:05.250Z'); // 2027-01-01 00:30:05 in Beijing

  it('is China time to the second by default, whatever the server zone', () => {
    expect(chinaText(newYearsEveUtc)).toBe('2027-01-01 00:30:05');
    expect(chinaText('2026-12-31T16:30:05.250Z')).toBe('2027-01-01 00:30:05');
  });

  it('takes the precision a message, a report heading or a file name needs', () => {
    expect(chinaText(newYearsEveUtc, 'yyyy-LL-dd HH:mm')).toBe('2027-01-01 00:30');
    expect(chinaText(newYearsEveUtc, 'yyyyLLdd-HHmm')).toBe('20270101-0030');
  });

  it('numbers a document by its China-time year (RK-2027-… just after midnight on 1 January in Beijing)', () => {
    expect(chinaYear(newYearsEveUtc)).toBe('2027');
    expect(chinaYear(new Date('2026-12-31T15:59:59Z'))).toBe('2026');
  });
});
