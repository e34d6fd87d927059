import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { stockedPoint } from '../support/relief.ts';

// D29 and API.md idempotency, for distributeRelief:
// - the same idempotency key with the same input answers the first distribution (audited REPLAYED) whatever happened
//   since — the incident closed, the point changed — and the same key with other input stays IDEMPOTENCY_CONFLICT;
// - one person's old 15-digit ID number is the same household as their 18-digit number (matched by its 18-digit form, masked as given), and
//   an ID number whose birth date is no day of the calendar is refused; a wrong check digit is not.

const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};
const DISTRIBUTION = `id number household { headName size idNumberMasked } lines { quantity }`;
const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 200) { edges { node { input outcome } } } }`;

// 王测试: 410781 + 19900101 + 123 and its GB 11643 check digit 2; the old card read 410781 900101 123.
const ID18 = '410781199001011232';
const ID15 = '410781900101123';

describe('D29: distributeRelief — a retried distribution, and who a household is by ID number', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  let incidentId: string;
  let point: string;

  const distribute = (i: Record<string, unknown>, idempotencyKey = key()) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { ${DISTRIBUTION} } }`,
      // Sweep 23b F8: one slip, one distribution of the incident (D29) — each its own 签收凭证号, a replay its first one.
      { i: { storeId: point, incidentId, lines: [{ itemId: QUILT, quantity: 1 }], signatureRef: `QS-ID-${idempotencyKey.slice(0, 8)}`, idempotencyKey, ...i } },
      'keeper',
    );
  const onHand = async () => {
    const [row] = await queryRows<{ n: number }>(t.database.db, sql`SELECT coalesce(sum(on_hand), 0)::int AS n FROM balances WHERE store_id = ${point}::uuid`);
    return Number(row.n);
  };
  const outcomesOf = async (idempotencyKey: string) =>
    ok(await t.gql(AUDIT, { f: { operation: 'distributeRelief', username: 'keeper' } }, 'admin'))
      .auditLog.edges.map((e: any) => e.node)
      .filter((n: any) => JSON.parse(n.input).input.idempotencyKey === idempotencyKey)
      .map((n: any) => n.outcome);

  beforeAll(async () => {
    ({ incidentId, point } = await stockedPoint(t, '唐庄镇中心学校安置点', 'DID-MB-2031'));
  });

  it("D29: an old 15-digit ID number is the same household as the person's 18-digit number — each masked as given, one allowance", async () => {
    const first = ok(
      await distribute({ household: { headName: '王测试', size: 2, idNumber: ID15 }, lines: [{ itemId: QUILT, quantity: 1 }] }),
    ).distributeRelief;
    // The card's own digits, 15 characters (sweep 11a F7): not the 18-digit form's sequence and computed check digit.
    expect(first.household.idNumberMasked).toBe('410781*****1123');
    // The 18-digit number: 1 received of 2, so 2 more is over the standard; 1 more is not.
    const over = await distribute({ household: { headName: '王测试', size: 2, idNumber: ID18 }, lines: [{ itemId: QUILT, quantity: 2 }] });
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    expect(ext(over)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 2, already: 1, requested: 2 });
    const second = ok(await distribute({ household: { headName: '王测试', size: 2, idNumber: ID18 } })).distributeRelief;
    expect(second.household.idNumberMasked).toBe('410781********1232');
    // And back: the old number gets no fresh allowance, and names the head recorded for the number.
    const again = await distribute({ household: { headName: '王测试', size: 2, idNumber: ID15 } });
    expect(ext(again)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 2, already: 2 });
    expect(ext(await distribute({ household: { headName: '周六', size: 2, idNumber: ID15 } })).field).toBe('input.household.headName');
    const served = ok(await t.gql(`query($id: ID!) { incident(id: $id) { householdsServed } }`, { id: incidentId }, 'dispatcher')).incident;
    expect(served.householdsServed).toBe(1);

    // The 18-digit form made of the old number is the mask's source only: the full number, in either form, is stored nowhere.
    const full = [ID18, ID15, '19900101'];
    const tables = ['distributions', 'documents', 'audit_log', 'idempotency_keys'];
    for (const table of tables) {
      const [row] = await queryRows<{ n: number }>(
        t.database.db,
        sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} r WHERE ${sql.join(
          full.map((f) => sql`row_to_json(r)::text LIKE ${`%${f}%`}`),
          sql` OR `,
        )}`,
      );
      expect(Number(row.n), table).toBe(0);
    }
  });

  it('D29 (sweep 13a): a head registered by ID number with no address is not served again by name and address alone — no second allowance; with the ID number, or a reason, it is', async () => {
    const ID = '410781198703033214';
    const stock = await onHand();
    ok(await distribute({ household: { headName: '钱测七', size: 2, idNumber: ID }, lines: [{ itemId: QUILT, quantity: 2 }] }));
    const byAddress = await distribute({ household: { headName: '钱测七', size: 2, address: '汲水镇钱庄 7 号' } });
    expect(errorCode(byAddress)).toBe('BAD_USER_INPUT');
    expect(ext(byAddress).field).toBe('input.household.idNumber');
    expect(byAddress.errors?.[0]?.message).toContain('凭身份证号码登记领取（未登记住址）');
    expect(await onHand()).toBe(stock - 2); // nothing handed out
    // With the ID number (and the address now), it is the same household: its standard of 2 is used up.
    const withId = await distribute({ household: { headName: '钱测七', size: 2, idNumber: ID, address: '汲水镇钱庄 7 号' } });
    expect(ext(withId)).toMatchObject({ field: 'input.lines.0.quantity', allowance: 2, already: 2 });
    // A namesake's family at another address, stated as such: served (the override is the command's to read).
    ok(await distribute({ household: { headName: '钱测七', size: 2, address: '汲水镇李庄 9 号' }, overrideReason: '同名不同户，已核对户口簿' }));
    expect(await onHand()).toBe(stock - 3);
  });

  it('D29: an ID number whose birth date is no day of the calendar is refused at input.household.idNumber, in Chinese, and nothing changes; a wrong check digit is not refused', async () => {
    const before = await onHand();
    for (const idNumber of [
      '410781199013451234', // month 13
      '410781199001321234', // day 32
      '410781199002301234', // 2 月 30 日
      '410781190002291234', // 1900 is no leap year
      '410781199000101234', // month 00
      '410781000229123', // the 15-digit form: 1900-02-29
      '410781901301123', // the 15-digit form: month 13
    ]) {
      const res = await distribute({ household: { headName: '吴九', size: 1, idNumber } });
      expect(errorCode(res), idNumber).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.household.idNumber');
      expect(res.errors![0].message).toContain('出生日期');
    }
    expect(await onHand()).toBe(before);

    // A real birth date is accepted whatever the check digit says: 29 Feb 2000, and a made-up check digit.
    const leap = ok(await distribute({ household: { headName: '郑十', size: 1, idNumber: '410781200002295671' } })).distributeRelief;
    expect(leap.household.idNumberMasked).toBe('410781********5671');
    // 410781199001011234's check digit would be 2, not 4: not refused, and a household of its own (masked as given).
    const madeUp = ok(await distribute({ household: { headName: '冯十一', size: 1, idNumber: '410781199001011234' } })).distributeRelief;
    expect(madeUp.household.idNumberMasked).toBe('410781********1234');
  });

  it('API.md: a replay after the point stopped being this incident’s 安置点 answers the first distribution; a new key is refused', async () => {
    const k = key();
    const input = { household: { headName: '褚十二', size: 1, idNumber: '410781198203034455' } };
    const first = ok(await distribute(input, k)).distributeRelief;
    // What no mutation can do to a point with ledger history (D31) — a point that is no longer one — made directly.
    await queryRows(t.database.db, sql`UPDATE stores SET kind = 'GOVERNMENT' WHERE id = ${point}::uuid`);
    try {
      const stock = await onHand();
      const replay = ok(await distribute(input, k)).distributeRelief;
      expect(replay).toEqual(first);
      expect(await onHand()).toBe(stock);
      const fresh = await distribute({ household: { headName: '卫十三', size: 1, idNumber: '410781198304045566' } });
      expect(errorCode(fresh)).toBe('BAD_USER_INPUT');
      expect(ext(fresh).field).toBe('input.storeId');
    } finally {
      await queryRows(t.database.db, sql`UPDATE stores SET kind = 'DISTRIBUTION_POINT' WHERE id = ${point}::uuid`);
    }
    expect(await outcomesOf(k)).toEqual(['REPLAYED', 'OK']); // newest first
  });

  it('API.md: the same key and input after the incident closed answer the first distribution (REPLAYED); other input is IDEMPOTENCY_CONFLICT', async () => {
    const k = key();
    const input = { household: { headName: '陈一', size: 3, idNumber: '410781197501011117' }, lines: [{ itemId: QUILT, quantity: 3 }] };
    const first = ok(await distribute(input, k)).distributeRelief;
    ok(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { closedAt } }`, { id: incidentId }, 'dispatcher'));
    const stock = await onHand();

    // A keeper retrying after a timeout learns the hand-out was recorded — the same document, nothing handed out twice.
    const replay = ok(await distribute(input, k)).distributeRelief;
    expect(replay).toEqual(first);
    // The 15-digit form of the same number is the same household, so the same input.
    expect(ok(await distribute({ ...input, household: { ...input.household, idNumber: '410781750101111' } }, k)).distributeRelief.id).toBe(first.id);
    expect(await onHand()).toBe(stock);
    expect(await outcomesOf(k)).toEqual(['REPLAYED', 'REPLAYED', 'OK']);

    // The same key with another quantity is a conflict naming the first, before the incident's state.
    const conflict = await distribute({ ...input, lines: [{ itemId: QUILT, quantity: 2 }] }, k);
    expect(errorCode(conflict)).toBe('IDEMPOTENCY_CONFLICT');
    expect(ext(conflict)).toMatchObject({ field: 'input.idempotencyKey', documentId: first.id }); // as a blank key is named (sweep 11b B3)
    // A new key is a new distribution: the closed incident refuses it.
    const fresh = await distribute(input);
    expect(errorCode(fresh)).toBe('INVALID_STATE');
    expect(ext(fresh).field).toBe('input.incidentId');
    expect(await onHand()).toBe(stock);
  });
});
