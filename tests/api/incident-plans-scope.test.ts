import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { QUILT } from '../support/ledger.ts';
import { createIncident, ok, requestPlan } from '../support/relief.ts';

// DESIGN "Auth — one mechanism": a list relation shows the records its reader may see. A keeper reads the incidents
// around their stores (reference data) but no dispatch plan: Incident.plans is empty for them, not FORBIDDEN — which,
// on a non-null list, had taken the whole incident (and in a list of incidents, all of data) with it (sweep L11).

describe('Incident.plans: the plans its reader may read', () => {
  const t = useTestApp();

  it('a keeper reads the incident with no plans; the dispatcher and the auditor of its region read its plan', async () => {
    const incidentId = await createIncident(t, { name: '卫辉市内涝（方案可见性）' });
    const plan = await requestPlan(t, incidentId, QUILT, 5);
    const query = `query($id: ID!) { incident(id: $id) { id name plans { id } } incidents(first: 50) { edges { node { id plans { id } } } } }`;
    const asKeeper = await t.gql(query, { id: incidentId }, 'keeper');
    expect(asKeeper.errors).toBeUndefined();
    expect(asKeeper.data.incident).toEqual({ id: incidentId, name: '卫辉市内涝（方案可见性）', plans: [] });
    expect(asKeeper.data.incidents.edges.find((e: any) => e.node.id === incidentId).node.plans).toEqual([]);
    for (const user of ['dispatcher', 'auditor']) {
      expect(ok(await t.gql(query, { id: incidentId }, user)).incident.plans).toEqual([{ id: plan.id }]);
    }
  });
});
