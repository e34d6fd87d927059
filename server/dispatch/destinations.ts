import type { Db } from '../../drizzle/client.ts';
import { stores } from '../../drizzle/schema/index.ts';
import type { Principal } from '../auth/principal.ts';
import { assertStoreAccess, canAccessRegion } from '../auth/policy.ts';
import { badInput } from '../errors.ts';
import { isInSubtree } from '../regions/codes.ts';
import { greatCircleKm } from '../regions/distance.ts';
import { assertInRegion, SAME_PLACE_KM } from '../regions/location.ts';
import { getRegionInScope, type RegionRow } from '../regions/service.ts';
import { pointLevel, pointsOfIncident } from '../relief/points.ts';
import { nameKey } from '../validation.ts';
import { getStoreRow, type StoreRow } from '../stores/service.ts';
import { getIncident, type IncidentRow } from './incidents.ts';

// D14, D16, D28, D29: where a dispatch request delivers — always one of the incident's own 安置点: one given by its id
// (storeId), one the incident already has (by name), or a new 安置点 opened with the request. A known place is measured
// from where it is, never from typed coordinates, and one place is never opened twice.
// Sweep 14c MEDIUM-2: a storeId used to be taken for any store of the region — another incident's 安置点 (even a closed
// one: the goods arrived where neither incident could hand them out), or an ordinary store, which with the emergency
// path was one dispatcher's store-to-store transfer dressed as relief (D23: such a transfer needs its outbound order).

export interface DestinationInput {
  name?: string | null;
  regionCode?: string | null;
  lat?: number | null;
  lng?: number | null;
  storeId?: string | null;
}

/** A destination as settled: named and placed — a 安置点 given by id, by its own name, region and position. */
export type SettledDestination<D extends DestinationInput = DestinationInput> = D & { name: string; regionCode: string; lat: number; lng: number };

/**
 * Checks each destination and settles where it is: its region in scope and containing its coordinates; a 安置点 of the
 * incident given by id or an existing one of the same name replaces the typed region and position with its own (refused when they
 * disagree). D14, D29 (sweep 20a F3): a 安置点 given by id alone (storeId, nothing typed) is taken as it is — its name,
 * region and place; what is typed beside it is checked against it. Without storeId all four are typed (the request's
 * schema). Returns the destinations, each with its name, region and place (and storeId where it is a known 安置点).
 */
export async function settleDestinations<D extends DestinationInput>(
  db: Db,
  user: Principal,
  incident: IncidentRow,
  destinations: D[],
): Promise<SettledDestination<D>[]> {
  const points = await pointsOfIncident(db, incident.id);
  const names = new Set<string>();
  const places = new Set<string>();
  const settled: SettledDestination<D>[] = [];
  for (const [i, typed] of destinations.entries()) {
    const at = `input.destinations.${i}`;
    const given = typed.storeId ? await receivingPoint(db, user, incident, typed.storeId, `${at}.storeId`) : undefined;
    const d = {
      ...typed,
      name: typed.name ?? given?.name,
      regionCode: typed.regionCode ?? given?.regionCode,
      lat: typed.lat ?? given?.lat,
      lng: typed.lng ?? given?.lng,
    } as SettledDestination<D>;
    const region = await getRegionInScope(db, user, d.regionCode, `${at}.regionCode`);
    d.regionCode = region.code;
    assertInRegion(region, d, `${at}.lat`);
    const key = nameKey(d.name);
    if (names.has(key)) throw badInput(`${at}.name`, `安置点「${d.name}」在本次申请中出现了两次：同一地点的需求请合并填写`);
    names.add(key);
    const place = given ?? points.find((p) => nameKey(p.name) === key);
    settled.push(d);
    if (!place) continue;
    if (places.has(place.id)) throw badInput(`${at}.storeId`, `「${place.name}」在本次申请中出现了两次：同一地点的需求请合并填写`);
    places.add(place.id);
    atPlace(place, region, d, at);
  }
  return settled;
}

