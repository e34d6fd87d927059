import { builder } from './builder.ts';
import { must } from './resolve.ts';
import { Item } from './catalog.ts';
import { Store } from './stores.ts';
import { DispatchDestination, DispatchPlan, DispatchPlanLine, Incident } from './dispatch.ts';
import type { Context } from '../server/context.ts';
import type { PlanView } from '../server/dispatch/plans.ts';
import type { IncidentRow } from '../server/dispatch/incidents.ts';
import {
  arrivalAt,
  basicNeedsDeadline,
  basicNeedsLines,
  basicNeedsMet,
  FIRST_BATCH_HOURS,
  hoursBetween,
  meetsBasicNeedsTarget,
  respondingLevel,
  type BasicNeedsLine,
} from '../server/relief/deadlines.ts';

// D16, D28: the 10-hour clock on plans and incidents.

const incidentOf = (plan: PlanView, ctx: Context) => must(ctx.loaders.incident.load(plan.incidentId));
/** Stock leaves when the plan is executed; a plan not yet executed is measured as if it left now. */
const startOf = (plan: PlanView, ctx: Context) => plan.row?.executedAt ?? ctx.clock.now().toJSDate();
/** The order (调拨令) is the approval; a plan not yet approved is measured as if ordered now. */
const orderOf = (plan: PlanView, ctx: Context) => plan.row?.approvedAt ?? ctx.clock.now().toJSDate();

builder.objectFields(DispatchPlanLine, (t) => ({
  arrivesAt: t.field({
    type: 'DateTime',
    description: 'D28: when the line arrives — execution time (now, before execution) plus its ETA',
    resolve: (l, _a, ctx) => arrivalAt(startOf(l.plan, ctx), l.etaHours),
  }),
  hoursSinceIncident: t.float({
    description: "D28: hours from the disaster (the incident's occurredAt) to the line's arrival",
    resolve: async (l, _a, ctx) => hoursBetween((await incidentOf(l.plan, ctx)).occurredAt, arrivalAt(startOf(l.plan, ctx), l.etaHours)),
  }),
  meetsBasicNeedsTarget: t.boolean({
    description: 'D16, D28: arrives no later than occurredAt + 10 h',
    resolve: async (l, _a, ctx) => meetsBasicNeedsTarget(arrivalAt(startOf(l.plan, ctx), l.etaHours), (await incidentOf(l.plan, ctx)).occurredAt),
  }),
}));

const RespondingLevel = builder.enumType('RespondingLevel', { values: ['COUNTY', 'CITY', 'PROVINCE'] as const });

interface FirstBatch {
  plan: PlanView;
  destinationIdx: number;
  orderedAt: Date;
  dueAt: Date;
  arrivesAt: Date | null;
}

const FirstBatchLine = builder.objectRef<FirstBatch>('FirstBatchTarget').implement({
  description: "D16: a destination's first batch against the responding level's target, counted from the order",
  fields: (t) => ({
    destination: t.field({ type: DispatchDestination, resolve: (f) => f.plan.destinations[f.destinationIdx] }),
    orderedAt: t.field({ type: 'DateTime', resolve: (f) => f.orderedAt }),
    dueAt: t.field({ type: 'DateTime', resolve: (f) => f.dueAt }),
    arrivesAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The earliest line to arrive; null when nothing is planned',
      resolve: (f) => f.arrivesAt,
    }),
    met: t.boolean({ resolve: (f) => f.arrivesAt !== null && f.arrivesAt.getTime() <= f.dueAt.getTime() }),
  }),
});

builder.objectFields(DispatchPlan, (t) => ({
  basicNeedsDeadline: t.field({
    type: 'DateTime',
    description: "D28: the incident's occurredAt + 10 h",
    resolve: async (p, _a, ctx) => basicNeedsDeadline((await incidentOf(p, ctx)).occurredAt),
  }),
  meetsBasicNeedsTarget: t.boolean({
    description: 'D28: every line arrives by occurredAt + 10 h and nothing is short',
    resolve: async (p, _a, ctx) => {
      const { occurredAt } = await incidentOf(p, ctx);
      return p.shortages.length === 0 && p.lines.every((l) => meetsBasicNeedsTarget(arrivalAt(startOf(p, ctx), l.etaHours), occurredAt));
    },
  }),
  respondingLevel: t.field({
    type: RespondingLevel,
    description: "D16: from the incident's response level (Ⅳ county, Ⅲ city, Ⅱ/Ⅰ province), else where it happened",
    resolve: async (p, _a, ctx) => {
      const incident = await incidentOf(p, ctx);
      return respondingLevel(incident.responseLevel, incident.regionCode);
    },
  }),
  firstBatchTargetHours: t.float({
    description: 'D16: 6 h county, 8 h city, 10 h province, from the order',
    resolve: async (p, _a, ctx) => {
      const incident = await incidentOf(p, ctx);
      return FIRST_BATCH_HOURS[respondingLevel(incident.responseLevel, incident.regionCode)];
    },
  }),
  firstBatches: t.field({
    type: [FirstBatchLine],
    description: 'D16: per destination, its first arrival against the first-batch target (flagged when missed)',
    resolve: async (p, _a, ctx) => {
      const incident = await incidentOf(p, ctx);
      const hours = FIRST_BATCH_HOURS[respondingLevel(incident.responseLevel, incident.regionCode)];
      const orderedAt = orderOf(p, ctx);
      const start = startOf(p, ctx);
      return p.destinations.map((d): FirstBatch => {
        const etas = p.lines.filter((l) => l.destinationIdx === d.idx).map((l) => l.etaHours);
        return {
          plan: p,
          destinationIdx: d.idx,
          orderedAt,
          dueAt: arrivalAt(orderedAt, hours),
          arrivesAt: etas.length ? arrivalAt(start, Math.min(...etas)) : null,
        };
      });
    },
  }),
}));

const BasicNeedsLineType = builder.objectRef<BasicNeedsLine>('BasicNeedsLine').implement({
  description: 'D28: per 安置点 and item, requested against received there (by the 10-hour deadline and in all)',
  fields: (t) => ({
    store: t.field({ type: Store, resolve: (l, _a, ctx) => must(ctx.loaders.store.load(l.storeId)) }),
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    requested: t.exposeInt('requested'),
    receivedByDeadline: t.exposeInt('receivedByDeadline'),
    received: t.exposeInt('received'),
    met: t.boolean({ resolve: (l) => l.receivedByDeadline >= l.requested }),
  }),
});

const needsOf = (i: IncidentRow, ctx: Context) => basicNeedsLines(ctx.db, i.id, basicNeedsDeadline(i.occurredAt));

builder.objectFields(Incident, (t) => ({
  hoursSinceOccurred: t.float({
    description: 'D28: hours since the disaster',
    resolve: (i, _a, ctx) => hoursBetween(i.occurredAt, ctx.clock.now().toJSDate()),
  }),
  basicNeedsDeadline: t.field({ type: 'DateTime', description: 'D16, D28: occurredAt + 10 h', resolve: (i) => basicNeedsDeadline(i.occurredAt) }),
  basicNeedsMet: t.boolean({
    description: 'D28: every requested quantity was received at its 安置点 within 10 h of the disaster',
    resolve: async (i, _a, ctx) => basicNeedsMet(await needsOf(i, ctx)),
  }),
  basicNeeds: t.field({ type: [BasicNeedsLineType], description: 'D28: per 安置点 and item', resolve: (i, _a, ctx) => needsOf(i, ctx) }),
}));
