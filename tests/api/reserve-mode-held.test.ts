import { afterEach, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, receive, XINXIANG_COUNTY } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { valuationOf } from '../support/finance.ts';
import { download, parseCsv } from '../support/paperwork.ts';

// D6: 实物储备 is government stock in government stores, 企业代储 government stock in a company's store. A batch keeps
// its identity when it moves (D7), so the mode of government stock is where it is held: moved into the entrusted store
// it is 企业代储 there — in valuation by reserve mode, in the 50 % floor and in the stock list (sweep 12c C1).

const ENTRUSTED = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）, kind ENTRUSTED
const COAT = itemId('LIV-005'); // 棉大衣

describe('D6: the reserve mode of government stock follows the store that holds it', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D6, D21: 30 coats received at the county store, 20 moved into the entrusted store — 10 实物储备 and 20 企业代储 from then on; before, 30 实物储备', async () => {
    await ok(await t.gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, { i: { regionCode: '410721', itemId: COAT, quantity: 40 } }, 'admin'));
    const doc = await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: COAT, quantity: 30, batchNo: 'MODE-HELD', unitPrice: '100.00' }], {
      occurredAt: '2026-05-01T10:00:00+08:00',
    });
    const batchId = doc.lines[0].batch.id as string;
    const before = '2026-05-02T00:00:00+08:00'; // the transfer is made now (the test clock), after it
    const tr = ok(await shipRaw(t, 'admin', { fromStoreId: XINXIANG_COUNTY, toStoreId: ENTRUSTED, lines: [{ itemId: COAT, quantity: 20 }] })).shipTransfer;
    ok(await receiveTransferRaw(t, 'admin', { transferId: tr.id, lines: [{ batchId, quantity: 20 }] }));

    const modes = async (asOf?: string) =>
      Object.fromEntries(
        (await valuationOf(t, 'auditor', { regionCode: '410721', groupBy: ['RESERVE_MODE', 'ITEM'], asOf })).groups
          .filter((g) => g.key[1] === COAT)
          .map((g) => [g.key[0], [g.quantity, g.value]]),
      );
    expect(await modes()).toEqual({ PHYSICAL: [10, '1000.00'], ENTRUSTED: [20, '2000.00'] });
    expect(await modes(before)).toEqual({ PHYSICAL: [30, '3000.00'] });

    // The floor: government stores hold 10 of the 40 required (25 %), not 30 — the floor is not met.
    const floor = ok(await t.gql(`{ reserveFloor(regionCode: "410721") { lines { item { id } quota physical share meetsFloor } } }`, {}, 'admin'))
      .reserveFloor as { lines: { item: { id: string } }[] }[];
    expect(floor[0].lines.find((l) => l.item.id === COAT)).toEqual({ item: { id: COAT }, quota: 40, physical: 10, share: 0.25, meetsFloor: false });

    // The stock list says where the coats are and under which mode.
    const [headings, ...rows] = parseCsv((await download(t, '/exports/stock.csv', 'admin', { itemId: COAT, regionCode: '410721' })).text.slice(1));
    const at = (store: string) => rows.find((r) => r[headings.indexOf('仓库')]?.startsWith(store) && r[headings.indexOf('批号')] === 'MODE-HELD');
    expect(at('新乡县救灾物资代储库')?.[headings.indexOf('储备方式')]).toBe('企业代储');
    expect(at('新乡县救灾物资储备库')?.[headings.indexOf('储备方式')]).toBe('实物储备');
  });
});
