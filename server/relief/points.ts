import { randomUUID } from 'node:crypto';
import { and, asc, eq, exists, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../drizzle/client.ts';
import { dispatchDestinations, dispatchPlans, incidents, movements, stores, userStores } from '../../drizzle/schema/index.ts';
import { coversUser } from '../auth/policy.ts';
import type { Principal } from '../auth/principal.ts';
import { badInput, DomainError, forbidden, invalidState, notFound } from '../errors.ts';
import { levelOfCode } from '../regions/codes.ts';
import { getRegionInScope } from '../regions/service.ts';
import { assertInRegion, latitude, longitude } from '../regions/location.ts';
import { assertIncidentOpen, getIncidentInScope, lockOpenIncident, type IncidentRow } from '../dispatch/incidents.ts';
import { hasOpenShipments } from '../dispatch/open-shipments.ts';
import { planNumber } from '../paperwork/print/plan.ts';
import { getStoreRow, type StoreRow } from '../stores/service.ts';
import { storesOfUsers, usersByIds } from '../users/service.ts';
import { idSchema, nameKey, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';
import { chinaIso, chinaText } from '../clock.ts';
import { claimCreateKey } from '../inventory/idempotency.ts';
import { idempotencyKeySchema } from '../inventory/common.ts';

// D29: 安置点 (distribution points) are first-class: a dispatcher opens them for an incident; their managers — keepers
// assigned to the point — receive transfers and distribute to households.

export function assertHeadquarters(user: Principal) {
  if (user.role !== 'ADMIN' && user.role !== 'DISPATCHER') throw forbidden('调度');
}

const pointSchema = z.object({
  incidentId: idSchema,
  name: z.string().trim().min(2, '安置点名称至少 2 个字').max(128),
  regionCode: z.string(),
  lat: latitude,
  lng: longitude,
  address: z.string().trim().max(256).nullish(),
  capacity: z.number().int('容纳人数须为整数').positive('容纳人数须大于 0').max(1_000_000).nullish(),
  managerIds: z.array(idSchema).max(20, '最多 20 名管理员').nullish(),
  // Sweep 23c (retries): optional (API.md asks it of stock mutations only); given, 开设 sent again after a lost answer
  // answers the point first opened instead of 「本事件已有安置点…不能重复开设」.
  idempotencyKey: idempotencyKeySchema.nullish(),
});

/** openDistributionPoint: a 安置点 store for the incident, in the dispatcher's region, with its managers (keepers). */
export async function openDistributionPoint(ctx: ServiceContext, input: unknown): Promise<StoreRow> {
  const { db, actor: user, clock } = ctx;
  assertHeadquarters(user);
  const v = validate(pointSchema, input);
  const incident = await getIncidentInScope(db, user, v.incidentId, 'input.incidentId');
  assertIncidentOpen(incident);
  const region = await getRegionInScope(db, user, v.regionCode, 'input.regionCode');
  assertInRegion(region, v, 'input.lat');
  const managerIds = await pointManagers(db, user, v.managerIds ?? []);
  // Sweep 23c (retries, D29): with a key, the same key and input answer the point first opened (audited REPLAYED), other
  // input IDEMPOTENCY_CONFLICT — createIncident's mechanism (server/inventory/idempotency.ts), claimed in this
  // mutation's transaction after the scope checks above and before the name check (the first call's own point would
  // refuse its retry). Keys are the caller's: another dispatcher's same key is a request of their own.
  const { id, first } = await claimCreateKey(db, 'distribution-point', {
    kind: 'openDistributionPoint',
    actorId: user.id,
    key: v.idempotencyKey,
    input: v,
    resultName: 'storeId',
    at: clock.now().toJSDate(),
  });
  if (first) return getStoreRow(db, first, 'input.idempotencyKey');
  return db.transaction(async (tx) => {
    // One name, one 安置点: the incident is held against a concurrent opening or request of the same name.
    await lockOpenIncident(tx, incident.id, 'no key update', 'input.incidentId');
    const twin = (await pointsOfIncident(tx, incident.id)).find((p) => nameKey(p.name) === nameKey(v.name));
    if (twin) throw badInput('input.name', `本事件已有安置点「${twin.name}」（${twin.code}）：不能重复开设，请直接使用它，不同地点请换一个名称`);
    const [point] = await tx
      .insert(stores)
      .values({
        ...(id && { id }),
        code: `AZD-${randomUUID().slice(0, 8).toUpperCase()}`,
        name: v.name,
        regionCode: region.code,
        level: pointLevel(region.code),
        kind: 'DISTRIBUTION_POINT',
        lat: v.lat,
        lng: v.lng,
        address: v.address ?? null,
        capacityPersons: v.capacity ?? null,
        incidentId: incident.id,
        createdAt: clock.now().toJSDate(),
      })
      .returning();
    if (managerIds.length) await tx.insert(userStores).values(managerIds.map((userId) => ({ userId, storeId: point.id })));
    return point;
  });
}

/**
 * D25, D29: a 安置点's managers are active keepers whom the caller's scope already covers — every store they hold lies
 * in the caller's region (policy: coversUser). Another jurisdiction's keeper is refused without being named: giving
 * them a store of ours would take them out of their own administrator's reach. Returns the ids, each once.
 */
async function pointManagers(db: Db, user: Principal, ids: readonly string[]): Promise<string[]> {
  const managerIds = [...new Set(ids)];
  if (!managerIds.length) return [];
  const [managers, held] = await Promise.all([usersByIds(db, managerIds), storesOfUsers(db, managerIds)]);
  for (const id of managerIds) {
    const field = `input.managerIds.${ids.indexOf(id)}`;
    const m = managers.find((u) => u.id === id);
    if (!m) throw notFound(field, '用户', id);
    const keeperStores = m.role === 'KEEPER' ? held.filter((h) => h.userId === id).map((h) => h.store) : [];
    // Out of scope, as every reference beyond the caller's region: FORBIDDEN at the field, the user unnamed (sweep 12b F8).
    if (!coversUser(user, m, keeperStores)) {
      throw new DomainError('FORBIDDEN', '无权指定：该用户不是您辖区内的人员，不能指定为安置点管理员（其他地区的库管员须由其所在地区安排）', { field });
    }
    if (m.role !== 'KEEPER' || !m.active) throw badInput(field, `「${m.displayName}」不是在岗的库管员，不能管理安置点`);
  }
  return managerIds;
}

/** A 安置点's level is its region's; one opened at province level counts as the city's (stores have no province level). */
export const pointLevel = (regionCode: string) => {
  const level = levelOfCode(regionCode);
  return level === 'PROVINCE' ? 'CITY' : level;
};

/** 安置点 names match whatever the width, case, spacing or invisible characters (「卫辉三中 安置点」 is 「卫辉三中安置点」). */
/**
 * A distribution point of the incident (a store of kind DISTRIBUTION_POINT opened for it). The refusal of a point of
 * another incident names the point only, not the incident (D23: asked before the incident's state, it tells nothing of
 * an incident the caller reaches by its id alone).
 */
export async function pointOfIncident(db: Db, storeId: string, incident: IncidentRow, field = 'input.storeId'): Promise<StoreRow> {
  const store = await getStoreRow(db, storeId, field);
  if (store.kind !== 'DISTRIBUTION_POINT') throw badInput(field, `「${store.name}」不是安置点，不能向群众发放`);
  if (store.incidentId !== incident.id) throw badInput(field, `安置点「${store.name}」不是该事件的安置点，不能为该事件发放`);
  return store;
}

/** The 安置点 of an incident (opened for it, or created by its dispatch requests). */
export const pointsOfIncident = (db: Db, incidentId: string) =>
  db
    .select()
    .from(stores)
    .where(and(eq(stores.incidentId, incidentId), eq(stores.kind, 'DISTRIBUTION_POINT')))
    .orderBy(stores.createdAt, stores.code);

/**
 * The 安置点 that serve the incident's people: opened for it, or opened by a request whose plan — or a later plan —
 * still delivers there, or holding stock. A point opened only for plans since cancelled serves nobody.
 */
export const servingPointsOfIncident = (db: Db, incidentId: string) =>
  db
    .select()
    .from(stores)
    .where(
      and(
        eq(stores.incidentId, incidentId),
        eq(stores.kind, 'DISTRIBUTION_POINT'),
        or(
          isNull(stores.openedByPlanId),
          exists(
            db
              .select({ one: sql`1` })
              .from(dispatchDestinations)
              .innerJoin(dispatchPlans, eq(dispatchPlans.id, dispatchDestinations.planId))
              .where(and(eq(dispatchDestinations.storeId, stores.id), ne(dispatchPlans.status, 'CANCELLED'))),
          ),
          exists(
            db
              .select({ one: sql`1` })
              .from(movements)
              .where(eq(movements.storeId, stores.id)),
          ),
        ),
      ),
    )
    .orderBy(stores.createdAt, stores.code);

/** closeIncident on an incident closed already: said so, not in the words that refuse what a closed incident takes. */
const alreadyClosed = (incident: IncidentRow) =>
  invalidState(`事件「${incident.name}」已结束（${chinaText(incident.closedAt!, 'yyyy-LL-dd HH:mm')}），无需再次结束`, {
    field: 'incidentId',
    closedAt: chinaIso(incident.closedAt!),
  });

/**
 * closeIncident: no more points, plans or distributions; recovery and reading go on. Refused while a plan of the
 * incident is still awaiting approval or approved but not executed: its stock would stay reserved for an incident
 * that is over. Those plans are executed or cancelled first. Refused too while an executing plan has goods on their
 * way (hasOpenShipments): they are received, or the shipment or call-off cancelled, first.
 */
export async function closeIncident(ctx: ServiceContext, incidentId: string): Promise<IncidentRow> {
  const { db, actor: user, clock } = ctx;
  assertHeadquarters(user);
  const incident = await getIncidentInScope(db, user, incidentId, 'incidentId');
  if (incident.closedAt) throw alreadyClosed(incident);
  return db.transaction(async (tx) => {
    await lockOpenIncident(tx, incident.id, 'no key update', 'incidentId');
    const pending = await tx
      .select({ id: dispatchPlans.id, status: dispatchPlans.status, requestedAt: dispatchPlans.requestedAt })
      .from(dispatchPlans)
      .where(and(eq(dispatchPlans.incidentId, incident.id), inArray(dispatchPlans.status, ['PROPOSED', 'APPROVED'])))
      .orderBy(asc(dispatchPlans.requestedAt), asc(dispatchPlans.id));
    if (pending.length) {
      const named = pending.map((p) => `${planNumber(p.id, p.requestedAt)}（${p.status === 'PROPOSED' ? '待审批' : '已批准未执行'}）`);
      throw invalidState(`事件「${incident.name}」还有 ${pending.length} 个调拨方案未执行：${named.join('、')}。请先执行或取消这些方案，再结束事件`, {
        field: 'incidentId',
        planIds: pending.map((p) => p.id),
      });
    }
    // Sweep 8b F1: what is still on its way would arrive at a 安置点 that may no longer hand it out (D29).
    const executing = await tx
      .select({ id: dispatchPlans.id, requestedAt: dispatchPlans.requestedAt })
      .from(dispatchPlans)
      .where(and(eq(dispatchPlans.incidentId, incident.id), eq(dispatchPlans.status, 'EXECUTING')))
      .orderBy(asc(dispatchPlans.requestedAt), asc(dispatchPlans.id));
    const underway = [];
    for (const p of executing) if (await hasOpenShipments(tx, p.id)) underway.push(p);
    if (underway.length) {
      const named = underway.map((p) => planNumber(p.id, p.requestedAt));
      throw invalidState(
        `事件「${incident.name}」还有 ${underway.length} 个调拨方案的物资在途或未到货：${named.join('、')}。请先收货，或撤销在途调拨、取消调用单，再结束事件`,
        { field: 'incidentId', planIds: underway.map((p) => p.id) },
      );
    }
    const [row] = await tx.update(incidents).set({ closedAt: clock.now().toJSDate() }).where(eq(incidents.id, incident.id)).returning();
    return row;
  });
}
