import { z } from 'zod';
import { greatCircleKm, type LatLng } from './distance.ts';
import { badInput } from '../errors.ts';
import type { RegionRow } from './service.ts';

// D16, D28: distances and ETAs are measured from a place's coordinates, so a store, an incident or a 安置点 must lie
// where its region says it does. One rule for every input that carries coordinates.

/** Mainland China with its islands, generously: a point outside is a typing error (0/0, swapped or mistyped digits). */
const CHINA = { lat: [3.5, 53.6], lng: [73.4, 135.1] } as const;

const latMessage = `纬度应在 ${CHINA.lat[0]} 到 ${CHINA.lat[1]} 之间（我国境内）`;
const lngMessage = `经度应在 ${CHINA.lng[0]} 到 ${CHINA.lng[1]} 之间（我国境内）`;

export const latitude = z.number().min(CHINA.lat[0], latMessage).max(CHINA.lat[1], latMessage);
export const longitude = z.number().min(CHINA.lng[0], lngMessage).max(CHINA.lng[1], lngMessage);

/**
 * How far from its region's centre a point may lie, by the region's level. Generous — the largest counties and cities
 * (in Xinjiang, Inner Mongolia) reach this far — so only a point in the wrong place altogether is refused.
 */
const REACH_KM: Record<RegionRow['level'], number> = { PROVINCE: 2000, CITY: 450, COUNTY: 300, TOWNSHIP: 80, VILLAGE: 40 };

/** Refuses coordinates far outside their region (where the region's centre is known); `field` names the latitude. */
export function assertInRegion(region: RegionRow, at: LatLng, field: string): void {
  if (region.lat === null || region.lng === null) return;
  const km = greatCircleKm(at, { lat: region.lat, lng: region.lng });
  if (km > REACH_KM[region.level]) {
    throw badInput(field, `坐标（${at.lat}，${at.lng}）距${region.name}约 ${Math.round(km)} 公里，不在该区划内：请核对经纬度和区划`);
  }
}

/** How far a typed position may be from a known place (a store, an existing 安置点) and still mean it. */
export const SAME_PLACE_KM = 2;
