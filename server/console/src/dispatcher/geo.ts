/** Great-circle distance in km, to find the store nearest to a click. */
export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lng - a.lng) * rad) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(h));
}

export function nearest<T extends { location: { lat: number; lng: number } }>(at: { lat: number; lng: number }, places: T[]): T | undefined {
  return places.reduce<T | undefined>((best, p) => (!best || distanceKm(at, p.location) < distanceKm(at, best.location) ? p : best), undefined);
}
