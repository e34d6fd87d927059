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

/** Reference data always (idempotent); the demo data set once, on a database without users. */
export async function seedDatabase(db: Db, opts: SeedOptions): Promise<{ demoSeeded: boolean }> {
  await seedReferenceData(db);
  if (!opts.demo || (await hasUsers(db))) return { demoSeeded: false };
  await seedDemoData(db, opts.demoPassword);
  if (opts.demoStock) {
    await seedDemoStock(db, opts.demoStock.clock);
    await seedDemoReserves(db, opts.demoStock.clock);
    await seedDemoRelief(db, opts.demoStock.clock, opts.demoStock.config);
  }
  return { demoSeeded: true };
}
