import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { approvedOrder } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, key, onHandOf, QUILT, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { ok, purchase, receiveRaw, shipRaw } from '../support/ledger-ops.ts';

// D22: every committed change has its audit row, written in the same transaction; refusals are audited too; no input
// can make the audit write fail or turn a committed change into an error answer. And one idempotency mechanism for
// documents, plan execution and recovery (API.md: same key + other input → IDEMPOTENCY_CONFLICT).

type T = ReturnType<typeof useTestApp>;

async function auditRows(t: T, operation: string) {
  return queryRows<{ username: string | null; outcome: string; message: string | null; input: unknown }>(
    t.database.db,
    sql`SELECT username, outcome, message, input FROM audit_log WHERE operation = ${operation} ORDER BY id`,
  );
}

describe('audit integrity (D22)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D22: a receipt whose note is 199 × "a" + an emoji commits once, answers OK and has its audit row (the summary is cut on a character)', async () => {
    const note = `${'a'.repeat(199)}😀`;
    const before = await onHandOf(t, WEIHUI, QUILT);
    const idempotencyKey = key();
    const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 7 }], { note, idempotencyKey }));
    const doc = ok(res).receiveStock;
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before + 7);
    const rows = (await auditRows(t, 'receiveStock')).filter((r) => (r.input as any).input.idempotencyKey === idempotencyKey);
    expect(rows).toHaveLength(1);
    expect(rows[0].outcome).toBe('OK');
    const logged = (rows[0].input as any).input.note as string;
    expect(Array.from(logged).length).toBeLessThanOrEqual(200);
    expect(logged).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    // A replay with the same key answers the same document again, not an error.
    const again = ok(await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 7 }], { note, idempotencyKey }))).receiveStock;
    expect(again.id).toBe(doc.id);
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before + 7);
  });

  it('D22: a login with a 65+ character username (or admin padded with tabs) answers UNAUTHENTICATED and is audited', async () => {
    const long = 'x'.repeat(300);
    const res = await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: long, p: 'Whatever-123' });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    const padded = await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, {
      u: `\t\tadmin${'\t'.repeat(80)}`,
      p: 'Wrong-Secret-1',
    });
    expect(errorCode(padded)).toBe('UNAUTHENTICATED');
    const rows = await auditRows(t, 'login');
    // A name no account has is kept as its first character and length (sweep 12b F6: it may be a password), bounded too.
    expect(rows.some((r) => r.outcome === 'UNAUTHENTICATED' && r.username!.startsWith(`x${'*'.repeat(60)}`) && Array.from(r.username!).length <= 64)).toBe(
      true,
    );
    expect(rows.filter((r) => r.outcome === 'UNAUTHENTICATED').length).toBeGreaterThanOrEqual(2);
  });

  it('D22: a refusal changes nothing and is audited with its code and message; an audit row never describes an uncommitted change', async () => {
    const before = await onHandOf(t, WEIHUI, COTTON_TENT);
    const idempotencyKey = key();
    const order = await approvedOrder(t, 'keeper', {
      storeId: WEIHUI,
      purpose: 'RELIEF',
      recipient: '唐庄镇',
      lines: [{ itemId: COTTON_TENT, quantity: 1_000_000 }],
    });
    const res = await t.gql(
      `mutation($i: IssueStockInput!) { issueStock(input: $i) { id } }`,
      {
        i: { storeId: WEIHUI, orderId: order.data.order.id, reason: 'RELIEF', idempotencyKey, lines: [{ itemId: COTTON_TENT, quantity: 1_000_000 }] },
      },
      'keeper',
    );
    expect(errorCode(res)).toBe('INSUFFICIENT_STOCK');
    expect(await onHandOf(t, WEIHUI, COTTON_TENT)).toBe(before);
    const rows = (await auditRows(t, 'issueStock')).filter((r) => (r.input as any).input.idempotencyKey === idempotencyKey);
    expect(rows.map((r) => r.outcome)).toEqual(['INSUFFICIENT_STOCK']);
    expect(rows[0].message).toMatch(/库存不足/);
    const [orphans] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM audit_log a WHERE a.operation = 'receiveStock' AND a.outcome = 'OK'
            AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.idempotency_kind = 'receiveStock' AND d.idempotency_key = a.input->'input'->>'idempotencyKey')`,
    );
    expect(orphans.n).toBe(0);
  });

  it('text PostgreSQL cannot store (NUL, a lone surrogate) is refused at the edge as BAD_USER_INPUT and changes nothing', async () => {
    const before = await onHandOf(t, WEIHUI, QUILT);
    for (const note of ['bad\u0000note', 'half \ud800 pair']) {
      const res = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1 }], { note }));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
    // Spelled as an escape in a literal, which only the parser decodes.
    const literal = await t.gql(
      `mutation { receiveStock(input: { storeId: "${WEIHUI}", source: DONATION, sourceName: "捐赠方", note: "bad\\u0000note", idempotencyKey: "nul-literal",
         lines: [{ itemId: "${QUILT}", quantity: 1 }] }) { id } }`,
      {},
      'keeper',
    );
    expect(errorCode(literal)).toBe('BAD_USER_INPUT');
    // Refused at the edge, not by the database, naming the input field the literal sits in (sweep 11b B3: it said `query`).
    expect(literal.errors![0].extensions.field).toBe('input.note');
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before);
  });

  it('an uppercase UUID is the same id: a self-transfer given the same store in upper case is refused as BAD_USER_INPUT', async () => {
    const res = await shipRaw(t, 'keeper', {
      fromStoreId: WEIHUI,
      toStoreId: WEIHUI.toUpperCase(),
      lines: [{ itemId: QUILT, quantity: 1 }],
      idempotencyKey: key(),
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('input.toStoreId');
  });

  it('an empty batchId is BAD_USER_INPUT naming the line, not a silent first-expiry pick', async () => {
    const res = await t.gql(
      `mutation($i: IssueStockInput!) { issueStock(input: $i) { id } }`,
      { i: { storeId: WEIHUI, recipient: '唐庄镇', reason: 'RELIEF', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1, batchId: '' }] } },
      'keeper',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('input.lines.0.batchId');
  });

  it('quantities on one batch summing past 2^31 are BAD_USER_INPUT and change nothing', async () => {
    const before = await onHandOf(t, WEIHUI, QUILT);
    const lines = Array.from({ length: 25 }, () => ({
      itemId: QUILT,
      quantity: 100_000_000,
      batchNo: 'OVERFLOW-1',
      expiryDate: '2031-01-01',
      unitPrice: '1.00',
    }));
    expect(errorCode(await receiveRaw(t, 'keeper', purchase(WEIHUI, lines)))).toBe('BAD_USER_INPUT');
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before);
  });
});

describe('one idempotency mechanism: documents, plan execution and recovery', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  const PLAN = 'id status';
  async function executedPlan(executionKey: string) {
    await receive(t, 'admin', TANGZHUANG, [
      { itemId: COTTON_TENT, quantity: 30, batchNo: `IDEM-${executionKey.slice(0, 8)}`, expiryDate: '2031-01-01', unitPrice: '2000.00' },
    ]);
    const incident = ok(
      await t.gql(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name: '卫辉市洪涝（幂等）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.06 } } },
        'dispatcher',
      ),
    ).createIncident;
    const requested = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
        {
          i: {
            incidentId: incident.id,
            destinations: [
              { name: '唐庄镇安置点（幂等）', regionCode: '410781100000', lat: 35.475, lng: 114.012, lines: [{ itemId: COTTON_TENT, quantity: 10 }] },
            ],
          },
        },
        'dispatcher',
      ),
    ).requestDispatch;
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { ${PLAN} } }`, { p: requested.id }, 'dispatcher'));
    const executed = ok(
      await t.gql(
        `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`,
        { p: requested.id, k: executionKey },
        'dispatcher',
      ),
    );
    return executed.executeDispatchPlan;
  }

  it('executeDispatchPlan: a 128-character key works; the same key again replays; the same key for another plan is IDEMPOTENCY_CONFLICT', async () => {
    const longKey = 'k'.repeat(128);
    const plan = await executedPlan(longKey);
    expect(plan.status).toBe('EXECUTING');
    const replay = ok(
      await t.gql(
        `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`,
        { p: plan.id, k: longKey },
        'dispatcher',
      ),
    );
    expect(replay.executeDispatchPlan).toEqual(plan);
    const other = await executedPlan(key());
    const conflict = await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`,
      { p: other.id, k: longKey },
      'dispatcher',
    );
    expect(errorCode(conflict)).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('recoverIncidentStock: the key "%" is a key like any other (no pattern), and a 128-character key works', async () => {
    const plan = await executedPlan(key());
    // Receive the shipment at the 安置点 so there is something to recover.
    const full = ok(
      await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { lines { transfer { id lines { batch { id } shipped } } } } }`, { p: plan.id }, 'dispatcher'),
    ).dispatchPlan;
    const transfer = full.lines[0].transfer;
    ok(
      await t.gql(
        `mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { id } }`,
        { i: { transferId: transfer.id, idempotencyKey: key(), lines: transfer.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })) } },
        'dispatcher',
      ),
    );
    const recover = (k: string) =>
      t.gql(
        `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
        { i: { planId: plan.id, toStoreId: TANGZHUANG, idempotencyKey: k } },
        'dispatcher',
      );
    const before = await onHandOf(t, TANGZHUANG, COTTON_TENT);
    ok(await recover('%'));
    const after = await onHandOf(t, TANGZHUANG, COTTON_TENT);
    expect(after).toBe(before + 10); // tents are recovered (D12): it really ran
    ok(await recover('%')); // the same key again: a replay, nothing more
    expect(await onHandOf(t, TANGZHUANG, COTTON_TENT)).toBe(after);
    const conflict = await t.gql(
      `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
      { i: { planId: plan.id, toStoreId: WEIHUI, idempotencyKey: '%' } },
      'dispatcher',
    );
    expect(errorCode(conflict)).toBe('IDEMPOTENCY_CONFLICT');
  });
});
