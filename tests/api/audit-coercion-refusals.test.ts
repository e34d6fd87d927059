import { describe, expect, it } from 'vitest';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { COTTON_TENT, key, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';

// D22 (DESIGN: refusals are logged too): a mutation refused because a value does not coerce — a Money of "0.105", a
// DateTime of "yesterday" — is refused before any resolver runs, so the resolvers' audit wrapper never sees it. It
// leaves one BAD_USER_INPUT row per root mutation field all the same, with the actor, the input as sent and the
// user's message, whether the value came in a variable or was written in the query; a query leaves none, and a
// refusal inside the resolver still has one row, not two. Finance sweep #7.

const ENTRY = `id username role regionCode subjectRegionCode operation input outcome message`;
const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 500) { totalCount edges { node { ${ENTRY} } } } }`;

interface Entry {
  id: string;
  username: string | null;
  role: string | null;
  regionCode: string | null;
  subjectRegionCode: string | null;
  operation: string;
  input: string | null;
  outcome: string;
  message: string | null;
}

const RECEIVE = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }`;

const receipt = (line: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  storeId: WEIHUI,
  source: 'PURCHASE',
  contractNo: 'HT-2026-007',
  idempotencyKey: key(),
  lines: [{ itemId: COTTON_TENT, quantity: 2, batchNo: 'AC-1', unitPrice: '10.00', ...line }],
  ...extra,
});

/** The same receipt written in the query itself (no variables). */
const inlineReceipt = (unitPrice: string, occurredAt?: string) =>
  `mutation { receiveStock(input: { storeId: "${WEIHUI}", source: PURCHASE, contractNo: "HT-2026-007", idempotencyKey: "${key()}",` +
  `${occurredAt ? ` occurredAt: "${occurredAt}",` : ''} lines: [{ itemId: "${COTTON_TENT}", quantity: 2, batchNo: "AC-1", unitPrice: "${unitPrice}" }] }) { id } }`;

function refusal(res: GqlResult) {
  expect(res.data?.receiveStock ?? null).toBeNull();
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  const [error] = res.errors!;
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  return error;
}

describe('audit of mutations refused before their resolvers run (D22, finance #7)', () => {
  const t = useTestApp();

  const entries = async (f: Record<string, unknown> = {}): Promise<Entry[]> =>
    ok(await t.gql(AUDIT, { f }, 'admin')).auditLog.edges.map((e: { node: Entry }) => e.node);
  const total = async () => ok(await t.gql(AUDIT, { f: {} }, 'admin')).auditLog.totalCount as number;

  /** Runs `act` and returns the audit rows it added (newest first). */
  async function added(act: () => Promise<GqlResult>): Promise<{ res: GqlResult; rows: Entry[] }> {
    await t.token('keeper');
    await t.token('admin');
    // Entries are newest first; their ids are UUIDs (API.md), so the new ones are those before the newest seen before.
    const before = await entries();
    const res = await act();
    const after = await entries();
    const seen = before.length ? after.findIndex((e) => e.id === before[0].id) : after.length;
    expect(seen).toBeGreaterThanOrEqual(0);
    const rows = after.slice(0, seen);
    return { res, rows };
  }

  function expectOneRefusalRow(rows: Entry[], message: string) {
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      username: 'keeper',
      role: 'KEEPER',
      regionCode: '410781000000',
      // The store the receipt was for: 卫辉市's auditors read it.
      subjectRegionCode: '410781000000',
      operation: 'receiveStock',
      outcome: 'BAD_USER_INPUT',
      message,
    });
    return JSON.parse(rows[0].input!);
  }

  it('D22: a Money "0.105" in variables — one BAD_USER_INPUT row, with the input as sent and the message the keeper read', async () => {
    const input = receipt({ unitPrice: '0.105' });
    const { res, rows } = await added(() => t.gql(RECEIVE, { input }, 'keeper'));
    const error = refusal(res);
    expect(error.extensions.field).toBe('input.lines.0.unitPrice');
    expect(error.message).toMatch(/^第 1 行 单价：金额格式错误/);
    const logged = expectOneRefusalRow(rows, error.message);
    expect(logged).toEqual({ input });
  });

  it('D22: a DateTime "yesterday" in variables — one BAD_USER_INPUT row', async () => {
    const input = receipt({}, { occurredAt: 'yesterday' });
    const { res, rows } = await added(() => t.gql(RECEIVE, { input }, 'keeper'));
    const error = refusal(res);
    expect(error.extensions.field).toBe('input.occurredAt');
    expect(expectOneRefusalRow(rows, error.message)).toEqual({ input });
  });

  it('D22: a Money "0.105" written in the query — one BAD_USER_INPUT row; the error names the field as with variables', async () => {
    const { res, rows } = await added(() => t.gql(inlineReceipt('0.105'), {}, 'keeper'));
    const error = refusal(res);
    expect(error.extensions.field).toBe('input.lines.0.unitPrice');
    expect(error.message).toMatch(/^第 1 行 单价：金额格式错误/);
    const logged = expectOneRefusalRow(rows, error.message);
    expect(logged.input).toMatchObject({ storeId: WEIHUI, source: 'PURCHASE', lines: [{ itemId: COTTON_TENT, quantity: 2, unitPrice: '0.105' }] });
  });

  it('D22: a DateTime "yesterday" written in the query — one BAD_USER_INPUT row, field input.occurredAt', async () => {
    const { res, rows } = await added(() => t.gql(inlineReceipt('10.00', 'yesterday'), {}, 'keeper'));
    const error = refusal(res);
    expect(error.extensions.field).toBe('input.occurredAt');
    const logged = expectOneRefusalRow(rows, error.message);
    expect(logged.input).toMatchObject({ occurredAt: 'yesterday' });
  });

  it('D22: both the variable and the same value in the query say the same words', async () => {
    const viaVariable = refusal(await t.gql(RECEIVE, { input: receipt({ unitPrice: '0.105' }) }, 'keeper'));
    const inline = refusal(await t.gql(inlineReceipt('0.105'), {}, 'keeper'));
    expect(inline.message).toBe(viaVariable.message);
    expect(inline.extensions.field).toBe(viaVariable.extensions.field);
  });

  it('D22: the row names the operation the refused field belongs to, reached through a fragment', async () => {
    const { res, rows } = await added(() =>
      t.gql(
        `mutation($a: ReceiveStockInput!) { ...R } fragment R on Mutation { receiveStock(input: $a) { id } }`,
        { a: receipt({ unitPrice: '1e3' }) },
        'keeper',
      ),
    );
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(rows.map((r) => [r.operation, r.outcome, r.message])).toEqual([['receiveStock', 'BAD_USER_INPUT', res.errors![0].message]]);
  });

  it('D22: a refusal inside the resolver still has exactly one row (never a second)', async () => {
    const { res, rows } = await added(() => t.gql(RECEIVE, { input: receipt({ quantity: 0 }) }, 'keeper'));
    const error = refusal(res);
    expectOneRefusalRow(rows, error.message);
  });

  it('D22: a query refused for the same values leaves no row, in variables or in the query', async () => {
    await t.token('auditor');
    const before = await total();
    const asOf = `query($at: DateTime) { valuation(asOf: $at) { total } }`;
    refusal(await t.gql(asOf, { at: 'yesterday' }, 'auditor'));
    const inline = refusal(await t.gql(`query { valuation(asOf: "yesterday") { total } }`, {}, 'auditor'));
    expect(inline.extensions.field).toBe('asOf');
    expect(inline.message).toMatch(/^截止时间：时间格式错误/);
    expect(await total()).toBe(before);
  });
});
