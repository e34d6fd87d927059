import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// D22, D31 (sweep 19c F2): an audit entry names who acted by the 姓名 they had then. Read live from the account, a
// rename — one's own, or an administrator renaming a user after a colleague — rewrote every past entry.

const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 500) { edges { node { username displayName operation input outcome } } } }`;

describe('audit entries keep the actor’s name as it was (D22, D31)', () => {
  const t = useTestApp();
  const entries = async (username: string) => (ok(await t.gql(AUDIT, { f: { username } }, 'admin')).auditLog.edges as any[]).map((e) => e.node);

  it('a keeper renamed after acting: the earlier entries keep the old name, the later ones carry the new', async () => {
    const { createUser } = ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: 'rename-k', displayName: '张三', password: TEST_PASSWORD, role: 'KEEPER', storeIds: [WEIHUI] } },
        'admin',
      ),
    );
    await receive(t, 'rename-k', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'REN-1', unitPrice: '2180.00' }]);
    // Renamed to the name of the deputy director: the keeper's past receipt must not read as his.
    ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { displayName: "新乡市应急管理局副局长" }) { id } }`, { id: createUser.id }, 'admin'));
    await receive(t, 'rename-k', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'REN-2', unitPrice: '2180.00' }]);
    const receipts = (await entries('rename-k')).filter((e) => e.operation === 'receiveStock');
    const named = (batchNo: string) => receipts.find((e) => e.input.includes(batchNo))!.displayName;
    expect(named('REN-1')).toBe('张三');
    expect(named('REN-2')).toBe('新乡市应急管理局副局长');
    // The rename itself is the administrator's entry, under the administrator's own name.
    const rename = (await entries('admin')).find((e) => e.operation === 'updateUser' && e.input.includes('新乡市应急管理局副局长'));
    expect(rename).toMatchObject({ displayName: '系统管理员', outcome: 'OK' });
  });
});
