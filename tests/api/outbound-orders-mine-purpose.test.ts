import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp, type GqlResult } from '../support/harness.ts';
import { WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { requestOrderRaw } from '../support/authority.ts';

// Sweep 22a (a county at scale), left over. The console's 出库申请 lists filtered 我的申请 and a purpose (调拨 awaiting
// shipment) in the browser after paging: a page showed fewer than its 20 rows, and a matching order on a later page was
// never shown. D23: outboundOrders(filter: { mine, purpose }) filters in the statement that pages — within the stores in
// the user's scope —, so every page is full and totalCount counts what matches.

const BREATHER = itemId('FIR-001'); // 空气呼吸器, held at 卫辉
const LIST = `query($f: OutboundOrderFilter!, $first: Int, $after: String) {
  outboundOrders(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id purpose requestedBy { username } } }
  }
}`;

interface Node {
  id: string;
  purpose: string;
  requestedBy: { username: string };
}

describe('D23: outboundOrders(filter: { mine, purpose }) pages what matches, within scope', () => {
  const t = useTestApp();
  const list = (as: string, f: Record<string, unknown>, first = 50, after?: string) => t.gql(LIST, { f, first, after }, as);
  const nodes = (res: GqlResult): Node[] => ok(res).outboundOrders.edges.map((e: { node: Node }) => e.node);
  /** Every page of `first`, read with `after`: the pages' sizes and the orders. */
  const pages = async (as: string, f: Record<string, unknown>, first: number) => {
    const sizes: number[] = [];
    const all: Node[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await list(as, f, first, after);
      sizes.push(nodes(res).length);
      all.push(...nodes(res));
      const info = ok(res).outboundOrders.pageInfo;
      if (!info.hasNextPage) return { sizes, all, totalCount: ok(res).outboundOrders.totalCount as number };
      after = info.endCursor;
    }
  };

  const drill = (as: string) =>
    requestOrderRaw(t, as, { storeId: WEIHUI, purpose: 'DRILL', recipient: '防汛演练', lines: [{ itemId: BREATHER, quantity: 1 }] });
  const transfer = (as: string) =>
    requestOrderRaw(t, as, { storeId: WEIHUI, purpose: 'TRANSFER', toStoreId: XINXIANG, lines: [{ itemId: BREATHER, quantity: 1 }] });

  it('mine and purpose: full pages of only the matching orders, counted exactly, the same statements as without them', async () => {
    // 卫辉's orders, the keeper's and the dispatcher's interleaved (newest first: a page of the keeper's orders read
    // without the filter holds the dispatcher's too).
    const mineIds: string[] = [];
    const transferIds: string[] = [];
    for (let n = 0; n < 4; n += 1) {
      mineIds.push(ok(await drill('keeper')).requestOutboundOrder.id);
      transferIds.push(ok(await transfer('dispatcher')).requestOutboundOrder.id);
    }
    const keeperTransfer = ok(await transfer('keeper')).requestOutboundOrder.id;
    mineIds.push(keeperTransfer);
    transferIds.push(keeperTransfer);

    // 我的申请: the keeper's five, two a page — 2, 2, 1 —, none of the dispatcher's.
    const mine = await pages('keeper', { storeId: WEIHUI, mine: true }, 2);
    expect(mine.sizes).toEqual([2, 2, 1]);
    expect(mine.totalCount).toBe(5);
    expect(mine.all.map((o) => o.id).sort()).toEqual([...mineIds].sort());
    expect(mine.all.every((o) => o.requestedBy.username === 'keeper')).toBe(true);
    // The dispatcher's own, over the region.
    const dispatchers = await pages('dispatcher', { regionCode: '410700', mine: true }, 3);
    expect(dispatchers.sizes).toEqual([3, 1]);
    expect(dispatchers.all.every((o) => o.requestedBy.username === 'dispatcher')).toBe(true);

    // A purpose: the five transfers of whoever asked, 调拨 awaiting shipment.
    const transfers = await pages('keeper', { storeId: WEIHUI, purpose: 'TRANSFER' }, 2);
    expect(transfers.sizes).toEqual([2, 2, 1]);
    expect(transfers.totalCount).toBe(5);
    expect(transfers.all.map((o) => o.id).sort()).toEqual([...transferIds].sort());
    // Both: the keeper's one transfer.
    expect(nodes(await list('keeper', { storeId: WEIHUI, mine: true, purpose: 'TRANSFER' })).map((o) => o.id)).toEqual([keeperTransfer]);
    // false is no filter.
    expect(ok(await list('keeper', { storeId: WEIHUI, mine: false })).outboundOrders.totalCount).toBeGreaterThanOrEqual(9);

    // Within scope: 晋城's dispatcher asking for its own lists none of 新乡's, and still may not name 卫辉.
    expect(nodes(await list('jincheng', { mine: true }))).toEqual([]);
    expect((await list('jincheng', { storeId: WEIHUI, mine: true })).errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // House style 5: conditions of the same statements (the page and its count), not more of them.
    const statements = async (f: Record<string, unknown>) => {
      await list('keeper', f, 2);
      t.database.stats.statements = 0;
      ok(await list('keeper', f, 2));
      return t.database.stats.statements;
    };
    expect(await statements({ storeId: WEIHUI, mine: true, purpose: 'TRANSFER' })).toBe(await statements({ storeId: WEIHUI }));
  });
});
