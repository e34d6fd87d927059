import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { key } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { quiltDistributor, stockedPoint } from '../support/relief.ts';

// D29 (sweep 12b F2): only a household's masked ID number is stored, and personal data is shown only to roles that need
// it — but a full ID number typed into free text (an over-standard reason, a signature reference, an address, a
// reversal's or a decision's reason) was stored and shown in clear to auditors: in alerts, approval summaries and the
// audit log. It is refused, naming the field and where the number belongs; other numbers in text are not.
// README (sweep 12b F6): passwords are never logged — a password typed into the username field was, in the audit log.

const BIRTH_DATE = '19860909'; // the digits of the numbers below that the mask hides
const ID18 = `410781${BIRTH_DATE}1236`;
const ID15 = '410781860909123';
const REFUSED = /请勿在此填写身份证号码（受助家庭的身份证号只填在“身份证号”一栏，系统只保存脱敏号码/;

describe('D29: no full ID number in free text that others read (sweep 12b F2)', () => {
  const t = useTestApp();
  let at: { incidentId: string; point: string };
  const distribute = (household: Record<string, unknown>, quantity: number, extra: Record<string, unknown> = {}) =>
    quiltDistributor(t, () => at, 'id number overrideReason signatureRef household { address }')(household, quantity, extra);
  const countOf = async (table: 'distributions' | 'approvals') =>
    Number((await queryRows<{ n: string }>(t.database.db, sql`SELECT count(*)::text AS n FROM ${sql.raw(table)}`))[0].n);
  const auditText = async (operation: string) =>
    (
      await queryRows<{ row: string }>(
        t.database.db,
        sql`SELECT username || ' ' || input::text || ' ' || coalesce(message, '') AS row FROM audit_log WHERE operation = ${operation}`,
      )
    )
      .map((r) => r.row)
      .join('\n');

  beforeAll(async () => {
    at = await stockedPoint(t, '汲水镇自由文本安置点', 'FT-MB-2031');
  });

  it('D29: distributeRelief refuses an ID number in overrideReason, signatureRef, the address or the head’s name — BAD_USER_INPUT naming the field, nothing kept', async () => {
    const household = { headName: '自由文本甲', size: 1, idNumber: '410781198001011232', address: '汲水村一组' };
    const before = await countOf('distributions');
    const cases: [Record<string, unknown>, Record<string, unknown>, string, string][] = [
      [household, { overrideReason: `户主张三身份证${ID18}，患糖尿病需加发` }, 'input.overrideReason', '超标准发放原因'],
      [household, { overrideReason: `身份证 ${ID15}（旧证）`, signatureRef: 'QS-F1' }, 'input.overrideReason', '超标准发放原因'],
      // Full-width digits and a number written in groups are the same number to whoever reads them.
      [household, { overrideReason: '身份证４１０７８１１９８６０９０９１２３６', signatureRef: 'QS-F2' }, 'input.overrideReason', '超标准发放原因'],
      [household, { overrideReason: '证件号 4107 8119 8609 0912 36', signatureRef: 'QS-F3' }, 'input.overrideReason', '超标准发放原因'],
      [household, { overrideReason: '需加发', signatureRef: '41078119860909124x' }, 'input.signatureRef', '签收凭证'],
      [{ ...household, address: `汲水村 身份证${ID18}` }, { overrideReason: '需加发' }, 'input.household.address', '受助家庭 地址'],
      [{ ...household, headName: `张三${ID18}` }, { overrideReason: '需加发' }, 'input.household.headName', '受助家庭 户主姓名'],
    ];
    for (const [h, extra, field, words] of cases) {
      const res = await distribute(h, 3, extra);
      expect(errorCode(res), field).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe(field);
      expect(res.errors![0].message).toMatch(new RegExp(`^${words}：`));
      expect(res.errors![0].message).toMatch(REFUSED);
      expect(res.errors![0].message).not.toMatch(/4107|１９８６/);
    }
    expect(await countOf('distributions')).toBe(before);
    // The refusals' audit rows keep the inputs with the numbers left out — not even masked (sweep 20c F7: auditors read
    // the log, and may not read households; it kept them masked, 区划 and last 4, before).
    const audited = await auditText('distributeRelief');
    expect(audited).toContain('户主张三身份证***，患糖尿病需加发');
    expect(audited).not.toContain('410781********1236');
    expect(audited).not.toContain(BIRTH_DATE);
    expect(audited).not.toContain('860909');
  });

  it('D29: other numbers in text are no ID number — a phone, a document number, a date, a quantity, a bank card, a code with letters', async () => {
    const res = await distribute({ headName: '自由文本乙', size: 1, address: '汲水村二组 2 号 13812345678' }, 3, {
      overrideReason:
        '患糖尿病需加发 3 床，联系 13812345678，见 RK-2026-000017、2026-07-20 记录；账号 6222021234567890123，编号 202607201234567890、41078120260720-0001，区划 410781100000',
      signatureRef: 'QS410781202607200001',
    });
    const d = ok(res).distributeRelief;
    expect(d.signatureRef).toBe('QS410781202607200001');
    expect(d.overrideReason).toMatch(/13812345678/);
  });

  it('D29: a reversal’s reason and an approval decision’s reason refuse an ID number too (read by auditors in the approval)', async () => {
    const given = ok(await distribute({ headName: '自由文本丙', size: 1 }, 1, { signatureRef: 'QS-F9' })).distributeRelief;
    const approvals = await countOf('approvals');
    const reverse = (reason: string) =>
      t.gql(
        `mutation($id: ID!, $r: String!, $k: String!) { reverseDocument(documentId: $id, reason: $r, idempotencyKey: $k) { id status } }`,
        { id: given.id, r: reason, k: key() }, // a distribution's id is its issue's
        'keeper',
      );
    const refused = await reverse(`录入错误：户主身份证${ID18}重复登记`);
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0]).toMatchObject({ extensions: { field: 'reason' } });
    expect(refused.errors![0].message).toMatch(REFUSED);
    expect(await countOf('approvals')).toBe(approvals);

    const reversal = ok(await reverse('录入错误：重复登记')).reverseDocument;
    const approvalId = await pendingApprovalOf(t, reversal.id, 'REVERSAL');
    const rejected = await decideRaw(t, 'admin', approvalId, 'REJECT', { reason: `该户身份证 ${ID15} 核实无误` });
    expect(errorCode(rejected)).toBe('BAD_USER_INPUT');
    expect(rejected.errors![0]).toMatchObject({ extensions: { field: 'input.reason' } });
    expect(rejected.errors![0].message).toMatch(REFUSED);
    expect(await pendingApprovalOf(t, reversal.id, 'REVERSAL')).toBe(approvalId); // still pending: the refusal changed nothing
    expect(ok(await decideRaw(t, 'admin', approvalId, 'REJECT', { reason: '核实无误，不予冲销' })).decideApproval.status).toBe('REJECTED');
    expect(`${await auditText('reverseDocument')}\n${await auditText('decideApproval')}`).not.toContain('860909');
  });

  it('D29 (sweep 16a F9): an ID number split by separators, or in 〇一二…, is refused too; so is one in an incident’s name, read by everyone in the region', async () => {
    for (const address of ['某村410781-19820315-1236', '410781/19820315/1236', '四一〇七八一一九八二〇三一五一二三六']) {
      const res = await distribute({ headName: '自由文本丁', size: 1, address }, 1, { signatureRef: 'QS-F16' });
      expect(errorCode(res), address).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(REFUSED);
    }
    const incidents = Number((await queryRows<{ n: string }>(t.database.db, sql`SELECT count(*)::text AS n FROM incidents`))[0].n);
    const res = await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: `某户${ID18}洪涝`, type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.07 }, affectedPopulation: 10 } },
      'dispatcher',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(REFUSED);
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.name' });
    expect((await queryRows<{ n: string }>(t.database.db, sql`SELECT count(*)::text AS n FROM incidents`))[0].n).toBe(String(incidents));
    // A code whose digits split where an ID number has no part is a code.
    ok(
      await distribute({ headName: '自由文本戊', size: 1, address: '汲水村' }, 1, {
        signatureRef: 'QS-410781-20260720-0001',
        overrideReason: '编号 41078120260720-0001',
      }),
    );
  });
});

