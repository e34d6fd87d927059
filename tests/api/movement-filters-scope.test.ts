import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { JINCHENG, QUILT, receive, WEIHUI } from '../support/ledger.ts';

// API.md (out of scope → FORBIDDEN, unknown → NOT_FOUND), sweep 9a F7: movements and journal filtered by a batch or a
// document answered an empty list for another region's record, and for one that does not exist, where batch(id),
// batchTrace and document(id) answer FORBIDDEN / NOT_FOUND.

const t = useTestApp();
let theirs: { batch: string; document: string };
let ours: { batch: string; document: string };

const MOVEMENTS = `query($f: MovementFilter!) { movements(filter: $f, first: 50) { totalCount } }`;
const JOURNAL = `query($f: JournalFilter!) { journal(filter: $f, first: 50) { totalCount } }`;

beforeAll(async () => {
  const jc = await receive(t, 'admin', JINCHENG, [{ itemId: QUILT, quantity: 3, batchNo: 'SCOPE-JC-1', expiryDate: '2031-01-01' }]);
  theirs = { batch: jc.lines[0].batch.id, document: jc.id };
  const wh = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 3, batchNo: 'SCOPE-WH-1', expiryDate: '2031-01-01' }]);
  ours = { batch: wh.lines[0].batch.id, document: wh.id };
});

describe('movements and journal filtered by a batch or a document answer as the record does', () => {
  it('in scope: the record’s movements', async () => {
    for (const as of ['keeper', 'dispatcher']) {
      expect((await t.gql(MOVEMENTS, { f: { batchId: ours.batch } }, as)).data.movements.totalCount, as).toBe(1);
      expect((await t.gql(MOVEMENTS, { f: { documentId: ours.document } }, as)).data.movements.totalCount, as).toBe(1);
    }
    expect((await t.gql(JOURNAL, { f: { documentId: ours.document } }, 'auditor')).data.journal.totalCount).toBe(1);
  });

  it('another region’s batch or document → FORBIDDEN, as batch(id) and document(id) answer', async () => {
    for (const as of ['keeper', 'dispatcher']) {
      expect(errorCode(await t.gql(MOVEMENTS, { f: { batchId: theirs.batch } }, as)), as).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(MOVEMENTS, { f: { documentId: theirs.document } }, as)), as).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(`query($id: ID!) { document(id: $id) { id } }`, { id: theirs.document }, as)), as).toBe('FORBIDDEN');
    }
    expect(errorCode(await t.gql(JOURNAL, { f: { documentId: theirs.document } }, 'auditor'))).toBe('FORBIDDEN');
  });

  it('an unknown batch or document → NOT_FOUND naming the filter', async () => {
    const batch = await t.gql(MOVEMENTS, { f: { batchId: randomUUID() } }, 'dispatcher');
    expect(batch.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'filter.batchId' } });
    const doc = await t.gql(JOURNAL, { f: { documentId: randomUUID() } }, 'auditor');
    expect(doc.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'filter.documentId' } });
  });
});
