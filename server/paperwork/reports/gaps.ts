import type { ServiceContext } from '../../context.ts';
import { chinaText } from '../../clock.ts';
import { badInput } from '../../errors.ts';
import { reserveGaps } from '../../reserves/quotas.ts';
import type { Params } from '../params.ts';
import { type Column, type Report } from '../report.ts';
import { titleBlock } from '../title.ts';
import { itemLabels, regionNames, storeNames } from './lookups.ts';

// 储备缺口 (D19): the reserveGaps query — quota against available government stock per store or region and item, worst
// first; agreement-committed quantity shown apart. No 合计: quantities of different items do not add up.

const COLUMNS: Column[] = [
  { header: '定额对象', key: 'holder', width: 26, kind: 'text' },
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
    storeNames(
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
      return {
        cells: {
          holder: g.storeId ? stores.get(g.storeId)! : `${regions.get(g.regionCode!)}（全区）`,
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
