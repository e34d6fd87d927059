import type { ReactNode } from 'react';
import type { LatLngBoundsExpression, LatLngExpression, LeafletMouseEvent } from 'leaflet';
import { MapContainer, ScaleControl, TileLayer, ZoomControl, useMapEvents } from 'react-leaflet';
import 'leaflet/dist/leaflet.css';

// MAP_TILE_URL comes from the server in the page (server/http/console.ts); empty: no tiles, nothing leaves the origin.
const tileUrl = document.querySelector<HTMLMetaElement>('meta[name="map-tile-url"]')?.content || null;

function ClickHandler({ onClick }: { onClick: (at: { lat: number; lng: number }) => void }) {
  useMapEvents({ click: (e: LeafletMouseEvent) => onClick({ lat: e.latlng.lat, lng: e.latlng.lng }) });
  return null;
}

/**
 * A Leaflet map that works offline: a plain background with a scale, the stores, incidents and routes drawn from
 * their coordinates by the children; tiles only from MAP_TILE_URL.
 */
export function BaseMap({
  center,
  zoom = 9,
  bounds,
  onClick,
  compact,
  canvas,
  children,
}: {
  center: LatLngExpression;
  zoom?: number;
  bounds?: LatLngBoundsExpression;
  onClick?: (at: { lat: number; lng: number }) => void;
  compact?: boolean;
  /** Many markers: draw on a canvas rather than as SVG elements. */ canvas?: boolean;
  children: ReactNode;
}) {
  return (
    <MapContainer
      center={center}
      zoom={zoom}
      bounds={bounds}
      className={compact ? 'reserve-map compact' : 'reserve-map'}
      attributionControl={Boolean(tileUrl)}
      preferCanvas={canvas}
      // Sweep 22c F3: Leaflet's own zoom buttons are named "Zoom in"/"Zoom out" (aria-label and title) — in Chinese here.
      zoomControl={false}
    >
      <ZoomControl zoomInTitle="放大" zoomOutTitle="缩小" />
      {tileUrl && <TileLayer url={tileUrl} />}
      <ScaleControl imperial={false} />
      {onClick && <ClickHandler onClick={onClick} />}
      {children}
    </MapContainer>
  );
}

/** Colour of a stock level for the map: none red, low orange, enough green. */
export function stockColour(available: number, high: number): string {
  if (available <= 0) return '#cf1322';
  if (available < high) return '#fa8c16';
  return '#389e0d';
}

export const TIER_COLOUR: Record<string, string> = {
  LOCAL: '#1677ff',
  UPPER: '#722ed1',
  NEIGHBOUR: '#13c2c2',
  AGREEMENT: '#fa8c16',
  CAPACITY: '#eb2f96',
};
