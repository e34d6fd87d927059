import { sql } from 'drizzle-orm';
import type { Db } from '../drizzle/client.ts';
import type { Clock } from '../server/clock.ts';
import type { AppConfig } from '../server/config.ts';
import { seedReferenceData } from './reference.ts';
import { hasUsers, seedDemoData } from './demo.ts';
import { seedDemoStock } from './demo-stock.ts';
import { seedDemoReserves } from './demo-reserves.ts';
import { seedDemoRelief } from './demo-relief.ts';

export interface SeedOptions {
  demo: boolean;
  demoPassword: string;
  /** Post the demo stock, quotas and agreements too (npm start does; test databases start with empty stores). */
  demoStock?: { clock: Clock; config?: AppConfig };
}

/**
 * Reference data always (idempotent); the demo data set once, on a database without users — all of it in one
 * transaction: a first start stopped while loading it leaves no half of it (users without their stock, history or
 * incident) that the next start would take for loaded; the next start loads it whole.
 */
export async function seedDatabase(db: Db, opts: SeedOptions): Promise<{ demoSeeded: boolean }> {
  await seedReferenceData(db);
  if (!opts.demo) return { demoSeeded: false };
  return db.transaction(async (tx) => {
    // Processes started together on an empty database (API_PROCESSES, several servers): one loads the demo data, the
    // others wait for it here and then find its users (sweep 5, L2: the second failed on the first's rows).
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('seed demo data'))`);
    if (await hasUsers(tx)) return { demoSeeded: false };
    await seedDemoData(tx, opts.demoPassword);
    if (opts.demoStock) {
      await seedDemoStock(tx, opts.demoStock.clock, opts.demoStock.config);
      await seedDemoReserves(tx, opts.demoStock.clock);
      await seedDemoRelief(tx, opts.demoStock.clock, opts.demoStock.config);
    }
    return { demoSeeded: true };
  });
}
