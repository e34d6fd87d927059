import { describe, expect, it } from 'vitest';
import { DomainError } from '../../server/errors.ts';
import { formatFen, formatMoney, moneyTimes, parseMoney, toFen } from '../../server/money.ts';
import { cursorString, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE, pageRequest, toPage } from '../../server/pagination.ts';

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('API.md Money: exact yuan amounts, arithmetic in fen (never a float)', () => {
  it('converts yuan strings to fen exactly', () => {
    expect(toFen('1234.50')).toBe(123450n);
    expect(toFen('1234.5')).toBe(123450n);
    expect(toFen('0.01')).toBe(1n);
    expect(toFen('7')).toBe(700n);
    expect(toFen('-0.05')).toBe(-5n);
    expect(toFen('999999999999.99')).toBe(99999999999999n);
  });

  it('adds 0.10 + 0.20 to exactly 0.30 (a float gives 0.30000000000000004)', () => {
    expect(formatFen(toFen('0.10') + toFen('0.20'))).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
  });

  it('multiplies without rounding drift: 3 × 999999999999.99 and 1000 × 0.07', () => {
    expect(formatFen(toFen('999999999999.99') * 3n)).toBe('2999999999999.97');
    expect(formatFen(toFen('0.07') * 1000n)).toBe('70.00');
  });

  it('formats fen as a two-place decimal string, including negatives and zero', () => {
    expect(formatFen(0n)).toBe('0.00');
    expect(formatFen(5n)).toBe('0.05');
    expect(formatFen(-5n)).toBe('-0.05');
    expect(formatFen(-123456n)).toBe('-1234.56');
    expect(formatFen(100n)).toBe('1.00');
  });

  it('normalises database numerics ("12.5", 12, "2180.00") to the API form', () => {
    expect(formatMoney('12.5')).toBe('12.50');
    expect(formatMoney(12)).toBe('12.00');
    expect(formatMoney('2180.00')).toBe('2180.00');
    expect(formatMoney('0')).toBe('0.00');
    expect(formatMoney('-0.00')).toBe('0.00');
    expect(formatMoney('007.10')).toBe('7.10');
    expect(formatMoney('-12.05')).toBe('-12.05');
  });

  it("moneyTimes (a line's value) equals the bigint product, in and beyond the range where a Number is exact", () => {
    const exact = (q: number, p: string) => formatFen(toFen(p) * BigInt(q));
    const cases: [number, string][] = [
      [3, '999999999999.99'],
      [1000, '0.07'],
      [0, '12.50'],
      [-7, '0.05'],
      [2_147_483_647, '999999999999.99'],
      [-2_147_483_648, '4194304.01'],
      [90, '100000000000.01'],
      [90_072, '999999999.99'],
      [1, '-0.01'],
      [12, '7'],
      [12, '7.5'],
    ];
    for (const [q, p] of cases) expect(moneyTimes(q, p), `${q} × ${p}`).toBe(exact(q, p));
    // Randomly around the boundary of 2^53 fen, both ways.
    for (let i = 0; i < 2000; i++) {
      const price = `${Math.floor(Math.random() * 10 ** (1 + (i % 12)))}.${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`;
      const q = Math.floor(Math.random() * 2 ** (1 + (i % 31))) * (i % 3 === 0 ? -1 : 1);
      expect(moneyTimes(q, price), `${q} × ${price}`).toBe(exact(q, price));
    }
  });

  it('parseMoney accepts at most 2 decimal places and returns the canonical form', () => {
    expect(parseMoney('1234.5', 'unitPrice')).toBe('1234.50');
    expect(parseMoney(' 12 ', 'unitPrice')).toBe('12.00');
    expect(parseMoney('0.01', 'unitPrice')).toBe('0.01');
    expect(parseMoney('-3.1', 'unitPrice')).toBe('-3.10');
  });

  it.each(['1.234', '0.001', 'abc', '', '1e3', '1,000.00', '.5', '12.', '¥12', '12.5元', '1234567890123', 'NaN', '--1'])(
    'parseMoney rejects %j with BAD_USER_INPUT naming the field',
    (bad) => {
      const e = thrown(() => parseMoney(bad, 'lines.0.unitPrice'));
      expect(e.code).toBe('BAD_USER_INPUT');
      expect(e.details.field).toBe('lines.0.unitPrice');
      expect(e.details.value).toBe(bad);
    },
  );

  it.each(['9999999999999.99', '1000000000000', '-1000000000000.5'])('parseMoney tells %j it is too large, naming the limit (not its format)', (big) => {
    const e = thrown(() => parseMoney(big, 'lines.0.unitPrice'));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toBe(`金额过大：${big}（最多 999999999999.99 元）`);
    expect(e.details).toMatchObject({ field: 'lines.0.unitPrice', max: '999999999999.99' });
  });
});

