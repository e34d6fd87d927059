import type { ServiceContext } from '../../context.ts';
import { chinaText } from '../../clock.ts';
import { badInput } from '../../errors.ts';
import { reserveGaps } from '../../reserves/quotas.ts';
import type { Params } from '../params.ts';
import { type Column, type Report } from '../report.ts';
import { titleBlock } from '../title.ts';
import { itemLabels, regionNames, storeLabels } from './lookups.ts';

// 储备缺口 (D19): the reserveGaps query — quota against available government stock per store or region and item, worst
// first; agreement-committed quantity shown apart. No 合计: quantities of different items do not add up.
//
// Row by row the API's ReserveGap: a store quota's row names the store and its 仓库编码 (store.code), a region quota's
// the region and its 12-digit 区划代码 (region.code, D1) — two townships of one name (城关镇) in different counties
// stay apart (sweep 19b F8). A region quota is met by the stock of the region's whole subtree (quotas.ts), so its row
// reads 「<区划>（辖区合计）」 at every level — a city, a county, a 镇, a 乡 or a 街道 alike, where 「全区」 was a 区's word and
// a level-by-level word (全市/全县/全镇/全乡…) would have to be guessed from the name's last character (县级市, 民族乡, 街道).
export const REGION_QUOTA_SUFFIX = '（辖区合计）';

const COLUMNS: Column[] = [
  { header: '定额对象', key: 'holder', width: 26, kind: 'text' },
  { header: '区划代码', key: 'regionCode', width: 14, kind: 'text' },
  { header: '仓库编码', key: 'storeCode', width: 16, kind: 'text' },
  { header: '物资编码', key: 'itemCode', width: 10, kind: 'text' },
  { header: '物资', key: 'item', width: 14, kind: 'text' },
  { header: '规格', key: 'spec', width: 18, kind: 'text' },
  { header: '单位', key: 'unit', width: 6, kind: 'text' },
  { header: '储备定额', key: 'quota', width: 10, kind: 'int' },
  { header: '可用库存', key: 'available', width: 10, kind: 'int' },
  { header: '其中实物储备', key: 'physical', width: 12, kind: 'int' },
  { header: '协议承储', key: 'agreementCommitted', width: 10, kind: 'int' },
  { header: '缺口', key: 'gap', width: 10, kind: 'int' },
];

export async function gapsReport(ctx: ServiceContext, q: Params): Promise<Report> {
  const regionCode = q.regionCode ?? ctx.actor.regionCode;
  if (!regionCode) throw badInput('regionCode', '须指定区划');
  const gaps = await reserveGaps(ctx, regionCode);
  const [items, stores, regions] = await Promise.all([
    itemLabels(
      ctx.db,
      gaps.map((g) => g.itemId),
    ),
    storeLabels(
      ctx.db,
      gaps.flatMap((g) => (g.storeId ? [g.storeId] : [])),
    ),
    regionNames(
      ctx.db,
      gaps.flatMap((g) => (g.regionCode ? [g.regionCode] : [])),
    ),
  ]);
  const title = await titleBlock(ctx, regionCode);
  return {
    ...title,
    fileName: `reserve-gaps-${chinaText(title.preparedAt, 'yyyyLLdd')}`,
    title: '储备缺口表',
    sheetName: '储备缺口',
    period: `截至 ${chinaText(title.preparedAt, 'yyyy-LL-dd HH:mm')}`,
    columns: COLUMNS,
    rows: gaps.map((g) => {
      const item = items.get(g.itemId)!;
      const store = g.storeId ? stores.get(g.storeId)! : null;
      return {
        cells: {
          holder: store ? store.name : `${regions.get(g.regionCode!)}${REGION_QUOTA_SUFFIX}`,
          regionCode: store ? null : g.regionCode,
          storeCode: store ? store.code : null,
          itemCode: item.code,
          item: item.name,
          spec: item.spec,
          unit: item.unit,
          quota: g.quota,
          available: g.available,
          physical: g.physical,
          agreementCommitted: g.agreementCommitted,
          gap: g.gap,
        },
      };
    }),
  };
}
