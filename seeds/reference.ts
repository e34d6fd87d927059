import type { Db } from '../drizzle/client.ts';
import { categories, items, regions, stockReasons } from '../drizzle/schema/index.ts';
import { categorySeeds, itemSeeds } from './data/catalog.ts';
import { regionSeeds } from './data/regions.ts';
import { stockReasonSeeds } from './data/reasons.ts';
import { stableId } from '../server/ids.ts';

/** Reference data (D1 regions, D4/D5 catalog, stock reasons); inserting it again changes nothing. */
export async function seedReferenceData(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    for (let i = 0; i < regionSeeds.length; i += 500) {
      await tx
        .insert(regions)
        .values(regionSeeds.slice(i, i + 500).map((r) => ({ ...r })))
        .onConflictDoNothing();
    }
    await tx
      .insert(categories)
      .values(categorySeeds.map((c) => ({ ...c })))
      .onConflictDoNothing();
    await tx
      .insert(items)
      .values(
        itemSeeds.map((i) => ({
          id: itemId(i.code),
          code: i.code,
          categoryCode: i.categoryCode,
          name: i.name,
          spec: i.spec,
          unit: i.unit,
          gbCode: i.gbCode,
          referencePrice: i.referencePrice,
          storageLifeMonths: i.storageLifeMonths,
          rotationLeadMonths: i.rotationLeadMonths,
          recoveryKind: i.recovery.kind,
          recoveryMonths: i.recovery.kind === 'WITHIN_MONTHS' ? i.recovery.months : null,
        })),
      )
      .onConflictDoNothing();
    await tx
      .insert(stockReasons)
      .values(stockReasonSeeds.map((r) => ({ ...r, usages: [...r.usages] })))
      .onConflictDoNothing();
  });
}

export const itemId = (code: string) => stableId('item', code);
