// D16, D28: distance on the Earth's surface, the one measure behind ETAs (the planner) and the check that a place lies
// in its region (location.ts). Pure: no I/O.

export interface LatLng {
  lat: number;
  lng: number;
}

/** Degrees to radians. */
export const RAD = Math.PI / 180;

/** Great-circle distance in km (haversine, mean Earth radius). */
export function greatCircleKm(a: LatLng, b: LatLng): number {
  return haversineKm(a.lat, a.lng, Math.cos(a.lat * RAD), b.lat, b.lng, Math.cos(b.lat * RAD));
}

/** The haversine with each end's cos(latitude) given, so a ranking computes it once per point, not once per pair. */
export function haversineKm(aLat: number, aLng: number, aCos: number, bLat: number, bLng: number, bCos: number): number {
  const dLat = (bLat - aLat) * RAD;
  const dLng = (bLng - aLng) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + aCos * bCos * Math.sin(dLng / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}
