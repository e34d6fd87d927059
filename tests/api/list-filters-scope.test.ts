import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { JINCHENG } from '../support/ledger.ts';
import { createIncident, stockedPoint } from '../support/relief.ts';

// API.md (out of scope → FORBIDDEN, unknown → NOT_FOUND), sweep 9a: distributions filtered by another region's incident or
// store, or by one that does not exist, answered an empty list — as did approvals filtered by an unknown region — where
// incident(id), store(id) and region(code) answer FORBIDDEN / NOT_FOUND.

const t = useTestApp();
let ours: { incidentId: string; point: string };
let theirIncident: string;

const DISTRIBUTIONS = `query($f: DistributionFilter!) { distributions(filter: $f, first: 50) { totalCount } }`;
const APPROVALS = `query($f: ApprovalFilter!) { approvals(filter: $f, first: 50) { totalCount } }`;

beforeAll(async () => {
  ours = await stockedPoint(t, '太公镇filter安置点', 'FILTER-1');
  theirIncident = await createIncident(
    t,
    { name: '晋城市森林火灾', type: 'FOREST_FIRE', regionCode: '140500', location: { lat: 35.49, lng: 112.85 } },
    'jincheng',
  );
});

describe('D29 distributions filtered by an incident or a 安置点 answer as the record does', () => {
  it('in scope: the list (empty until something is handed out)', async () => {
    for (const f of [{ incidentId: ours.incidentId }, { storeId: ours.point }]) {
      expect((await t.gql(DISTRIBUTIONS, { f }, 'dispatcher')).data.distributions.totalCount).toBe(0);
    }
  });

  it('another region’s incident or store → FORBIDDEN, as incident(id) and store(id) answer', async () => {
    const res = await t.gql(DISTRIBUTIONS, { f: { incidentId: theirIncident } }, 'dispatcher');
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(errorCode(await t.gql(`query($id: ID!) { incident(id: $id) { id } }`, { id: theirIncident }, 'dispatcher'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(DISTRIBUTIONS, { f: { storeId: JINCHENG } }, 'dispatcher'))).toBe('FORBIDDEN');
  });

  it('an unknown incident or store → NOT_FOUND naming the filter', async () => {
    expect((await t.gql(DISTRIBUTIONS, { f: { incidentId: randomUUID() } }, 'dispatcher')).errors?.[0]).toMatchObject({
      extensions: { code: 'NOT_FOUND', field: 'filter.incidentId' },
    });
    expect((await t.gql(DISTRIBUTIONS, { f: { storeId: randomUUID() } }, 'keeper')).errors?.[0]).toMatchObject({
      extensions: { code: 'NOT_FOUND', field: 'filter.storeId' },
    });
  });
});

describe('approvals filtered by a region', () => {
  it('an unknown region → NOT_FOUND naming the filter, another region’s FORBIDDEN; one in scope narrows', async () => {
    expect((await t.gql(APPROVALS, { f: { regionCode: '999999' } }, 'dispatcher')).errors?.[0]).toMatchObject({
      extensions: { code: 'NOT_FOUND', field: 'filter.regionCode' },
    });
    // Another region's: FORBIDDEN, as every list's region filter answers (sweep 10c F8).
    expect(errorCode(await t.gql(APPROVALS, { f: { regionCode: '140500' } }, 'dispatcher'))).toBe('FORBIDDEN');
    const known = await t.gql(APPROVALS, { f: { regionCode: '410781' } }, 'dispatcher');
    expect(known.errors).toBeUndefined();
    expect(typeof known.data.approvals.totalCount).toBe('number');
  });
});
