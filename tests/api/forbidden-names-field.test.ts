import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, JINCHENG, key } from '../support/ledger.ts';
import { createIncident } from '../support/relief.ts';

// API.md: `extensions` carries the details (field …), and the console shows an error next to the field it names. A
// refusal for scope whose cause is one input value — another store's id, another region's code — names that field as
// BAD_USER_INPUT and NOT_FOUND do (sweep 10c F7: FORBIDDEN carried only its code). The message still names only the
// kind of record.

const t = useTestApp();

const refusal = async (query: string, variables: Record<string, unknown>, as: string) => (await t.gql(query, variables, as)).errors?.[0];

describe('FORBIDDEN names the input that is out of scope', () => {
  it("a keeper's stock list filtered by another region's store → field filter.storeId", async () => {
    const e = await refusal(`query($f: StockFilter!) { stock(filter: $f) { totalCount } }`, { f: { storeId: JINCHENG } }, 'keeper');
    expect(e?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'filter.storeId' });
  });

  it("a region-wide read of another region → field regionCode, the message naming only the region's kind", async () => {
    const e = await refusal(`query { stores(regionCode: "140500") { totalCount } }`, {}, 'dispatcher');
    expect(e?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'regionCode' });
  });

  it('a receipt at another region’s store → field input.storeId, nothing posted', async () => {
    const input = {
      storeId: JINCHENG,
      source: 'PURCHASE',
      contractNo: 'HT-1',
      inspectionReportNo: 'YS-1',
      idempotencyKey: key(),
      lines: [{ itemId: COTTON_TENT, quantity: 1, unitPrice: '10.00', fundingSource: 'CITY' }],
    };
    const e = await refusal(`mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`, { input }, 'keeper');
    expect(e?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.storeId' });
  });

  it('D15/D25: a plan for a destination in another region → field input.destinations.0.regionCode', async () => {
    const incidentId = await createIncident(t, { name: '卫辉市暴雨（字段）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.06 } });
    const input = {
      incidentId,
      destinations: [{ name: '晋城某安置点', regionCode: '140500', lat: 35.49, lng: 112.85, lines: [{ itemId: COTTON_TENT, quantity: 5 }] }],
    };
    const e = await refusal(`query($input: DispatchRequestInput!) { suggestDispatchPlan(input: $input) { id } }`, { input }, 'dispatcher');
    expect(e?.extensions, JSON.stringify(e)).toMatchObject({ code: 'FORBIDDEN', field: 'input.destinations.0.regionCode' });
  });

  it('an incident of another region → field id', async () => {
    const theirs = await createIncident(
      t,
      { name: '晋城市森林火灾（字段）', type: 'FOREST_FIRE', regionCode: '140500', location: { lat: 35.49, lng: 112.85 } },
      'jincheng',
    );
    const e = await refusal(`query($id: ID!) { incident(id: $id) { id } }`, { id: theirs }, 'dispatcher');
    expect(e?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'id' });
  });
});
