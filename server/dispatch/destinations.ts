import type { Db } from '../../drizzle/client.ts';
import { stores } from '../../drizzle/schema/index.ts';
import type { Principal } from '../auth/principal.ts';
import { assertStoreAccess } from '../auth/policy.ts';
import { badInput } from '../errors.ts';
import { isInSubtree } from '../regions/codes.ts';
import { greatCircleKm } from '../regions/distance.ts';
import { assertInRegion, SAME_PLACE_KM } from '../regions/location.ts';
import { getRegionInScope, type RegionRow } from '../regions/service.ts';
import { pointLevel, pointsOfIncident } from '../relief/points.ts';
import { nameKey } from '../validation.ts';
import { getStoreRow, type StoreRow } from '../stores/service.ts';
import type { IncidentRow } from './incidents.ts';

// D16, D28, D29: where a dispatch request delivers. A destination is a receiving store (storeId), an 安置点 the incident
// already has (by name), or a new 安置点 opened with the request. A known place is measured from where it is, never
// from typed coordinates, and one place is never opened twice.

export interface DestinationInput {
  name: string;
  regionCode: string;
  lat: number;
  lng: number;
  storeId?: string | null;
}

/**
 * Checks each destination and settles where it is: its region in scope and containing its coordinates; a receiving
 * store or an existing 安置点 of the same name replaces the typed region and position with its own (refused when they
 * disagree). Mutates the destinations in place (storeId, regionCode, lat, lng).
 */
export async function settleDestinations(db: Db, user: Principal, incident: IncidentRow, destinations: DestinationInput[]): Promise<void> {
  const points = await pointsOfIncident(db, incident.id);
  const names = new Set<string>();
  const places = new Set<string>();
  for (const [i, d] of destinations.entries()) {
    const at = `input.destinations.${i}`;
    const region = await getRegionInScope(db, user, d.regionCode, `${at}.regionCode`);
    d.regionCode = region.code;
    assertInRegion(region, d, `${at}.lat`);
    const key = nameKey(d.name);
    if (names.has(key)) throw badInput(`${at}.name`, `安置点「${d.name}」在本次申请中出现了两次：同一地点的需求请合并填写`);
    names.add(key);
    const place = d.storeId ? await receivingStore(db, user, d.storeId, `${at}.storeId`) : points.find((p) => nameKey(p.name) === key);
    if (!place) continue;
    if (places.has(place.id)) throw badInput(`${at}.storeId`, `「${place.name}」在本次申请中出现了两次：同一地点的需求请合并填写`);
    places.add(place.id);
    atPlace(place, region, d, at);
  }
}

async function receivingStore(db: Db, user: Principal, storeId: string, field: string): Promise<StoreRow> {
  const store = await getStoreRow(db, storeId, field);
  if (store.kind === 'AGREEMENT') throw badInput(field, '协议企业仓库不能作为调入方');
  // The receiving store, like the destination's region, must lie in the dispatcher's region.
  assertStoreAccess(user, store, field);
  return store;
}

/** The destination is the known place: inside the typed region, near the typed position, and from now on where it is. */
function atPlace(place: StoreRow, region: RegionRow, d: DestinationInput, at: string) {
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
 * The store a destination delivers to, inside the request's transaction (the incident locked against other
 * requests): its own, a same-named 安置点 opened meanwhile, or a new 安置点 opened by this plan.
 */
export async function storeForDestination(tx: Db, incident: IncidentRow, planId: string, idx: number, d: DestinationInput & { contact?: string | null }) {
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
