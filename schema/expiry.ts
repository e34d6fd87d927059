import { builder } from './builder.ts';
import { must } from './resolve.ts';
import { Batch, StockLine } from './inventory.ts';
import { RotationDueLine } from './reserves.ts';
import { todayInChina } from '../server/clock.ts';
import { daysToExpiry, isExpired } from '../server/inventory/expiry.ts';
import type { BatchOfLine, StockRow } from '../server/inventory/queries.ts';
import type { Context } from '../server/context.ts';

// D26 过期冻结 on the types that show batches: whether a batch is frozen today (China time) and how long it has left.

/**
 * Today in China, once per request (read again after a minute, for a context that lives long: a subscription): a
 * nested stock read asks it for every line (expired, daysToExpiry, available).
 */
const todays = new WeakMap<Context, { today: string; at: number }>();
const todayOf = (ctx: Context) => {
  const known = todays.get(ctx);
  if (known && Date.now() - known.at < 60_000) return known.today;
  const today = todayInChina(ctx.clock);
  todays.set(ctx, { today, at: Date.now() });
  return today;
};

const expiryFields = <P>(batchOf: (parent: P, ctx: Context) => Promise<BatchOfLine>) => ({
  expired: {
    description: 'D26: past its expiry date (from 00:00 China time on expiryDate): frozen, leaves only by rotation or approved scrap',
    resolve: async (p: P, _a: object, ctx: Context) => isExpired((await batchOf(p, ctx)).expiryDate, todayOf(ctx)),
  },
  daysToExpiry: {
    description: 'Days from today (China time) to the expiry date: 0 on that day, negative after; null without expiry',
    resolve: async (p: P, _a: object, ctx: Context) => daysToExpiry((await batchOf(p, ctx)).expiryDate, todayOf(ctx)),
  },
});

const ofBatch = expiryFields<BatchOfLine>((b) => Promise.resolve(b));
builder.objectFields(Batch, (t) => ({
  expired: t.boolean(ofBatch.expired),
  daysToExpiry: t.int({ nullable: true, ...ofBatch.daysToExpiry }),
}));

const ofLine = expiryFields<{ batchId: string; batch?: BatchOfLine }>((l, ctx) =>
  l.batch ? Promise.resolve(l.batch) : must(ctx.loaders.batch.load(l.batchId)),
);

/**
 * D26: what of a line is not reserved, split by whether it may leave by issue, shipment or plan — all of it, or (an
 * expired batch, frozen) none: then it is frozen, leaving only by rotation or approved scrap. Synchronous when the batch
 * came with the line (nested stock reads).
 */
const unreserved = (l: StockRow, ctx: Context, frozen: boolean): number | Promise<number> => {
  const split = (b: BatchOfLine) => (isExpired(b.expiryDate, todayOf(ctx)) === frozen ? l.onHand - l.reserved : 0);
  return l.batch ? split(l.batch) : must(ctx.loaders.batch.load(l.batchId)).then(split);
};

builder.objectFields(StockLine, (t) => ({
  expired: t.boolean(ofLine.expired),
  daysToExpiry: t.int({ nullable: true, ...ofLine.daysToExpiry }),
  available: t.int({
    description: 'On hand less reserved: what may be issued, shipped or planned. 0 for an expired batch (D26: frozen; what it holds unreserved is in frozen)',
    resolve: (l, _a, ctx) => unreserved(l, ctx, false),
  }),
  frozen: t.int({
    description: 'D26: of an expired batch, on hand less reserved — frozen, it leaves only by rotation or approved scrap; 0 for a batch not expired',
    resolve: (l, _a, ctx) => unreserved(l, ctx, true),
  }),
}));

builder.objectField(RotationDueLine, 'expired', (t) =>
  t.exposeBoolean('expired', { description: 'D26: expired batches are listed first, apart from those merely due' }),
);
