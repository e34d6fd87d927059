import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { decideRaw, requestOrderRaw } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';

// Sweep 23c (two people at once, network failure):
// - F3: createIncident takes an optional idempotencyKey, handled as the stock mutations' keys are (API.md): 创建 sent
//   again after a lost answer answers the incident first created (audited REPLAYED) — D28: two copies of one disaster
//   split its 安置点, plans and 10-hour clock; the same key with other input is IDEMPOTENCY_CONFLICT.
// - F1 (D23, D24): closeOutboundOrder(withdraw: true) — the console's 撤回 — withdraws only a pending order; one approved
//   (or rejected) meanwhile is refused, saying by whom and when, instead of being closed under the name 撤回.

const t = useTestApp({ resetClock: true, checkLedger: true });

const CREATE = `mutation($i: IncidentInput!) { createIncident(input: $i) { id name occurredAt } }`;
const incidentInput = (extra: Record<string, unknown> = {}) => ({
  name: '卫辉市洪涝（重试）',
  type: 'FLOOD',
  regionCode: '410781',
  location: { lat: 35.398, lng: 114.064 },
  ...extra,
});
const incidentsNamed = async (name: string) =>
  Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int n FROM incidents WHERE name = ${name}`))[0].n);

describe('sweep 23c F3 (D28): createIncident with an idempotency key creates one incident however often it is sent', () => {
  it('the same key and input → the first incident, audited REPLAYED; one incident on record', async () => {
    const first = ok(await t.gql(CREATE, { i: incidentInput({ idempotencyKey: 'sj-23c-1' }) }, 'dispatcher')).createIncident;
    expect(await lastAudit(t, 'createIncident')).toMatchObject({ outcome: 'OK' });
    const again = ok(await t.gql(CREATE, { i: incidentInput({ idempotencyKey: 'sj-23c-1' }) }, 'dispatcher')).createIncident;
    expect(again).toEqual(first);
    expect(await lastAudit(t, 'createIncident')).toMatchObject({ outcome: 'REPLAYED' });
    expect(await incidentsNamed('卫辉市洪涝（重试）')).toBe(1);
  });

  it('the same key with other input → IDEMPOTENCY_CONFLICT at input.idempotencyKey naming the first incident; nothing created', async () => {
    const first = ok(await t.gql(CREATE, { i: incidentInput({ name: '卫辉市洪涝（冲突）', idempotencyKey: 'sj-23c-2' }) }, 'dispatcher')).createIncident;
    await expectRefusedUnchanged(
      t,
      'createIncident',
      () => t.gql(CREATE, { i: incidentInput({ name: '卫辉市洪涝（改名）', idempotencyKey: 'sj-23c-2' }) }, 'dispatcher'),
      'IDEMPOTENCY_CONFLICT',
      '幂等键 sj-23c-2 已用于内容不同的另一请求：若是新的操作，请重新提交（换用新的幂等键）；若是重试，请按原内容提交',
      { field: 'input.idempotencyKey', incidentId: first.id },
    );
  });

  it('keys are per user: another dispatcher’s same key creates its own incident; no key: each call creates one (as before)', async () => {
    ok(await t.gql(CREATE, { i: incidentInput({ name: '卫辉市洪涝（两人）', idempotencyKey: 'sj-23c-3' }) }, 'dispatcher'));
    ok(await t.gql(CREATE, { i: incidentInput({ name: '卫辉市洪涝（两人）', idempotencyKey: 'sj-23c-3' }) }, 'director'));
    expect(await incidentsNamed('卫辉市洪涝（两人）')).toBe(2);
    ok(await t.gql(CREATE, { i: incidentInput({ name: '卫辉市洪涝（无键）' }) }, 'dispatcher'));
    ok(await t.gql(CREATE, { i: incidentInput({ name: '卫辉市洪涝（无键）' }) }, 'dispatcher'));
    expect(await incidentsNamed('卫辉市洪涝（无键）')).toBe(2);
  });

  it('a blank key is refused at input.idempotencyKey, as the stock mutations refuse it', async () => {
    const res = await t.gql(CREATE, { i: incidentInput({ name: '卫辉市洪涝（空键）', idempotencyKey: '  ' }) }, 'dispatcher');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('input.idempotencyKey');
  });
});

describe('sweep 23c F1 (D23, D24): 撤回 (withdraw: true) of an order decided meanwhile is refused, saying so — not closed', () => {
  const COAT = itemId('LIV-005'); // 棉大衣, 件
  const WITHDRAW = `mutation($id: ID!, $r: String!) { closeOutboundOrder(orderId: $id, reason: $r, withdraw: true) { id status closeReason } }`;
  const CLOSE = `mutation($id: ID!, $r: String!) { closeOutboundOrder(orderId: $id, reason: $r) { id status closeReason } }`;
  const order = async () =>
    ok(await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'RELIEF', recipient: '唐庄镇安置点', lines: [{ itemId: COAT, quantity: 2 }] }))
      .requestOutboundOrder;
  const statusOf = async (id: string) =>
    ok(await t.gql(`query($id: ID!) { outboundOrder(id: $id) { status approval { status } } }`, { id }, 'keeper')).outboundOrder;

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: COAT, quantity: 50, batchNo: 'F1-23C-MDY', expiryDate: '2031-01-01' }]);
  });

  it('approved by director meanwhile → INVALID_STATE 「…已于 … 由…批准，不能撤回；如不再执行，请关闭该申请」; still APPROVED', async () => {
    const o = await order();
    ok(await decideRaw(t, 'director', o.approval.id, 'APPROVE'));
    await expectRefusedUnchanged(
      t,
      'closeOutboundOrder',
      () => t.gql(WITHDRAW, { id: o.id, r: '不再需要' }, 'keeper'),
      'INVALID_STATE',
      `出库申请 ${o.number} 已于 2026-07-20 10:00 由新乡市应急管理局副局长批准，不能撤回；如不再执行，请关闭该申请`,
      { field: 'orderId', status: 'APPROVED' },
    );
    expect(await statusOf(o.id)).toEqual({ status: 'APPROVED', approval: { status: 'APPROVED' } });
    // 关闭, as the refusal says, closes it.
    expect(ok(await t.gql(CLOSE, { id: o.id, r: '不再需要' }, 'keeper')).closeOutboundOrder).toMatchObject({ status: 'CLOSED', closeReason: '不再需要' });
  });

  it('rejected meanwhile → INVALID_STATE giving the approver’s reason; still REJECTED', async () => {
    const o = await order();
    ok(await decideRaw(t, 'director', o.approval.id, 'REJECT', { reason: '库存另有安排' }));
    await expectRefusedUnchanged(
      t,
      'closeOutboundOrder',
      () => t.gql(WITHDRAW, { id: o.id, r: '不再需要' }, 'keeper'),
      'INVALID_STATE',
      `出库申请 ${o.number} 已于 2026-07-20 10:00 由新乡市应急管理局副局长驳回（驳回理由：库存另有安排），无需撤回`,
      { field: 'orderId', status: 'REJECTED' },
    );
    expect((await statusOf(o.id)).status).toBe('REJECTED');
  });

  it('still pending → withdrawn as before (CLOSED with the reason)', async () => {
    const o = await order();
    expect(ok(await t.gql(WITHDRAW, { id: o.id, r: '申请有误' }, 'keeper')).closeOutboundOrder).toMatchObject({ status: 'CLOSED', closeReason: '申请有误' });
  });
});
