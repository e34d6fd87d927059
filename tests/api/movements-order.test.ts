import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, receive, WEIHUI } from '../support/ledger.ts';

type T = ReturnType<typeof useTestApp>;

const MOVEMENTS = `query($f: MovementFilter!, $first: Int, $after: String, $orderBy: MovementOrder) {
  movements(filter: $f, first: $first, after: $after, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { occurredAt document { number } batch { batchNo } } }
  }
}`;

/** Every page of the keeper's movements, one row a page, so that each cursor is used. */
async function walk(t: T, f: Record<string, unknown>, orderBy?: string) {
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 10; i++) {
    const res: GqlResult = await t.gql(MOVEMENTS, { f, first: 1, after, orderBy }, 'keeper');
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const c = res.data.movements;
    seen.push(...c.edges.map((e: any) => e.node.batch.batchNo));
    if (!c.pageInfo.hasNextPage) return seen;
    after = c.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

describe('movements(orderBy) — D22: a list that shows 业务时间 can be in that order', () => {
  const t = useTestApp();
  const item = itemId('LIV-004');
  const filter = { storeId: WEIHUI, itemId: item, from: '2026-07-01T00:00:00+08:00' };

  it('OCCURRED: newest business time first, ties newest recorded first, across pages; RECORDED (default) stays the ledger order', async () => {
    // Recorded in this order, dated out of order (back-dated entries are common).
    for (const [batchNo, occurredAt] of [
      ['MO-A', '2026-07-10T09:00:00+08:00'],
      ['MO-B', '2026-07-15T00:00:00+08:00'],
      ['MO-C', '2026-07-12T09:00:00+08:00'],
      ['MO-D', '2026-07-15T00:00:00+08:00'],
    ]) {
      await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 1, batchNo, unitPrice: '10.00' }], { occurredAt });
    }
    expect(await walk(t, filter, 'OCCURRED')).toEqual(['MO-D', 'MO-B', 'MO-C', 'MO-A']);
    expect(await walk(t, filter, 'RECORDED')).toEqual(['MO-D', 'MO-C', 'MO-B', 'MO-A']);
    expect(await walk(t, filter)).toEqual(['MO-D', 'MO-C', 'MO-B', 'MO-A']);
    await expectLedgerConsistent(t);
  });

  it('a cursor of one order is refused by the other (分页游标无效), never read as the wrong key', async () => {
    const first = await t.gql(MOVEMENTS, { f: filter, first: 1 }, 'keeper');
    const cursor = first.data.movements.pageInfo.endCursor;
    const res = await t.gql(MOVEMENTS, { f: filter, first: 1, after: cursor, orderBy: 'OCCURRED' }, 'keeper');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain('分页游标无效');
  });
});
