import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { COTTON_TENT, JINCHENG, key, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';

// Sweep 22c F7 (D22): the audit log named the records an entry touched by ids cut to 8 characters — a reader could not
// tell which store, item, incident or document it was. AuditEntry.references names each record the input names: stores,
// items and regions (reference data) for every reader, an incident, document, transfer or batch only where the reader
// may read it (the policy module's mayRead, as its own root field decides). The id stays, for machines.

const AUDIT = `query($f: AuditFilter, $first: Int) { auditLog(filter: $f, first: $first) { edges { node {
  operation outcome input references { field kind id name code } } } } }`;

describe('audit entries name what they touched, as far as the reader may read it (sweep 22c F7, D22)', () => {
  const t = useTestApp();
  const entries = async (as: string, f: Record<string, unknown>, first = 20) =>
    (ok(await t.gql(AUDIT, { f, first }, as)).auditLog.edges as any[]).map((e) => e.node);

  it('a receipt at 卫辉 reads, for the 新乡 auditor, the store and the item by name and code, the ids kept', async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 2, batchNo: 'F7-REF-1', unitPrice: '2180.00' }]);
    const [entry] = (await entries('auditor', { username: 'keeper', operation: 'receiveStock' })).filter((e) => e.input.includes('F7-REF-1'));
    expect(entry.outcome).toBe('OK');
    // In the order the log keeps the input (jsonb orders an object's keys its own way).
    expect(entry.references).toHaveLength(2);
    expect(entry.references).toEqual(
      expect.arrayContaining([
        { field: 'input.storeId', kind: 'STORE', id: WEIHUI, name: '卫辉市救灾物资储备库', code: 'S-410781-01' },
        { field: 'input.lines.0.itemId', kind: 'ITEM', id: COTTON_TENT, name: '棉帐篷', code: 'LIV-001' },
      ]),
    );
  });

  it('a document the reader may read is named by its number; a 晋城 document the keeper tried to reverse is not, for the 新乡 auditor — the administrator reads it', async () => {
    const own = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'F7-REF-2', unitPrice: '2180.00' }]);
    const theirs = await receive(t, 'admin', JINCHENG, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'F7-REF-3', unitPrice: '2180.00' }]);
    const reverse = (documentId: string) =>
      t.gql(
        `mutation($d: ID!, $k: String!) { reverseDocument(documentId: $d, reason: "录入错误", idempotencyKey: $k) { id } }`,
        { d: documentId, k: key() },
        'keeper',
      );
    ok(await reverse(own.id)); // pending a second person (D24): audited OK
    expect((await reverse(theirs.id)).errors?.[0].extensions.code).toBe('FORBIDDEN'); // refused, audited too
    const refs = async (as: string, documentId: string) =>
      (await entries(as, { username: 'keeper', operation: 'reverseDocument' })).find((e) => e.input.includes(documentId))!.references;

    expect(await refs('auditor', own.id)).toEqual([{ field: 'documentId', kind: 'DOCUMENT', id: own.id, name: own.number, code: null }]);
    // D22 scope: the auditor reads the keeper's refused attempt (the keeper is 卫辉's), not the 晋城 document it named.
    expect(await refs('auditor', theirs.id)).toEqual([{ field: 'documentId', kind: 'DOCUMENT', id: theirs.id, name: null, code: null }]);
    expect(await refs('admin', theirs.id)).toEqual([{ field: 'documentId', kind: 'DOCUMENT', id: theirs.id, name: theirs.number, code: null }]);
  });

  it('an incident: named where the reader may read it (a 卫辉 incident), not a 晋城 one the keeper named in a refused issue', async () => {
    const local = await createIncident(t, { name: 'F7卫辉洪涝' });
    const far = await createIncident(t, { name: 'F7晋城山火', type: 'FOREST_FIRE', regionCode: '140500', location: { lat: 35.49, lng: 112.85 } }, 'jincheng');
    const tryIssue = (incidentId: string) =>
      t.gql(
        `mutation($i: IssueStockInput!) { issueStock(input: $i) { id } }`,
        { i: { storeId: WEIHUI, recipient: '受灾群众', reason: 'RELIEF', incidentId, idempotencyKey: key(), lines: [{ itemId: COTTON_TENT, quantity: 1 }] } },
        'keeper',
      );
    expect((await tryIssue(local)).errors).toBeDefined(); // no approved order: refused either way, and audited
    expect((await tryIssue(far)).errors).toBeDefined();
    const incidentRef = async (as: string, incidentId: string) =>
      (await entries(as, { username: 'keeper', operation: 'issueStock' }, 50))
        .find((e) => e.input.includes(incidentId))!
        .references.find((r: any) => r.kind === 'INCIDENT');

    expect(await incidentRef('auditor', local)).toEqual({ field: 'input.incidentId', kind: 'INCIDENT', id: local, name: 'F7卫辉洪涝', code: null });
    expect(await incidentRef('auditor', far)).toEqual({ field: 'input.incidentId', kind: 'INCIDENT', id: far, name: null, code: null });
    expect(await incidentRef('admin', far)).toMatchObject({ id: far, name: 'F7晋城山火' });
  });

  it('house style 5: naming the records costs the same statements for 2 entries as for 40 (loaders, no N+1)', async () => {
    for (let i = 0; i < 4; i++) await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: `F7-N1-${i}`, unitPrice: '2180.00' }]);
    const statements = async (first: number) => {
      await t.gql('{ me { id } }', {}, 'auditor');
      t.database.stats.statements = 0;
      const res = ok(await t.gql(AUDIT, { f: { operation: 'receiveStock' }, first }, 'auditor'));
      return { n: t.database.stats.statements, named: (res.auditLog.edges as any[]).flatMap((e) => e.node.references).filter((r: any) => r.name) };
    };
    const small = await statements(2);
    const large = await statements(40);
    expect(small.named.length).toBeGreaterThan(0);
    expect(large.named.length).toBeGreaterThan(small.named.length);
    expect(large.n).toBe(small.n);
  });
});
