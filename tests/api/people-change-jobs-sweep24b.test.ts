import { describe, expect, it } from 'vitest';
import { NOW, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, receive, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, reverseRaw } from '../support/ledger-ops.ts';
import { download, JOURNAL_HEADINGS, parseCsv } from '../support/paperwork.ts';
import { createIncident, openPoint, quiltDistributor, stockedPoint } from '../support/relief.ts';
import { userId } from '../../seeds/demo.ts';

// Sweep 24b — people change jobs.
// F1 (D22, D31, D18): a rename (the keeper account handed to a successor) rewrote who handled past documents: their
// actor, approvals' requester and decider, distributions' distributor, the printed 出库单's 经办人 and journal.csv's
// 经办人 read the account's current 姓名, while the audit log kept the name of the time. They now read the name the
// account had at the act (user_name_history, users/names.ts userNameAt; the `userAt` loader).
// F2 (D22): a user change's audit row names whose account changed (username, 姓名 at the time) and createUser's row the
// new account's id. F5 (D22): an 安置点 given to a keeper of another county is filed under the keeper's county too.

const OLD = '卫辉市储备库库管员';
const NEW = '王五（接任库管员）';
const later = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

const rename = async (t: ReturnType<typeof useTestApp>, username: string, displayName: string) =>
  ok(
    await t.gql(
      `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { displayName } }`,
      { id: userId(username), i: { displayName } },
      'admin',
    ),
  ).updateUser;

describe('a rename changes no past act: documents, approvals, distributions, prints and exports name the person of the time (sweep 24b F1, D22, D31)', () => {
  const t = useTestApp({ resetClock: true });

  it('D31: after the keeper account is renamed, its earlier receipt, reversal approval, distribution, print and journal.csv name the predecessor; its later acts and me the successor', async () => {
    const receipt = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 3, batchNo: 'P24B-1', unitPrice: '2180.00' }]);
    ok(await reverseRaw(t, 'keeper', receipt.id)); // requested by the keeper, approved by another (D24)
    const fixture = await stockedPoint(t, 'P24B安置点', 'P24B-Q');
    ok(await quiltDistributor(t, () => fixture, 'id')({ headName: '赵六', size: 3 }, 2));

    t.clock.set(later(60));
    expect(await rename(t, 'keeper', NEW)).toEqual({ displayName: NEW });
    t.clock.set(later(120));
    const after = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'P24B-2', unitPrice: '2180.00' }]);

    const doc = async (id: string) =>
      ok(
        await t.gql(
          `query($id: ID!) { document(id: $id) { number actor { username displayName } approval { requestedBy { displayName } decidedBy { username displayName } } } }`,
          { id },
          'admin',
        ),
      ).document;
    expect((await doc(receipt.id)).actor).toEqual({ username: 'keeper', displayName: OLD });
    expect((await doc(after.id)).actor).toEqual({ username: 'keeper', displayName: NEW });
    const reversal = ok(
      await t.gql(
        `query($s: ID!) { documents(filter: { storeId: $s, type: "REVERSAL" }, first: 5) { edges { node { id actor { displayName } approval { requestedBy { displayName } } } } } }`,
        { s: WEIHUI },
        'admin',
      ),
    ).documents.edges[0].node;
    expect(reversal.actor.displayName).toBe(OLD);
    expect(reversal.approval.requestedBy.displayName).toBe(OLD);

    const distributions = ok(
      await t.gql(
        `query($s: ID!) { distributions(filter: { storeId: $s }, first: 5) { edges { node { distributedBy { displayName } } } } }`,
        { s: fixture.point },
        'dispatcher',
      ),
    ).distributions.edges;
    expect(distributions.map((e: any) => e.node.distributedBy.displayName)).toEqual([OLD]);

    // The printed document's 经办人 (D18: each with its 经办人).
    const html = (await download(t, `/paperwork/documents/${receipt.id}.html`, 'keeper')).text;
    expect(html).toContain(OLD);
    expect(html).not.toContain(NEW);
    expect((await download(t, `/paperwork/documents/${after.id}.html`, 'keeper')).text).toContain(NEW);

    // journal.csv: the 经办人 of each movement as it was named when it was recorded.
    const [headings, ...rows] = parseCsv((await download(t, '/exports/journal.csv', 'auditor', { storeId: fixture.point })).text);
    expect(headings).toEqual(JOURNAL_HEADINGS);
    const actorAt = headings.indexOf('经办人');
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r[actorAt]))).toEqual(new Set([OLD]));
    const [, ...weihui] = parseCsv((await download(t, '/exports/journal.csv', 'auditor', { storeId: WEIHUI })).text);
    expect(weihui.find((r) => r[0] === after.number)?.[actorAt]).toBe(NEW);
    expect(weihui.find((r) => r[0] === receipt.number)?.[actorAt]).toBe(OLD);

    // The account itself is named as it is now; and the audit log, as before, as it was.
    expect(ok(await t.gql(`{ me { displayName } }`, {}, 'keeper')).me.displayName).toBe(NEW);
  }, 300_000);

  it('a second rename: each act names the name it had then (the first, the second, the current)', async () => {
    t.clock.set(later(200));
    await rename(t, 'keeper', '第二任库管员');
    t.clock.set(later(210));
    const second = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'P24B-3', unitPrice: '2180.00' }]);
    t.clock.set(later(220));
    await rename(t, 'keeper', '第三任库管员');
    const names = ok(
      await t.gql(
        `query($s: ID!) { documents(filter: { storeId: $s, type: "RECEIPT" }, first: 50) { edges { node { number actor { displayName } } } } }`,
        { s: WEIHUI },
        'admin',
      ),
    ).documents.edges.map((e: any) => e.node);
    expect(names.find((d: any) => d.number === second.number).actor.displayName).toBe('第二任库管员');
    expect(new Set(names.map((d: any) => d.actor.displayName))).toEqual(new Set([OLD, NEW, '第二任库管员']));
  });

  it('house style 5: the names at the time cost the same statements for 2 documents as for 12 (one loader, batched)', async () => {
    for (let i = 0; i < 12; i++) {
      t.clock.set(later(300 + i));
      if (i === 6) await rename(t, 'keeper', `第${i}任库管员`);
      await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: `P24B-N${i}`, unitPrice: '2180.00' }]);
    }
    const statements = async (first: number) => {
      const q = `query($s: ID!, $f: Int) { documents(filter: { storeId: $s }, first: $f) { edges { node { actor { displayName }
        approval { requestedBy { displayName } decidedBy { displayName } } } } } }`;
      await t.token('admin');
      t.database.stats.statements = 0;
      const res = ok(await t.gql(q, { s: WEIHUI, f: first }, 'admin'));
      return { n: t.database.stats.statements, names: new Set(res.documents.edges.map((e: any) => e.node.actor.displayName)) };
    };
    await statements(1); // the administrator's session read again after the rename (the reference cache was dropped)
    const large = await statements(12);
    const small = await statements(2);
    expect(large.names.size).toBeGreaterThan(1); // the page spans a rename
    expect(large.n).toBe(small.n);
  }, 300_000);
});

