import { describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { requestOrderRaw } from '../support/authority.ts';

// D23: outboundOrders(filter) lists the orders of the stores in the caller's scope. A filter naming a store or region
// out of scope is refused as the journal and stock lists refuse it — FORBIDDEN naming the kind of record — not
// answered with an empty list that tells another region's dispatcher nothing was wrong (sweep 8c F2). An unknown store
// is NOT_FOUND; a keeper's region filter narrows its own stores.

const BREATHER = itemId('FIR-001'); // 空气呼吸器
const LIST = `query($f: OutboundOrderFilter!) { outboundOrders(filter: $f, first: 50) { totalCount edges { node { id store { id } } } } }`;

describe('D23: outboundOrders by store and region, within scope', () => {
  const t = useTestApp();
  const list = (as: string, f: Record<string, unknown>) => t.gql(LIST, { f }, as);
  const ids = (res: GqlResult) => ok(res).outboundOrders.edges.map((e: any) => e.node.id as string);

  it('the keeper and the dispatcher list the order of 卫辉; 晋城 naming 新乡市 or a 新乡 store is FORBIDDEN; an unknown store NOT_FOUND', async () => {
    const order = ok(
      await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'DRILL', recipient: '防汛演练', lines: [{ itemId: BREATHER, quantity: 1 }] }),
    ).requestOutboundOrder;
    expect(ids(await list('keeper', { storeId: WEIHUI }))).toContain(order.id);
    expect(ids(await list('dispatcher', { regionCode: '410700' }))).toContain(order.id);
    expect(ids(await list('dispatcher', { storeId: WEIHUI }))).toContain(order.id);

    const region = await list('jincheng', { regionCode: '410700' });
    expect(errorCode(region)).toBe('FORBIDDEN');
    expect(region.errors![0].message).toBe('无权访问：区划「新乡市」超出您的权限范围');
    expect(errorCode(await list('jincheng', { storeId: WEIHUI }))).toBe('FORBIDDEN');
    expect(errorCode(await list('keeper', { storeId: XINXIANG }))).toBe('FORBIDDEN');
    const unknown = await list('dispatcher', { storeId: '00000000-0000-4000-8000-000000000000' });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    // A keeper's region filter narrows the stores it keeps: another county's orders are none of them.
    expect(ids(await list('keeper', { regionCode: '410721' }))).toEqual([]);
  });
});
