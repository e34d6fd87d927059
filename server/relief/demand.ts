import type { Db } from '../../drizzle/client.ts';
import type { IncidentRow } from '../dispatch/incidents.ts';
import { servingPointsOfIncident } from './points.ts';
import { sharePeople, suggestedQuantity } from './rules.ts';
import { standardsAbove, toStandard } from './standards.ts';
import { effectiveStandard } from './rules.ts';

// D28, D29: a suggested demand per 安置点 from the affected population and the relief standards — a starting point the
// dispatcher accepts or edits in requestDispatch.

export interface SuggestedDemand {
  storeId: string;
  itemId: string;
  people: number;
  quantity: number;
  perPerson: number | null;
  perHousehold: number | null;
}

export async function suggestedDemand(db: Db, incident: IncidentRow): Promise<SuggestedDemand[]> {
  if (!incident.affectedPopulation) return [];
  const points = await servingPointsOfIncident(db, incident.id);
  const people = sharePeople(
    incident.affectedPopulation,
    points.map((p) => p.capacityPersons),
  );
  const out: SuggestedDemand[] = [];
  for (const [i, point] of points.entries()) {
    const standards = (await standardsAbove(db, point.regionCode)).map(toStandard);
    for (const itemId of [...new Set(standards.map((s) => s.itemId))]) {
      const s = effectiveStandard(standards, point.regionCode, itemId)!;
      const quantity = suggestedQuantity(s, people[i]);
      if (quantity > 0) out.push({ storeId: point.id, itemId, people: people[i], quantity, perPerson: s.perPerson, perHousehold: s.perHousehold });
    }
  }
  return out;
}
