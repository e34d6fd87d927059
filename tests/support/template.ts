import { openDatabase, type Database, type DatabaseOptions } from '../../drizzle/client.ts';
import { seedDatabase } from '../../seeds/index.ts';

/** Tests log in to the demo users with this password. */
export const TEST_PASSWORD = 'Test-Password-2026';

/** Migrates and seeds a database the way `npm start` does, with the demo data set. */
export async function buildTemplate(opts: DatabaseOptions): Promise<Database> {
  const database = openDatabase(opts);
  await database.migrate();
  await seedDatabase(database.db, { demo: true, demoPassword: TEST_PASSWORD });
  return database;
}

/** The PostgreSQL database every test file's database is copied from. */
export const TEMPLATE_DB = 'reserves_template';

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