describe('API.md connections: pageRequest validates first and after', () => {
  it('defaults first to the default page size and after to none', () => {
    expect(pageRequest({}, 'stores', ['text'])).toEqual({ list: 'stores', limit: DEFAULT_PAGE_SIZE, after: null });
    expect(pageRequest({ first: null, after: null }, 'stores', ['text'])).toEqual({ list: 'stores', limit: DEFAULT_PAGE_SIZE, after: null });
    expect(DEFAULT_PAGE_SIZE).toBe(50);
  });

  it('accepts 0 and the maximum of 500', () => {
    expect(MAX_PAGE_SIZE).toBe(500);
    expect(pageRequest({ first: 0 }, 'stores', ['text']).limit).toBe(0);
    expect(pageRequest({ first: 500 }, 'stores', ['text']).limit).toBe(500);
  });

  it.each([-1, 501, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('first = %s → BAD_USER_INPUT with field "first"', (first) => {
    const e = thrown(() => pageRequest({ first }, 'stores', ['text']));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.details.field).toBe('first');
  });

  it('decodes a cursor made by encodeCursor back to its sort key', () => {
    const cursor = encodeCursor('stores', ['S-410781-01']);
    expect(cursor).not.toContain('S-410781-01'); // opaque
    expect(pageRequest({ first: 5, after: cursor }, 'stores', ['text'])).toEqual({ list: 'stores', limit: 5, after: ['S-410781-01'] });
    expect(cursorString(pageRequest({ after: cursor }, 'stores', ['text']))).toBe('S-410781-01');
  });

  it.each([
    ['garbage', 'not-a-cursor!!'],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
    ['a JSON object, not a key array', Buffer.from('{"code":"x"}').toString('base64url')],
    ['a JSON string', Buffer.from('"S-1"').toString('base64url')],
  ])('a bad after cursor (%s) → BAD_USER_INPUT with field "after"', (_label, after) => {
    const e = thrown(() => pageRequest({ first: 5, after }, 'stores', ['text']));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.details.field).toBe('after');
  });

  it.each([
    ['a number where text is kept', ['text'], [42]],
    ['a key of the wrong length', ['text'], ['a', 'b']],
    ['SQL where a movement id is kept', ['int'], ['1 OR 1=1']],
    ['a number beyond the exact integers', ['int'], [1e308]],
    ['a negative id', ['int'], [-1]],
    ['null where an id is kept', ['int'], [null]],
    ['a non-UUID where a UUID is kept', ['timestamp', 'uuid'], ['2026-11-01T00:00:00.000Z', 'x']],
    ['a non-time where a time is kept', ['timestamp', 'uuid'], ['yesterday', '3a09fe12-478e-55d9-9fb0-a265294e444f']],
    ['an impossible date', ['date', 'uuid', 'uuid'], ['2026-13-45', '3a09fe12-478e-55d9-9fb0-a265294e444f', '3a09fe12-478e-55d9-9fb0-a265294e444f']],
  ] as const)('a cursor with %s → BAD_USER_INPUT 分页游标无效 before any SQL', (_label, shape, key) => {
    const e = thrown(() => pageRequest({ after: encodeCursor('stores', [...key]) }, 'stores', shape));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.details.field).toBe('after');
    expect(e.message).toContain('分页游标无效');
  });

  it("a cursor of another list is refused even when its key has this list's shape", () => {
    const e = thrown(() => pageRequest({ after: encodeCursor('items', ['FIR-002']) }, 'stores', ['text']));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.details.field).toBe('after');
    expect(e.message).toContain('分页游标无效');
  });

  it("a cursor of the list's own shape is accepted as it was made", () => {
    const key = ['2026-11-01T08:00:00.000Z', '3a09fe12-478e-55d9-9fb0-a265294e444f'];
    expect(pageRequest({ after: encodeCursor('stores', key) }, 'stores', ['timestamp', 'uuid']).after).toEqual(key);
    expect(pageRequest({ after: encodeCursor('stores', [17]) }, 'stores', ['int']).after).toEqual([17]);
  });

  it('toPage keeps `limit` rows and reports a next page only when an extra row was fetched', async () => {
    const req = pageRequest({ first: 2 }, 'stores', ['text']);
    const rows = [{ code: 'a' }, { code: 'b' }, { code: 'c' }];
    const page = toPage(
      rows,
      req,
      (r) => [r.code],
      async () => 3,
    );
    expect(page.nodes.map((r) => r.code)).toEqual(['a', 'b']);
    expect(page.hasNextPage).toBe(true);
    expect(pageRequest({ after: page.cursor(page.nodes[1]) }, 'stores', ['text']).after).toEqual(['b']);
    expect(await page.totalCount()).toBe(3);
    const last = toPage(
      rows.slice(0, 2),
      req,
      (r) => [r.code],
      async () => 2,
    );
    expect(last.hasNextPage).toBe(false);
    expect(last.nodes).toHaveLength(2);
  });
});
