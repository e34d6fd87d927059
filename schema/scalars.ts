import { DateTime } from 'luxon';
import { builder } from './builder.ts';
import { badInput } from '../server/errors.ts';
import { parseMoney, formatMoney } from '../server/money.ts';
import { chinaIso, inYearRange, YEARS, yearOutOfRange } from '../server/clock.ts';

builder.scalarType('DateTime', {
  description: 'ISO-8601 instant with offset; stored in UTC, shown in Asia/Shanghai',
  serialize: (v) => chinaIso(v),
  parseValue: (v) => {
    const dt = typeof v === 'string' ? DateTime.fromISO(v, { setZone: true }) : DateTime.invalid('not a string');
    if (!dt.isValid || !/(Z|[+-]\d{2}:?\d{2})$/.test(String(v))) {
      throw badInput(
        'DateTime',
        `时间格式错误：${String(v).slice(0, 64)}（应为 ${YEARS.from}–${YEARS.to} 年间带时区的 ISO-8601，如 2026-07-20T08:00:00+08:00）`,
      );
    }
    // The year as written (in its own offset: "1900-01-01T00:00:00+08:00" is in 1900), as the message words the range.
    if (!inYearRange(dt.year)) throw badInput('DateTime', yearOutOfRange('时间', String(v)));
    // Offsets on Earth run from −12:00 to +14:00: luxon takes "+25:00" or "+08:60" and moves the instant by them.
    const offset = /([+-])(\d{2}):?(\d{2})$/.exec(String(v));
    if (offset && (Number(offset[3]) > 59 || Number(offset[2]) * 60 + Number(offset[3]) > (offset[1] === '+' ? 14 : 12) * 60)) {
      throw badInput('DateTime', `时区偏移超出范围：${String(v).slice(0, 64)}（应在 -12:00 至 +14:00 之间，北京时间为 +08:00）`);
    }
    return dt.toUTC();
  },
});

builder.scalarType('Date', {
  description: 'Calendar date YYYY-MM-DD',
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      throw badInput('Date', `日期格式错误：${String(v).slice(0, 64)}（应为 ${YEARS.from}–${YEARS.to} 年间的 YYYY-MM-DD）`);
    }
    if (!inYearRange(Number(v.slice(0, 4)))) throw badInput('Date', yearOutOfRange('日期', v));
    if (!DateTime.fromISO(v).isValid) throw badInput('Date', `日期不存在：${v}（该月没有这一天，请核对）`);
    return v;
  },
});

/** What a Money sent as anything but text is told: the amount is written as text, exactly as meant. */
const MONEY_AS_TEXT = '金额请以文本填写，如 "12.50"（数字形式的金额可能已被舍入，不予接受）';

builder.scalarType('Money', {
  description: 'Exact amount in yuan: a decimal string with at most 2 places, e.g. "1234.50"',
  serialize: (v) => formatMoney(v),
  // API.md: exact, never a float. Only text is taken (sweep 18c F2): a JSON number or a number written in the query has
  // been a binary double before it arrives — 1.999999999999999999 arrives as 2, 9007199254740993 as …992 — so it is
  // refused whatever it looks like, never rounded into the books; a GraphQL literal reaches here too (graphql-js parses
  // a scalar's literal through parseValue), so string and number forms follow one rule.
  parseValue: (v) => {
    if (typeof v !== 'string') throw badInput('Money', MONEY_AS_TEXT);
    return parseMoney(v, 'Money');
  },
});

export interface LatLngShape {
  lat: number;
  lng: number;
}

export const LatLng = builder.objectRef<LatLngShape>('LatLng').implement({
  fields: (t) => ({ lat: t.exposeFloat('lat'), lng: t.exposeFloat('lng') }),
});

export const LatLngInput = builder.inputType('LatLngInput', {
  fields: (t) => ({
    lat: t.float({ required: true }),
    lng: t.float({ required: true }),
  }),
});
