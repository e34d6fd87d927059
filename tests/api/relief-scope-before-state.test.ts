import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT } from '../support/ledger.ts';
import { ledgerCounts } from '../support/ledger-ops.ts';
import { createIncident, ok, stockedPoint } from '../support/relief.ts';

// Sweep 4 L1 (D23, D29): distributeRelief with an incident the caller may not read, or one its 安置点 does not serve,
// is refused for that first — before the incident's state is looked at — and the refusal names nothing of the incident.
// An incident out of scope answers FORBIDDEN, as incident(id:) does (API.md; sweep 9a F1), naming nothing of it; a
// point of another incident is BAD_USER_INPUT at
// input.storeId without the incident's name. Only for the point's own incident is "closed" said (with its name, which
// the keeper reads anyway).

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const JC_NAME = '晋城市城区火灾（L1）';
const WH_NAME = '卫辉市风灾（L1，已结束）';
let point: string; // 安置点 of `own`, managed by `keeper` (卫辉), with 60 棉被
let own: string;
let jincheng: string; // 晋城's incident, closed: out of the keeper's (and 新乡's dispatcher's) scope
let weihui: string; // another 卫辉 incident, closed: the keeper reads it (its region covers the keeper's store)

const distribute = (incidentId: string, as = 'keeper') =>
  t.gql(
    `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id number } }`,
    {
      i: {
        storeId: point,
        incidentId,
        household: { headName: '李秀英', size: 2, address: '汲水镇北关村 3 号' },
        lines: [{ itemId: QUILT, quantity: 1 }],
        idempotencyKey: key(),
      },
    },
    as,
  );
const closeIncident = async (id: string, as: string) =>
  ok(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { id closedAt } }`, { id }, as)).closeIncident;

/** The refusal with the incident id written as X: what an unknown id answers, compared with what an existing one does. */
const shape = (res: GqlResult, id: string) => ({
  code: errorCode(res),
  message: res.errors?.[0]?.message.replaceAll(id, 'X'),
  extensions: JSON.parse(JSON.stringify(res.errors?.[0]?.extensions ?? {}).replaceAll(id, 'X')),
});

beforeAll(async () => {
  ({ incidentId: own, point } = await stockedPoint(t, '汲水镇中心小学安置点（L1）', 'L1-MB-2031'));
  jincheng = await createIncident(t, { name: JC_NAME, type: 'FIRE', regionCode: '140502', location: { lat: 35.49, lng: 112.85 } }, 'jincheng');
  await closeIncident(jincheng, 'jincheng');
  weihui = await createIncident(t, { name: WH_NAME, type: 'OTHER' });
  await closeIncident(weihui, 'dispatcher');
});

describe('distributeRelief: scope and the point’s incident before the incident’s state (sweep 4 L1, D23/D29)', () => {
  it('the setup: the keeper may not read 晋城’s incident; the distribution at its own point, for its own incident, posts', async () => {
    expect(errorCode(await t.gql(`query($id: ID!) { incident(id: $id) { name } }`, { id: jincheng }, 'keeper'))).toBe('FORBIDDEN');
    expect(ok(await t.gql(`query($id: ID!) { incident(id: $id) { name closedAt } }`, { id: weihui }, 'keeper')).incident.name).toBe(WH_NAME);
    expect(ok(await distribute(own)).distributeRelief.number).toMatch(/^CK-/);
  });

  it('D23: a closed incident out of scope answers FORBIDDEN (unknown: NOT_FOUND) — no name, no closedAt — and writes nothing', async () => {
    for (const as of ['keeper', 'dispatcher']) {
      const before = await ledgerCounts(t);
      const res = await distribute(jincheng, as);
      const unknown = randomUUID();
      expect(shape(res, jincheng), as).toMatchObject({ code: 'FORBIDDEN', message: '无权访问：该事件超出您的权限范围' });
      expect(shape(await distribute(unknown, as), unknown), as).toMatchObject({ code: 'NOT_FOUND', extensions: { field: 'input.incidentId' } });
      expect(JSON.stringify(res.errors), as).not.toMatch(/晋城|火灾|已结束|closedAt/);
      expect(await ledgerCounts(t), as).toEqual(before);
    }
  });

  it('D23: a closed incident the keeper reads, that its point does not serve, is refused at input.storeId without the incident’s name or state', async () => {
    const before = await ledgerCounts(t);
    const res = await distribute(weihui);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('input.storeId');
    expect(res.errors![0].message).toBe('安置点「汲水镇中心小学安置点（L1）」不是该事件的安置点，不能为该事件发放');
    expect(JSON.stringify(res.errors)).not.toMatch(/风灾|已结束|closedAt/);
    expect(await ledgerCounts(t), 'nothing written').toEqual(before);
  });

  it('D29: the point’s own incident, once closed, is still refused as closed (INVALID_STATE with its name and closedAt)', async () => {
    const { closedAt } = await closeIncident(own, 'dispatcher');
    const res = await distribute(own);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain('已结束');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.incidentId', closedAt });
  });
});