describe('README: a password typed into the username field is not kept in the audit log (sweep 12b F6)', () => {
  const t = useTestApp();
  const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
  const loginRows = async () =>
    queryRows<{ username: string | null; user_id: string | null; input: string }>(
      t.database.db,
      sql`SELECT username, user_id::text, input::text FROM audit_log WHERE operation = 'login' AND outcome = 'UNAUTHENTICATED' ORDER BY id`,
    );

  it('D22: a failed login by a name no account has keeps only its first character and length; one against an account keeps the name', async () => {
    expect(errorCode(await t.gql(LOGIN, { u: 'Demo@2026!', p: 'keeper' }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(`mutation { login(username: "Secret#Pass-77", password: "x") { token } }`))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(LOGIN, { u: 'auditor', p: 'Wrong-Secret-123' }))).toBe('UNAUTHENTICATED');
    const rows = await loginRows();
    expect(rows.map((r) => [r.username, JSON.parse(r.input)])).toEqual([
      ['D*********', { username: 'D*********', password: '***' }],
      ['S*************', { username: 'S*************', password: '***' }],
      ['auditor', { username: 'auditor', password: '***' }],
    ]);
    expect(rows[2].user_id).toBeTruthy(); // brute force against a real account stays visible by name
    const all = (await queryRows<{ row: string }>(t.database.db, sql`SELECT row_to_json(a)::text AS row FROM audit_log a`)).map((r) => r.row).join('\n');
    expect(all).not.toMatch(/Demo@2026!|Secret#Pass-77/);
  });
});
