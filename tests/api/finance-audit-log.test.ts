import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { stableId } from '../../server/ids.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { COTTON_TENT, expectLedgerConsistent, issue, receive, WEIHUI } from '../support/ledger.ts';
import { ledgerCounts, ok } from '../support/ledger-ops.ts';
import { tableCounts } from '../support/finance.ts';

// D22: an append-only audit log of every mutation — who, role, when, operation, input summary (secrets masked),
// outcome (refusals too) — readable by auditors and administrators in their scope. Auditors write nothing.

const ENTRY = `id at username displayName role regionCode subjectRegionCode operation input outcome message`;
const AUDIT = `query($f: AuditFilter, $first: Int, $after: String) { auditLog(filter: $f, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { ${ENTRY} } } } }`;

type T = ReturnType<typeof useTestApp>;
interface Entry {
  id: string;
  at: string;
  username: string | null;
  displayName: string | null;
  role: string | null;
  regionCode: string | null;
  subjectRegionCode: string | null;
  operation: string;
  input: string | null;
  outcome: string;
  message: string | null;
}

async function auditAll(t: T, as: string, f: Record<string, unknown> = {}, first = 500): Promise<Entry[]> {
  const out: Entry[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = ok(await t.gql(AUDIT, { f, first, after }, as)).auditLog;
    out.push(...page.edges.map((e: any) => e.node));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return out;
}

const INCIDENT = {
  name: '卫辉市“7·20”洪涝灾害',
  type: 'FLOOD',
  regionCode: '410781',
  location: { lat: 35.398, lng: 114.065 },
  affectedPopulation: 1200,
  responseLevel: 3,
};

describe('audit log (D22)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  let receiptNumber: string;

  beforeAll(async () => {
    // A successful receipt, a refused issue, a failed login, an incident, a user created with a password.
    receiptNumber = (await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 5, batchNo: 'AU-1', unitPrice: '2180.00' }])).number;
    expect(errorCode(await issue(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 50 }]))).toBe('INSUFFICIENT_STOCK');
    expect(
      errorCode(await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: 'auditor', p: 'Wrong-Secret-123' })),
    ).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(`mutation { login(username: "dispatcher", password: "Literal-Secret-456") { token } }`))).toBe('UNAUTHENTICATED');
    ok(await t.gql(`mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, { i: INCIDENT }, 'dispatcher'));
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: 'au-keeper', displayName: '审计测试库管员', password: 'Created-Secret-789', role: 'KEEPER', storeIds: [WEIHUI] } },
        'admin',
      ),
    );
  });

  it('D22: every mutation is logged with username, role, operation, outcome (OK or the code), input summary, passwords masked', async () => {
    const all = await auditAll(t, 'admin');
    const find = (pred: (e: Entry) => boolean) => all.filter(pred);

    const receipts = find((e) => e.operation === 'receiveStock' && e.username === 'keeper');
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ role: 'KEEPER', regionCode: '410781000000', outcome: 'OK', message: null });
    expect(JSON.parse(receipts[0].input!).input).toMatchObject({
      storeId: WEIHUI,
      source: 'PURCHASE',
      lines: [{ itemId: COTTON_TENT, quantity: 5, batchNo: 'AU-1', unitPrice: '2180.00' }],
    });
    expect(Date.parse(receipts[0].at)).toBe(Date.parse('2026-07-20T02:00:00Z'));
    // Who, by name too (console sweep 2, L8: the log showed login names only).
    expect(receipts[0].displayName).toBe('卫辉市储备库库管员');

    const refused = find((e) => e.operation === 'issueStock');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ username: 'keeper', role: 'KEEPER', outcome: 'INSUFFICIENT_STOCK' });
    expect(refused[0].message).toMatch(/库存不足/);
    expect(JSON.parse(refused[0].input!).input.lines).toEqual([{ itemId: COTTON_TENT, quantity: 50 }]);

    const failed = find((e) => e.operation === 'login' && e.outcome === 'UNAUTHENTICATED');
    expect(failed.map((e) => [e.username, e.role, JSON.parse(e.input!)])).toEqual([
      ['dispatcher', null, { username: 'dispatcher', password: '***' }],
      ['auditor', null, { username: 'auditor', password: '***' }],
    ]);
    // D22: whose login was tried, by name, as every other row reads (sweep 10c F3: null for an existing account).
    expect(failed.map((e) => e.displayName)).toEqual(['新乡市应急管理局调度员', '新乡市财政审计员']);
    expect(find((e) => e.operation === 'login' && e.outcome === 'OK').length).toBeGreaterThanOrEqual(3); // the test users' logins

    const incident = find((e) => e.operation === 'createIncident');
    expect(incident).toHaveLength(1);
    expect(incident[0]).toMatchObject({ username: 'dispatcher', role: 'DISPATCHER', regionCode: '410700000000', outcome: 'OK' });
    expect(JSON.parse(incident[0].input!)).toEqual({ input: INCIDENT });

    const created = find((e) => e.operation === 'createUser');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ username: 'admin', role: 'ADMIN', regionCode: null, outcome: 'OK' });
    expect(JSON.parse(created[0].input!).input).toMatchObject({ username: 'au-keeper', password: '***', role: 'KEEPER' });

    // No secret reaches the log, in any entry.
    const raw = JSON.stringify(all);
    for (const secret of ['Wrong-Secret-123', 'Literal-Secret-456', 'Created-Secret-789', TEST_PASSWORD]) expect(raw).not.toContain(secret);
    // Newest first: in the log's order, each entry by its UUID (API.md), not the log's sequence number.
    const order = new Map(
      (await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text AS id FROM audit_log`)).map((r) => [
        stableId('audit-entry', String(r.id)),
        Number(r.id),
      ]),
    );
    for (let i = 1; i < all.length; i++) expect(order.get(all[i].id)!).toBeLessThan(order.get(all[i - 1].id)!);
    expect(receiptNumber).toMatch(/^RK-2026-/);
  });

  it('D22: literal arguments are summarised too (not just variables)', async () => {
    ok(
      await t.gql(
        `mutation { flood: createIncident(input: { name: "新乡县暴雨", type: FLOOD, regionCode: "410721", location: { lat: 35.19, lng: 113.8 } }) { id } }`,
        {},
        'admin',
      ),
    );
    const [entry] = await auditAll(t, 'admin', { operation: 'createIncident', username: 'admin' });
    expect(JSON.parse(entry.input!)).toEqual({ input: { name: '新乡县暴雨', type: 'FLOOD', regionCode: '410721', location: { lat: 35.19, lng: 113.8 } } });
    const [login] = await auditAll(t, 'admin', { operation: 'login', username: 'dispatcher', outcome: 'UNAUTHENTICATED' });
    expect(JSON.parse(login.input!)).toEqual({ username: 'dispatcher', password: '***' });
    // A failed login belongs to the named account's region: 新乡's auditor sees it.
    expect(login.regionCode).toBe('410700000000');
    expect((await auditAll(t, 'auditor', { operation: 'login', username: 'dispatcher', outcome: 'UNAUTHENTICATED' })).length).toBe(1);
  });

  it('D22: the 新乡 auditor reads 新乡 actors’ entries (keepers by their store’s region) and the unscoped admin’s only about 新乡; filters work', async () => {
    const mine = await auditAll(t, 'auditor');
    expect(mine.length).toBeGreaterThanOrEqual(3);
    expect(mine.every((e) => e.regionCode?.startsWith('4107') || e.subjectRegionCode?.startsWith('4107'))).toBe(true);
    expect(mine.some((e) => e.username === 'keeper' && e.operation === 'receiveStock')).toBe(true);
    expect(mine.some((e) => e.username === 'dispatcher' && e.operation === 'createIncident')).toBe(true);
    // The admin's rows about 新乡 (the account of a 卫辉 keeper, an incident, a decision) are 新乡's to read
    // (tests/api/audit-subject-region.test.ts); their logins are not.
    const admins = mine.filter((e) => e.username === 'admin');
    expect(admins.every((e) => e.subjectRegionCode?.startsWith('4107'))).toBe(true);
    expect(admins.map((e) => [e.operation, e.subjectRegionCode])).toContainEqual(['createUser', '410781000000']);
    expect(admins.some((e) => e.operation === 'login')).toBe(false);
    // The administrator filtering by 新乡 sees the same entries; unfiltered, also their own.
    const byRegion = await auditAll(t, 'admin', { regionCode: '410700' });
    expect(byRegion.map((e) => e.id)).toEqual(mine.map((e) => e.id));
    expect((await auditAll(t, 'admin')).some((e) => e.username === 'admin' && e.operation === 'createUser')).toBe(true);
    // 卫辉 only: the keeper's entries and what was done to 卫辉's records.
    const weihui = await auditAll(t, 'auditor', { regionCode: '410781' });
    expect(weihui.length).toBeGreaterThan(0);
    expect(weihui.every((e) => e.regionCode === '410781000000' || e.subjectRegionCode === '410781000000')).toBe(true);
    // Filters by operation and outcome, and pages without gaps.
    expect((await auditAll(t, 'auditor', { outcome: 'INSUFFICIENT_STOCK' })).map((e) => e.operation)).toEqual(['issueStock']);
    expect((await auditAll(t, 'auditor', {}, 2)).map((e) => e.id)).toEqual(mine.map((e) => e.id));
  });

  it('D22: dispatchers and keepers may not read the log; an auditor outside the region is FORBIDDEN', async () => {
    expect(errorCode(await t.gql(AUDIT, {}, 'dispatcher'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(AUDIT, {}, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(AUDIT, { f: { regionCode: '140500' } }, 'auditor'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(AUDIT, {}))).toBe('UNAUTHENTICATED');
  });

  it('D22: the database refuses UPDATE, DELETE and TRUNCATE on audit_log (append-only)', async () => {
    const count = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM audit_log`))[0].n);
    const before = await count();
    expect(before).toBeGreaterThan(0);
    await expect(t.database.db.execute(sql`UPDATE audit_log SET outcome = 'OK' WHERE outcome <> 'OK'`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`DELETE FROM audit_log WHERE operation = 'login'`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`TRUNCATE audit_log`)).rejects.toThrow();
    expect(await count()).toBe(before);
    const refusedStill = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM audit_log WHERE outcome <> 'OK'`);
    expect(Number(refusedStill[0].n)).toBeGreaterThan(0);
  });

  it('D22: every mutation in the schema but login, logout, changePassword and createDownloadLink is FORBIDDEN for the auditor (found by introspection) and writes nothing', async () => {
    const schema = ok(
      await t.gql(
        `{ __schema {
        mutationType { fields { name args { name defaultValue type { ...Ref } } type { ...Ref } } }
        types { name kind enumValues { name } inputFields { name defaultValue type { ...Ref } } } }
      }
      fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`,
        {},
        'auditor',
      ),
    ).__schema;
    const types = new Map<string, any>(schema.types.map((ty: any) => [ty.name, ty]));
    const fields: any[] = schema.mutationType.fields;
    const names = fields.map((f) => f.name);
    // The list is the schema's, not ours: it includes at least these.
    for (const n of [
      'login',
      'receiveStock',
      'issueStock',
      'shipTransfer',
      'submitStocktake',
      'reverseDocument',
      'closePeriod',
      'createUser',
      'createIncident',
      'createAgreement',
      'executeDispatchPlan',
    ]) {
      expect(names).toContain(n);
    }

    const render = (ref: any): string => (ref.kind === 'NON_NULL' ? `${render(ref.ofType)}!` : ref.kind === 'LIST' ? `[${render(ref.ofType)}]` : ref.name);
    const named = (ref: any): any => (ref.ofType ? named(ref.ofType) : ref);
    const scalar: Record<string, unknown> = {
      ID: randomUUID(),
      String: 'x',
      Int: 1,
      Float: 1,
      Boolean: false,
      Money: '1.00',
      Date: '2026-07-01',
      DateTime: '2026-07-01T08:00:00+08:00',
    };
    const dummy = (ref: any, depth = 0): unknown => {
      if (ref.kind === 'NON_NULL') return dummy(ref.ofType, depth);
      if (ref.kind === 'LIST') return [dummy(ref.ofType, depth)];
      const ty = types.get(ref.name);
      if (ref.kind === 'ENUM') return ty.enumValues[0].name;
      if (ref.kind === 'INPUT_OBJECT') {
        if (depth > 5) throw new Error(`input nesting too deep at ${ref.name}`);
        return Object.fromEntries(
          ty.inputFields.filter((f: any) => f.type.kind === 'NON_NULL' && f.defaultValue === null).map((f: any) => [f.name, dummy(f.type, depth + 1)]),
        );
      }
      return ref.name in scalar ? scalar[ref.name] : 'x';
    };

    const countsBefore = await tableCounts(t);
    const ledgerBefore = await ledgerCounts(t);
    const checked: string[] = [];
    for (const field of fields) {
      if (field.name === 'login') continue; // public
      // Issue 13: a one-use link to a file the user may read (an export of the auditor's own scope); it writes nothing.
      if (field.name === 'createDownloadLink') continue;
      // Everyone signed in may end their own sessions (session-after-password-reset.test.ts); it moves no reserve data.
      if (field.name === 'logout') continue;
      // …and change their own password with the current one (users-sweep3.test.ts); it moves no reserve data either.
      if (field.name === 'changePassword') continue;
      const required = field.args.filter((a: any) => a.type.kind === 'NON_NULL' && a.defaultValue === null);
      const decl = required.map((a: any, i: number) => `$a${i}: ${render(a.type)}`).join(', ');
      const call = required.map((a: any, i: number) => `${a.name}: $a${i}`).join(', ');
      const returns = named(field.type);
      const selection = ['OBJECT', 'INTERFACE', 'UNION'].includes(returns.kind) ? '{ __typename }' : '';
      const query = `mutation${decl ? `(${decl})` : ''} { ${field.name}${call ? `(${call})` : ''} ${selection} }`;
      const variables = Object.fromEntries(required.map((a: any, i: number) => [`a${i}`, dummy(a.type)]));
      const res = await t.gql(query, variables, 'auditor');
      expect(
        { mutation: field.name, code: errorCode(res), data: res.data?.[field.name] ?? null },
        `${query} ${JSON.stringify(variables)} → ${JSON.stringify(res.errors)}`,
      ).toEqual({
        mutation: field.name,
        code: 'FORBIDDEN',
        data: null,
      });
      checked.push(field.name);
    }
    expect(checked.length).toBe(fields.length - 4);
    const link = ok(await t.gql(`mutation { createDownloadLink(path: "/exports/valuation.xlsx") { url } }`, {}, 'auditor')).createDownloadLink;
    expect(link.url).toMatch(/^\/exports\/valuation\.xlsx\?/);
    expect(checked.length).toBeGreaterThanOrEqual(20);
    // Nothing was written (the audit log records the refusals, which is the point of it).
    expect(await ledgerCounts(t)).toEqual(ledgerBefore);
    expect(await tableCounts(t)).toEqual(countsBefore);
    const refusals = await auditAll(t, 'admin', { username: 'auditor', outcome: 'FORBIDDEN' });
    for (const name of checked)
      expect(
        refusals.some((e) => e.operation === name && e.role === 'AUDITOR'),
        name,
      ).toBe(true);
    // Login stays public: the auditor may sign in.
    expect(
      ok(await t.gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: 'auditor', p: TEST_PASSWORD }, 'auditor')).login
        .token,
    ).toBeTruthy();
  });
});
