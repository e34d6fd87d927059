import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { GqlResult, TestApp } from './harness.ts';

const key = () => randomUUID();

// D23, D24, D27 in the test flows: what a keeper or dispatcher sends out needs an approved order, and what waits for a
// second person is decided by one. These helpers play the second person.

/** Someone other than `as` with authority: the unscoped administrator, or 新乡's director when the admin acts. */
export const approverFor = (as: string) => (as === 'admin' ? 'director' : 'admin');

export const ORDER_FIELDS = `id number status purpose recipient store { id } toStore { id } requestedBy { username }
  approval { id status kind decidedBy { username } } lines { item { id } batch { id } quantity executedQuantity remainingQuantity }`;

export const requestOrderRaw = (t: TestApp, as: string, input: Record<string, unknown>) =>
  t.gql(
    `mutation($input: OutboundOrderInput!) { requestOutboundOrder(input: $input) { ${ORDER_FIELDS} } }`,
    { input: { idempotencyKey: key(), ...input } },
    as,
  );

export const decideRaw = (t: TestApp, as: string, approvalId: string, decision: 'APPROVE' | 'REJECT', extra: Record<string, unknown> = {}) =>
  t.gql(
    `mutation($input: DecideApprovalInput!) { decideApproval(input: $input) { id kind status decidedBy { username } approvalRef reason } }`,
    { input: { approvalId, decision, ...(decision === 'APPROVE' ? { approvalRef: '审批〔2026〕1号' } : { reason: '不同意' }), ...extra } },
    as,
  );

/**
 * Requests an order as `as` and has it approved by another person; the result of the first step that fails, else the
 * approved order (as `data.order`).
 */
export async function approvedOrder(t: TestApp, as: string, input: Record<string, unknown>): Promise<GqlResult> {
  const requested = await requestOrderRaw(t, as, input);
  if (requested.errors) return requested;
  const order = requested.data.requestOutboundOrder;
  const decided = await decideRaw(t, approverFor(as), order.approval.id, 'APPROVE');
  expect(decided.errors, JSON.stringify(decided.errors)).toBeUndefined();
  return { data: { order: { ...order, status: 'APPROVED' } } };
}

/** The lines of an order for the lines of an executing operation (item, batch, quantity). */
export const orderLines = (lines: unknown) =>
  Array.isArray(lines) ? lines.map((l: Record<string, unknown>) => ({ itemId: l.itemId, batchId: l.batchId ?? null, quantity: l.quantity })) : lines;

/** The pending approval of a subject (a document, an order, a plan), by kind. */
export async function pendingApprovalOf(t: TestApp, subjectId: string, kind: string): Promise<string> {
  const res = await t.gql(
    `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { id subjectId kind } } } }`,
    { f: { status: 'PENDING', kind } },
    'admin',
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const found = res.data.approvals.edges.map((e: any) => e.node).find((a: any) => a.subjectId === subjectId);
  expect(found, `no pending ${kind} approval for ${subjectId}`).toBeTruthy();
  return found.id;
}

/**
 * A document that waits for approval (a stocktake with differences, a reversal, a company's scrap without an order),
 * approved by a second person and read again with `fields`; a document that posted at once is returned as it is.
 */
export async function approveDocument(t: TestApp, as: string, res: GqlResult, field: string, kind: string, fields: string): Promise<GqlResult> {
  const doc = res.data?.[field];
  // A pending document is approved even when a part of the answer was refused (a batch found in a stocktake is not yet
  // held by the store, so its details are not yet the keeper's to read).
  if (!doc || doc.status !== 'PENDING_APPROVAL') return res;
  const approvalId = await pendingApprovalOf(t, doc.id, kind);
  const decided = await decideRaw(t, approverFor(as), approvalId, 'APPROVE');
  if (decided.errors) return decided;
  const again = await t.gql(`query($id: ID!) { document(id: $id) { ${fields} } }`, { id: doc.id }, as);
  return { data: { [field]: again.data?.document }, errors: again.errors };
}

/**
 * D23: runs an executing operation against an approved order — the one given (`orderId`, or a `dispatchPlanId`), else
 * one requested for exactly these lines by `as` and approved by a second person.
 */
export async function withOrder(
  t: TestApp,
  as: string,
  input: Record<string, unknown>,
  order: Record<string, unknown>,
  run: (input: Record<string, unknown>) => Promise<GqlResult>,
): Promise<GqlResult> {
  if ('orderId' in input || 'dispatchPlanId' in input) return run(input);
  // A replay (same idempotency key) executes the same order, as a client retrying would.
  const replayKey = typeof input.idempotencyKey === 'string' ? `${as}/${input.idempotencyKey}` : null;
  let orderId = replayKey ? ordersByKey.get(replayKey) : undefined;
  if (!orderId) {
    // D23: an execution is never dated before its order's approval — a backdated one was requested and approved a
    // minute before it occurred.
    const approved = await backdatedTo(t, input.occurredAt, () => approvedOrder(t, as, { ...order, lines: orderLines(input.lines) }));
    if (approved.errors) return approved;
    orderId = approved.data.order.id as string;
    if (replayKey) ordersByKey.set(replayKey, orderId);
  }
  return run({ ...input, orderId });
}

const ordersByKey = new Map<string, string>();

/** Runs `step` with the clock a minute before `occurredAt` when that lies in the past, then puts the clock back. */
async function backdatedTo<T>(t: TestApp, occurredAt: unknown, step: () => Promise<T>): Promise<T> {
  const at = typeof occurredAt === 'string' ? DateTime.fromISO(occurredAt, { setZone: true }) : null;
  const now = t.clock.now();
  if (!at?.isValid || at >= now) return step();
  t.clock.set(at.minus({ minutes: 1 }).toUTC().toISO());
  try {
    return await step();
  } finally {
    t.clock.set(now.toUTC().toISO()!);
  }
}

/** D27: approves (as a second person) the pending write-offs of a transfer's reported losses. */
export async function approveWriteOffs(t: TestApp, as: string, transferId: string): Promise<void> {
  const res = await t.gql(
    `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { id document { transfer { id } } } } } }`,
    { f: { status: 'PENDING', kind: 'WRITE_OFF' } },
    'admin',
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  for (const { node } of res.data.approvals.edges) {
    if (node.document?.transfer?.id !== transferId) continue;
    const decided = await decideRaw(t, approverFor(as), node.id, 'APPROVE');
    expect(decided.errors, JSON.stringify(decided.errors)).toBeUndefined();
  }
}