/**
 * A destination given by id: a 安置点 of this incident (D14: the receiving unit and place; D29: relief is handed out at
 * the incident's 安置点). Another incident's point is refused naming that incident where the caller may read it (a
 * county's dispatcher reaches a city incident's point in the county, not the city incident); an ordinary store is
 * refused with the way its stock does move: an outbound order of purpose 调拨 (D23).
 */
async function receivingPoint(db: Db, user: Principal, incident: IncidentRow, storeId: string, field: string): Promise<StoreRow> {
  const store = await getStoreRow(db, storeId, field);
  if (store.kind === 'AGREEMENT') throw badInput(field, '协议企业仓库不能作为调入方');
  // The receiving store, like the destination's region, must lie in the dispatcher's region.
  assertStoreAccess(user, store, field);
  if (store.kind !== 'DISTRIBUTION_POINT') {
    throw badInput(
      field,
      `「${store.name}」是储备仓库，不是本事件的安置点：调拨方案只能送往本事件的安置点（选本事件的安置点，或填写名称和位置新开设）；` +
        '仓库之间调运库存请通过出库申请（调拨）办理',
    );
  }
  if (store.incidentId === incident.id) return store;
  const other = store.incidentId ? await getIncident(db, store.incidentId, field) : null;
  const whose = !other
    ? '不属于本事件'
    : canAccessRegion(user, other.regionCode)
      ? `属于事件「${other.name}」${other.closedAt ? '（已结束）' : ''}`
      : '属于其他事件';
  throw badInput(field, `安置点「${store.name}」${whose}，不能作为本事件调拨方案的目的地：请选本事件的安置点，或填写名称和位置为本事件开设安置点`);
}

/** The destination is the known place: inside the typed region, near the typed position, and from now on where it is. */
function atPlace(place: StoreRow, region: RegionRow, d: SettledDestination, at: string) {
  const what = place.kind === 'DISTRIBUTION_POINT' && !d.storeId ? `本事件已有安置点「${place.name}」` : `「${place.name}」`;
  if (!isInSubtree(place.regionCode, region.code)) {
    throw badInput(`${at}.regionCode`, `${what}（区划代码 ${place.regionCode}）不在所填区划「${region.name}」内：请核对区划`);
  }
  const km = greatCircleKm(d, place);
  if (km > SAME_PLACE_KM) {
    throw badInput(
      d.storeId ? `${at}.lat` : `${at}.name`,
      `${what}位于（${place.lat}，${place.lng}），与所填坐标相距约 ${km.toFixed(1)} 公里：` +
        (d.storeId ? '请核对坐标' : '同一安置点请填它的位置，不同地点请换一个名称'),
    );
  }
  Object.assign(d, { storeId: place.id, regionCode: place.regionCode, lat: place.lat, lng: place.lng });
}

/**
 * The 安置点 a destination delivers to, inside the request's transaction (the incident locked against other
 * requests): the one given (settleDestinations checked it is the incident's), a same-named 安置点 opened meanwhile, or a
 * new 安置点 opened by this plan.
 */
export async function storeForDestination(tx: Db, incident: IncidentRow, planId: string, idx: number, d: SettledDestination & { contact?: string | null }) {
  if (d.storeId) return d.storeId;
  const opened = (await pointsOfIncident(tx, incident.id)).find((p) => nameKey(p.name) === nameKey(d.name));
  if (opened) return opened.id;
  const [point] = await tx
    .insert(stores)
    .values({
      code: `DP-${planId.slice(0, 8).toUpperCase()}-${idx + 1}`,
      name: d.name,
      regionCode: d.regionCode,
      level: pointLevel(d.regionCode),
      kind: 'DISTRIBUTION_POINT',
      lat: d.lat,
      lng: d.lng,
      contactName: d.contact ?? null,
      incidentId: incident.id,
      openedByPlanId: planId,
    })
    .returning({ id: stores.id });
  return point.id;
}
