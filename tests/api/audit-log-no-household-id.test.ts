import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { key, QUILT } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { stockedPoint } from '../support/relief.ts';

// D29 (sweep 20c F7): personal data only to roles that need it. A refusal of a household coming twice (the same head and
// address under another ID number) names the other household's masked number to the keeper, who may see it — but the
// audit log kept that message as told, and auditors, whom `distributions` refuses households, read it there (the mask
// ends in the check digit and narrows the birth date). One rule: what the audit log keeps — an input's text and a
// message alike — carries no ID number, whole or masked.

const HEAD = { headName: '钱某', size: 2, idNumber: '410781198001010011', address: '汲水镇城郊村' };
const OTHER_ID = '410781198001010999';
const MASKED = '410781********0011';

describe('D29: the audit log keeps no household’s ID number, not even masked (sweep 20c F7)', () => {
  const t = useTestApp();
  let at: { incidentId: string; point: string };
  const distribute = (household: Record<string, unknown>, quantity: number, extra: Record<string, unknown> = {}) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`,
      {
        i: {
          storeId: at.point,
          incidentId: at.incidentId,
          household,
          lines: [{ itemId: QUILT, quantity }],
          signatureRef: `QS-F7-${key().slice(0, 8)}`, // one slip each (sweep 23b F8)
          idempotencyKey: key(),
          ...extra,
        },
      },
      'keeper',
    );
  const auditMessages = async (as: string) =>
    ok(
      await t.gql(`{ auditLog(filter: { operation: "distributeRelief" }, first: 100) { edges { node { outcome message input } } } }`, {}, as),
    ).auditLog.edges.map((e: any) => e.node);

  beforeAll(async () => {
    at = await stockedPoint(t, '汲水镇城郊小学安置点', 'F7-MB-2031');
    ok(await distribute(HEAD, 2));
  });

  it('the keeper is told the other number masked; the auditor reads the refusal without it — FORBIDDEN from distributions as before', async () => {
    const refused = await distribute({ ...HEAD, idNumber: OTHER_ID }, 1);
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].message).toContain(`已凭另一身份证号码（${MASKED}）登记领取`);

    const rows = (await auditMessages('auditor')).filter((r: any) => r.outcome === 'BAD_USER_INPUT');
    expect(rows).toHaveLength(1);
    expect(rows[0].message).toContain('该户主与住址已凭另一身份证号码（***）登记领取，按同一户计算');
    for (const personal of [MASKED, '0011', '********', OTHER_ID, '0999']) expect(JSON.stringify(rows[0])).not.toContain(personal);
    expect(errorCode(await t.gql(`query($s: ID!) { distributions(filter: { storeId: $s }, first: 5) { totalCount } }`, { s: at.point }, 'auditor'))).toBe(
      'FORBIDDEN',
    );
  });

  it('an ID number typed into free text, refused, is kept out of the input and the message in the log (whole or masked)', async () => {
    const refused = await distribute({ headName: '孙某', size: 1, address: '汲水镇城郊村' }, 1, { overrideReason: `同户另证 ${MASKED}，身份证${OTHER_ID}` });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    const [row] = await queryRows<{ input: string; message: string }>(
      t.database.db,
      sql`SELECT input::text AS input, message FROM audit_log WHERE operation = 'distributeRelief' ORDER BY id DESC LIMIT 1`,
    );
    expect(row.input).toContain('同户另证 ***，身份证***');
    for (const personal of [MASKED, OTHER_ID, '410781*', '0999']) expect(`${row.input} ${row.message}`).not.toContain(personal);
  });
});