describe('a user change’s audit row says whose account changed (sweep 24b F2, D22)', () => {
  const t = useTestApp({ resetClock: true });
  const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 20) { edges { node { operation input references { field kind id name code } } } } }`;
  const entries = async (as: string, f: Record<string, unknown>) => (ok(await t.gql(AUDIT, { f }, as)).auditLog.edges as any[]).map((e) => e.node);

  it('updateUser: the auditor reads the account by username and 姓名 (at the time), in references; a later rename does not change it', async () => {
    ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }`, { id: userId('director') }, 'admin'));
    ok(await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { active: true }) { id } }`, { id: userId('director') }, 'admin'));
    t.clock.set(later(30));
    await rename(t, 'director', '新任副局长');
    const rows = await entries('auditor', { operation: 'updateUser' });
    const disabled = rows.find((e) => JSON.parse(e.input).input.active === false);
    expect(disabled.references).toContainEqual({ field: 'id', kind: 'USER', id: userId('director'), name: '新乡市应急管理局副局长', code: 'director' });
  });

  it('createUser: the row records the new account’s id, and names it', async () => {
    const made = ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: 'p24b.disp', displayName: '卫辉调度甲', password: 'p24b-password', role: 'DISPATCHER', regionCode: '410781' } },
        'admin',
      ),
    ).createUser;
    const [row] = (await entries('auditor', { operation: 'createUser' })).filter((e) => e.input.includes('p24b.disp'));
    expect(JSON.parse(row.input).created).toEqual({ userId: made.id });
    expect(row.references).toContainEqual({ field: 'created.userId', kind: 'USER', id: made.id, name: '卫辉调度甲', code: 'p24b.disp' });
  });
});

describe('an 安置点 given to a keeper of another county is filed under that county too (sweep 24b F5, D22)', () => {
  const t = useTestApp();

  it('the 新乡县 keeper given a 卫辉 安置点: the row reads under 410721 and names the keeper', async () => {
    const made = ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: 'p24b.keeper', displayName: '新乡县库管员甲', password: 'p24b-password', role: 'KEEPER', storeIds: [XINXIANG_COUNTY] } },
        'admin',
      ),
    ).createUser;
    const incidentId = await createIncident(t, { name: 'P24B洪涝', affectedPopulation: 100, responseLevel: 4 });
    const point = await openPoint(t, incidentId, 'P24B测试安置点', { managerIds: [made.id] });
    expect(point).toBeTruthy();
    const rows = (
      ok(
        await t.gql(
          `query($f: AuditFilter) { auditLog(filter: $f, first: 5) { edges { node { operation subjectRegionCodes references { field kind id name code } } } } }`,
          { f: { operation: 'openDistributionPoint', regionCode: '410721' } },
          'auditor',
        ),
      ).auditLog.edges as any[]
    ).map((e) => e.node);
    expect(rows).toHaveLength(1);
    expect(rows[0].subjectRegionCodes.some((c: string) => c.startsWith('410721'))).toBe(true);
    expect(rows[0].references).toContainEqual({ field: 'input.managerIds.0', kind: 'USER', id: made.id, name: '新乡县库管员甲', code: 'p24b.keeper' });
  });
});
