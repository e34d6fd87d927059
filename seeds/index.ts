import type { Db } from '../drizzle/client.ts';
import { seedReferenceData } from './reference.ts';
import { hasUsers, seedDemoData } from './demo.ts';

export interface SeedOptions {
  demo: boolean;
  demoPassword: string;
}

/** Reference data always (idempotent); the demo data set once, on a database without users. */
export async function seedDatabase(db: Db, opts: SeedOptions): Promise<{ demoSeeded: boolean }> {
  await seedReferenceData(db);
  if (!opts.demo || (await hasUsers(db))) return { demoSeeded: false };
  await seedDemoData(db, opts.demoPassword);
  return { demoSeeded: true };
}
