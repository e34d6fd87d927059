import { CircleMarker, Polyline, Tooltip } from 'react-leaflet';
import { labelOf, TIER } from '../common/labels';
import { TIER_COLOUR } from '../common/map/BaseMap';
import type { Plan } from './plan';
import { formatQuantity } from '../common/format';

/** The plan's lines as routes on the map: source store → 安置点, coloured by tier. */
export function PlanRoutes({ plan }: { plan: Plan }) {
  return (
    <>
      {plan.lines.map((l, i) =>
        l.source.store ? (
          <Polyline
            key={i}
            className="plan-route"
            positions={[l.source.store.location, l.destination.location]}
            pathOptions={{ color: TIER_COLOUR[l.tier] ?? '#595959', weight: 3 }}
          >
            <Tooltip sticky>
              {l.source.name} → {l.destination.name}：{l.item.name} {formatQuantity(l.quantity, l.item.unit)}（{labelOf(TIER, l.tier)}，{l.etaHours.toFixed(1)}{' '}
              小时）
            </Tooltip>
          </Polyline>
        ) : null,
      )}
      {plan.destinations.map((d) => (
        <CircleMarker key={d.index} center={d.location} radius={7} pathOptions={{ color: '#237804', fillOpacity: 0.9 }}>
          <Tooltip permanent direction="bottom">
            {d.name}
          </Tooltip>
        </CircleMarker>
      ))}
    </>
  );
}
