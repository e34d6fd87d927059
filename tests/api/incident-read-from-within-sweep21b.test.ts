import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { orderLines, requestOrderRaw } from '../support/authority.ts';
import { QUILT } from '../support/ledger.ts';
import { download } from '../support/paperwork.ts';
import { createIncident, ok, requestPlan } from '../support/relief.ts';

// Sweep 21b F5 (D15, D23, D24): a county-wide incident was read by the township's keepers (keeperSeesIncident: their
// store lies in its region) but FORBIDDEN to the township's dispatcher, who did not find it listed either — the
// township's command saw less of a flood covering its township than its own storekeeper. One rule now (policy
// readsIncidentFromWithin): whoever's region lies inside an incident's reads it, as reference data (referenceOnly: no
// figures, none of the county's plans), as the keeper does; acting on it stays with its region's command, and the
// refusal says so. Another county's people, and a township of another county, still do not read it.

const t = useTestApp();

const TOWN = '410781100000'; // a township of 卫辉市
const TOWN_STORE = storeId('S-410781100-01');
const OTHER_COUNTY = '410721000000'; // 新乡县
const NAME = '卫辉市洪涝灾害（乡镇可见）';
/** A refusal to one who reads the incident from within: it names the incident and says they only read it. */
const READ_ONLY = '只能查看事件的基本信息';

async function createUser(username: string, role: string, scope: { regionCode?: string; storeIds?: string[] }) {
  const res = await t.gql(
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username, displayName: `用户 ${username}`, password: TEST_PASSWORD, role, ...scope } },
    'admin',
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
}

const refusal = (res: GqlResult) => ({ code: errorCode(res), message: res.errors?.[0]?.message, field: res.errors?.[0]?.extensions?.field });
const readIncident = (id: string, as: string, fields = 'id name referenceOnly region { code } plans { id }') =>
  t.gql(`query($id: ID!) { incident(id: $id) { ${fields} } }`, { id }, as);
const listed = async (as: string, regionCode?: string) => {
  const res = ok(await t.gql(`query($r: String) { incidents(regionCode: $r, first: 100) { totalCount edges { node { id } } } }`, { r: regionCode }, as));
  const ids = res.incidents.edges.map((e: any) => e.node.id) as string[];
  expect(res.incidents.totalCount, `${as} ${regionCode}`).toBe(ids.length);
  return ids;
};

let county = ''; // 卫辉市's incident
let township = ''; // the township's own incident
let planId = '';

beforeAll(async () => {
  await createUser('f5-town', 'DISPATCHER', { regionCode: TOWN });
  await createUser('f5-town-aud', 'AUDITOR', { regionCode: TOWN });
  await createUser('f5-town-keeper', 'KEEPER', { storeIds: [TOWN_STORE] });
  await createUser('f5-xxcounty', 'DISPATCHER', { regionCode: OTHER_COUNTY });
  county = await createIncident(t, { name: NAME, affectedPopulation: 2400 });
  township = await createIncident(t, { name: '乡镇山洪（乡镇自管）', regionCode: TOWN, location: { lat: 35.3985, lng: 114.065 } }, 'f5-town');
  planId = (await requestPlan(t, county, QUILT, 5)).id;
});

