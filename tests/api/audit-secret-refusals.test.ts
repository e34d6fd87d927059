import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// D22, D29 (sweep 7c H1, H2): a password or an ID number sent as a number — a script or a spreadsheet that drops the
// quotes — is refused as not text, and the refusal neither quotes the value back nor keeps it in the audit row that
// auditors read (the input beside it is masked: the message was not). Other fields still quote what was refused.

const ID_NUMBER = '410781198703152401';

describe('refusals of secret fields quote no value (D22, D29)', () => {
  const t = useTestApp();

  const messagesLogged = async (operation: string) =>
    (await queryRows<{ message: string | null }>(t.database.db, sql`SELECT message FROM audit_log WHERE operation = ${operation}`)).map((r) => r.message ?? '');

  it('D22: a numeric password is refused by field, without the password, in the answer and in the log — variable or literal', async () => {
    const asVariable = await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: 'keeper', p: 20262026 });
    expect(asVariable.errors?.[0]).toMatchObject({ message: '密码：须为文本', extensions: { code: 'BAD_USER_INPUT', field: 'password' } });
    const literal = await t.gql(`mutation { login(username: "keeper", password: 87654321) { token } }`);
    expect(literal.errors?.[0]).toMatchObject({ message: '密码：须为文本', extensions: { code: 'BAD_USER_INPUT', field: 'password' } });
    const changed = await t.gql(`mutation { changePassword(oldPassword: "${TEST_PASSWORD}", newPassword: 99887766) { token } }`, {}, 'keeper');
    expect(changed.errors?.[0].message).toBe('新密码：须为文本');
    const created = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: 'numeric-pw', displayName: '数字密码', password: 55556666, role: 'AUDITOR', regionCode: '410781' } },
      'admin',
    );
    expect(created.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.password' } });
    expect(created.errors?.[0].message).not.toMatch(/55556666/);
    const logged = [...(await messagesLogged('login')), ...(await messagesLogged('changePassword')), ...(await messagesLogged('createUser'))];
    expect(logged.filter((m) => m.includes('须为文本'))).toHaveLength(4);
    expect(logged.join('\n')).not.toMatch(/20262026|87654321|99887766|55556666/);
  });

  it('D29: an ID number sent as a number (or a list) is refused by field, and no digit of it reaches the answer or the log', async () => {
    const distribute = `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`;
    const input = (idNumber: unknown) => ({
      storeId: randomUUID(),
      incidentId: randomUUID(),
      idempotencyKey: randomUUID(),
      household: { headName: '隐私测试', size: 2, idNumber },
      lines: [{ itemId: randomUUID(), quantity: 1 }],
    });
    for (const idNumber of [Number(ID_NUMBER), [ID_NUMBER], { n: ID_NUMBER }]) {
      const res = await t.gql(distribute, { i: input(idNumber) }, 'keeper');
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.household.idNumber' });
      expect(res.errors?.[0].message).not.toMatch(/4107811987/);
    }
    const literal = await t.gql(
      `mutation { distributeRelief(input: { storeId: "${randomUUID()}", incidentId: "${randomUUID()}", idempotencyKey: "lit-1",
        household: { headName: "隐私测试", size: 2, idNumber: ${ID_NUMBER} }, lines: [{ itemId: "${randomUUID()}", quantity: 1 }] }) { id } }`,
      {},
      'keeper',
    );
    expect(literal.errors?.[0]).toMatchObject({ message: '受助家庭 身份证号：须为文本', extensions: { field: 'input.household.idNumber' } });
    const logged = await messagesLogged('distributeRelief');
    expect(logged.length).toBeGreaterThanOrEqual(4);
    expect(logged.join('\n')).not.toMatch(/4107811987/);
  });

  it('API.md errors: a field that is not secret still quotes the refused value', async () => {
    const res = await t.gql(`query { stores(first: 1.5) { totalCount } }`, {}, 'keeper');
    expect(res.errors?.[0].message).toBe('每页条数：须为整数：1.5');
  });
});
