import { builder } from './builder.ts';
import { must } from './resolve.ts';
import { Batch, StockLine } from './inventory.ts';
import { RotationDueLine } from './reserves.ts';
import { todayInChina } from '../server/clock.ts';
import { daysToExpiry, isExpired } from '../server/inventory/expiry.ts';
import type { BatchOfLine } from '../server/inventory/queries.ts';
import type { Context } from '../server/context.ts';

// D26 过期冻结 on the types that show batches: whether a batch is frozen today (China time) and how long it has left.

const expiryFields = <P>(batchOf: (parent: P, ctx: Context) => Promise<BatchOfLine>) => ({
  expired: {
    description: 'D26: past its expiry date (from 00:00 China time on expiryDate): frozen, leaves only by rotation or approved scrap',
    resolve: async (p: P, _a: object, ctx: Context) => isExpired((await batchOf(p, ctx)).expiryDate, todayInChina(ctx.clock)),
  },
  daysToExpiry: {
    description: 'Days from today (China time) to the expiry date: 0 on that day, negative after; null without expiry',
    resolve: async (p: P, _a: object, ctx: Context) => daysToExpiry((await batchOf(p, ctx)).expiryDate, todayInChina(ctx.clock)),
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
builder.objectFields(StockLine, (t) => ({
  expired: t.boolean(ofLine.expired),
  daysToExpiry: t.int({ nullable: true, ...ofLine.daysToExpiry }),
}));

builder.objectField(RotationDueLine, 'expired', (t) =>
  t.exposeBoolean('expired', { description: 'D26: expired batches are listed first, apart from those merely due' }),
);