describe('sweep 21b F5 (D15, D23): a county-wide incident, read from a township inside it', () => {
  it('the township’s dispatcher and auditor read and list the county’s incident as reference data, as its keeper does — no plans', async () => {
    for (const as of ['f5-town', 'f5-town-aud', 'f5-town-keeper']) {
      const res = await readIncident(county, as);
      expect(res.errors, `${as}: ${JSON.stringify(res.errors)}`).toBeUndefined();
      expect(res.data.incident, as).toEqual({ id: county, name: NAME, referenceOnly: true, region: { code: '410781000000' }, plans: [] });
      expect(await listed(as), as).toContain(county);
    }
    expect(await listed('f5-town')).toEqual(expect.arrayContaining([county, township]));
    // Its own incident it commands; the county's command reads its plan and acts on it.
    expect(ok(await readIncident(township, 'f5-town')).incident.referenceOnly).toBe(false);
    expect(ok(await readIncident(county, 'dispatcher')).incident).toMatchObject({ referenceOnly: false, plans: [{ id: planId }] });
    // The county does not read the township's incident from above as reference: it commands it.
    expect(ok(await readIncident(township, 'dispatcher')).incident.referenceOnly).toBe(false);
  });

  it('D24: its figures, its plan and every step on it are the county’s — FORBIDDEN, naming the incident, and nothing moved', async () => {
    for (const as of ['f5-town', 'f5-town-aud']) {
      for (const field of ['balance { shipped }', 'basicNeedsMet', 'householdsServed', 'suggestedDemand { quantity }']) {
        const r = refusal(await readIncident(county, as, `id ${field}`));
        expect(r.code, `${as} ${field}`).toBe('FORBIDDEN');
        expect(r.message, `${as} ${field}`).toContain(NAME);
        expect(r.message, `${as} ${field}`).toContain(READ_ONLY);
      }
      expect((await download(t, '/exports/incident-balance.csv', as, { incidentId: county })).status, as).toBe(403);
    }
    expect(errorCode(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { id } }`, { p: planId }, 'f5-town'))).toBe('FORBIDDEN');
    const destination = { name: '乡镇安置点', regionCode: TOWN, lat: 35.3985, lng: 114.065, lines: [{ itemId: QUILT, quantity: 1 }] };
    const steps: [string, GqlResult, string][] = [
      [
        'requestDispatch',
        await t.gql(
          `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
          { i: { incidentId: county, destinations: [destination] } },
          'f5-town',
        ),
        'input.incidentId',
      ],
      [
        'suggestDispatchPlan',
        await t.gql(
          `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { totalQuantity } }`,
          { i: { incidentId: county, destinations: [destination] } },
          'f5-town',
        ),
        'input.incidentId',
      ],
      [
        'openDistributionPoint',
        await t.gql(
          `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
          { i: { incidentId: county, name: '乡镇中心学校安置点', regionCode: TOWN, lat: 35.3985, lng: 114.065, capacity: 100 } },
          'f5-town',
        ),
        'input.incidentId',
      ],
      ['closeIncident', await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { id } }`, { id: county }, 'f5-town'), 'incidentId'],
      [
        'requestOutboundOrder',
        await requestOrderRaw(t, 'f5-town', {
          storeId: TOWN_STORE,
          purpose: 'RELIEF',
          recipient: '受灾群众',
          incidentId: county,
          lines: orderLines([{ itemId: QUILT, quantity: 1 }]),
        }),
        'input.incidentId',
      ],
      ['outstandingRecovery', await t.gql(`query($id: ID!) { outstandingRecovery(incidentId: $id) { outstanding } }`, { id: county }, 'f5-town'), 'incidentId'],
    ];
    for (const [step, res, field] of steps) {
      const r = refusal(res);
      expect(r.code, `${step}: ${JSON.stringify(res.errors)}`).toBe('FORBIDDEN');
      expect(r.field, step).toBe(field);
      expect(r.message, step).toContain(NAME);
      expect(r.message, step).toContain(READ_ONLY);
    }
    const after = ok(await readIncident(county, 'dispatcher', 'closedAt plans { id status } balance { requested }')).incident;
    expect(after).toMatchObject({ closedAt: null, plans: [{ id: planId, status: 'PROPOSED' }] });
    expect(after.balance).toEqual([{ requested: 5 }]);
    // The keeper's reference read is unchanged: the figures are refused to them as before.
    expect(refusal(await readIncident(county, 'f5-town-keeper', 'id balance { shipped }')).message).toContain('仓库保管员只能查看事件的基本信息');
  });

  it('another county’s dispatcher still cannot read it, and is told nothing of it', async () => {
    expect(refusal(await readIncident(county, 'f5-xxcounty'))).toEqual({ code: 'FORBIDDEN', message: '无权访问：该事件超出您的权限范围', field: 'id' });
    expect(await listed('f5-xxcounty')).not.toContain(county);
    const close = refusal(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { id } }`, { id: county }, 'f5-xxcounty'));
    expect(close).toEqual({ code: 'FORBIDDEN', message: '无权访问：该事件超出您的权限范围', field: 'incidentId' });
    expect(errorCode(await readIncident(township, 'f5-xxcounty'))).toBe('FORBIDDEN');
  });
});
