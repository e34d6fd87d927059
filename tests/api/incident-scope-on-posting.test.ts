import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, issue, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok, purchase, receiveRaw } from '../support/ledger-ops.ts';
import { orderLines, requestOrderRaw } from '../support/authority.ts';

// D23, D28 (sweep 7b H1): a receipt, an issue or an outbound order names the incident it serves, whose 物资收支 then
// counts it. Only an incident the caller may read is taken — another region's is FORBIDDEN, as incident(id:) answers it
// (API.md; sweep 9a F1), an unknown one NOT_FOUND, and nothing posts — and what leaves stock is not booked to a closed
// incident (D29); recovered goods may still come back to one.

const CREATE = `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`;
const BALANCE = `query($id: ID!) { incident(id: $id) { balance { item { name } received distributed } } }`;

describe('the incident a stock document or order is booked against (D23, D28, D29)', () => {
  const t = useTestApp();
  let jincheng: string;
  let weihui: string;

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'INC-STOCK', unitPrice: '158.00' }]);
    jincheng = ok(await t.gql(CREATE, { i: { name: '晋城测试事件', type: 'FIRE', regionCode: '140500', location: { lat: 35.49, lng: 112.85 } } }, 'jincheng'))
      .createIncident.id;
    weihui = ok(await t.gql(CREATE, { i: { name: '卫辉测试内涝', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } } }, 'dispatcher'))
      .createIncident.id;
  });

  it('sweep 7b H1, 9a F1: 卫辉’s keeper cannot book a receipt, an issue or an order into 晋城’s incident — FORBIDDEN (unknown: NOT_FOUND), nothing changes', async () => {
    const before = await ledgerCounts(t);
    const refusals = [
      await issue(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1 }], { incidentId: jincheng }),
      await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, unitPrice: '158.00', batchNo: 'INC-SCOPE-1' }], { incidentId: jincheng })),
      await requestOrderRaw(t, 'keeper', {
        storeId: WEIHUI,
        purpose: 'RELIEF',
        recipient: '受灾群众',
        incidentId: jincheng,
        lines: orderLines([{ itemId: QUILT, quantity: 1 }]),
      }),
    ];
    for (const res of refusals) {
      expect(res.errors?.[0]).toMatchObject({ message: '无权访问：该事件超出您的权限范围', extensions: { code: 'FORBIDDEN' } });
    }
    // The same answer as the incident itself gives.
    expect(errorCode(await t.gql(`query($id: ID!) { incident(id: $id) { id } }`, { id: jincheng }, 'keeper'))).toBe('FORBIDDEN');
    const unknown = '00000000-0000-4000-8000-00000000dead';
    const missing = await issue(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1 }], { incidentId: unknown });
    // Sweep 22c F4: the id is in extensions.id, not in the message.
    expect(missing.errors?.[0]).toMatchObject({ message: '事件不存在', extensions: { code: 'NOT_FOUND', field: 'input.incidentId', id: unknown } });
    expect(await ledgerCounts(t)).toEqual(before);
    expect(ok(await t.gql(BALANCE, { id: jincheng }, 'jincheng')).incident.balance).toEqual([]);
    await expectLedgerConsistent(t);
  });

  it('D29: once the incident is closed, nothing more is issued or ordered for it; recovered goods still come back to it', async () => {
    expect((await issue(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1 }], { incidentId: weihui })).errors).toBeUndefined();
    ok(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { closedAt } }`, { id: weihui }, 'dispatcher'));
    const before = await ledgerCounts(t);
    expect(errorCode(await issue(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 1 }], { incidentId: weihui }))).toBe('INVALID_STATE');
    const order = await requestOrderRaw(t, 'keeper', {
      storeId: WEIHUI,
      purpose: 'RELIEF',
      recipient: '受灾群众',
      incidentId: weihui,
      lines: orderLines([{ itemId: QUILT, quantity: 1 }]),
    });
    expect(order.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_STATE', field: 'input.incidentId' } });
    expect(await ledgerCounts(t)).toEqual(before);
    const back = await receiveRaw(
      t,
      'keeper',
      purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, unitPrice: '158.00', batchNo: 'INC-BACK-1' }], {
        incidentId: weihui,
        source: 'DONATION',
        sourceName: '回收',
      }),
    );
    expect(back.errors, JSON.stringify(back.errors)).toBeUndefined();
    await expectLedgerConsistent(t);
  });
});
