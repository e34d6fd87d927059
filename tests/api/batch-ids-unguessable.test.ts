import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { batchIdWith, stableId } from '../../server/ids.ts';
import { batchIdOf } from '../../server/inventory/batch-ids.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, JINCHENG, receive, stockAt, WEIHUI } from '../support/ledger.ts';

// Sweep 14a F1 (DESIGN Auth: an id out of scope is FORBIDDEN, an unknown one NOT_FOUND; D18 batches are traced by id):
// a batch's id was an unkeyed hash of its item id (public) and batch number, so any login could compute a guessed
// number's id and learn from FORBIDDEN vs NOT_FOUND that another region holds it. The ids are now keyed with the
// database's own secret (migration 0035): the unkeyed id of a batch that exists is found nowhere.

describe('batch ids cannot be computed from public data (sweep 14a F1, D18)', () => {
  const t = useTestApp({ checkLedger: true });
  const BATCH = `query($id: ID!) { batch(id: $id) { id batchNo } }`;
  const TRACE = `query($id: ID!) { batchTrace(batchId: $id) { batch { id } } }`;
  const MOVES = `query($id: ID!) { movements(filter: { batchId: $id }, first: 5) { totalCount } }`;

  it('a new database draws its own random key; one with batches before the key keeps the unkeyed ids (key "")', async () => {
    const rows = await queryRows<{ key: string }>(t.database.db, sql`SELECT batch_id_key AS key FROM installation_keys`);
    expect(rows).toHaveLength(1);
    expect(rows[0].key).toMatch(/^[0-9a-f]{64}$/);
    expect(batchIdWith('', COTTON_TENT, 'JC-F1-0001')).toBe(stableId('batch', `${COTTON_TENT}/JC-F1-0001`));
    expect(batchIdWith(rows[0].key, COTTON_TENT, 'JC-F1-0001')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a received batch’s id is not stableId(batch, itemId/batchNo); receiving the number again at the store adds to the same batch', async () => {
    const first = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 5, batchNo: 'WH-F1-0001', unitPrice: '2000.00' }]);
    const id = first.lines[0].batch.id as string;
    expect(id).not.toBe(stableId('batch', `${COTTON_TENT}/WH-F1-0001`));
    expect(id).toBe(await batchIdOf(t.database.db, COTTON_TENT, 'WH-F1-0001'));
    // Again on the lean path, and through batchFor (a named supplier takes the other path): the same batch.
    const again = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 3, batchNo: 'WH-F1-0001', unitPrice: '2000.00' }]);
    const named = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 2, batchNo: 'WH-F1-0001', unitPrice: '2000.00' }], {
      sourceName: '卫辉市帐篷厂',
    });
    expect(again.lines[0].batch.id).toBe(id);
    expect(named.lines[0].batch.id).toBe(id);
    const held = (await stockAt(t, WEIHUI, COTTON_TENT)).filter((s: any) => s.batch.id === id);
    expect(held.map((s: any) => s.onHand)).toEqual([10]);
    // A new number through batchFor is keyed the same way.
    const fresh = await receive(t, 'keeper', WEIHUI, [{ itemId: COTTON_TENT, quantity: 1, batchNo: 'WH-F1-0002', unitPrice: '2000.00' }], {
      sourceName: '卫辉市帐篷厂',
    });
    expect(fresh.lines[0].batch.id).toBe(await batchIdOf(t.database.db, COTTON_TENT, 'WH-F1-0002'));
    expect(fresh.lines[0].batch.id).not.toBe(stableId('batch', `${COTTON_TENT}/WH-F1-0002`));
  });

  it('a keeper asking for another region’s batch by its guessable (unkeyed) id gets NOT_FOUND; by its real id FORBIDDEN, as before', async () => {
    const jc = await receive(t, 'admin', JINCHENG, [{ itemId: COTTON_TENT, quantity: 7, batchNo: 'JC-F1-SECRET', unitPrice: '2050.00' }]);
    const realId = jc.lines[0].batch.id as string;
    // Read as admin, who may: the batch exists under its real id.
    expect((await t.gql(BATCH, { id: realId }, 'admin')).data?.batch).toMatchObject({ id: realId, batchNo: 'JC-F1-SECRET' });
    const guessed = stableId('batch', `${COTTON_TENT}/JC-F1-SECRET`);
    expect(guessed).not.toBe(realId);
    for (const query of [BATCH, TRACE, MOVES]) {
      expect(errorCode(await t.gql(query, { id: guessed }, 'keeper')), query).toBe('NOT_FOUND');
      expect(errorCode(await t.gql(query, { id: realId }, 'keeper')), query).toBe('FORBIDDEN');
    }
  });
});
