import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../drizzle/client.ts';
import { seedDatabase } from '../../seeds/index.ts';
import { demoPasswordsChanged } from '../../seeds/demo.ts';
import type { AppConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { systemClock } from '../clock.ts';
import { lockDataDirectory } from '../db-lock.ts';
import { ensureAdministrator } from '../users/service.ts';

/**
 * The demo accounts after start-up: loaded now, none, or already there — with the demo users whose password is no
 * longer DEMO_PASSWORD (all of them: it differs from the one they were loaded with).
 */
export type DemoAccounts = 'seeded' | 'none' | { passwordChanged: string[] };

/**
 * Opens the configured database (the embedded one only if no other process has it open: db-lock.ts), applies
 * migrations, loads reference and (once) demo data.
 */
export async function prepareDatabase(config: AppConfig, log: Logger): Promise<{ database: Database; demoSeeded: boolean; demo: DemoAccounts }> {
  const lock = config.databaseUrl ? null : lockDataDirectory(config.pgliteDir);
  const opened = openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolMax: config.dbPoolMax });
  const database: Database = lock ? { ...opened, close: () => opened.close().finally(() => lock.release()) } : opened;
  try {
    await answers(database);
    await database.migrate();
    const { demoSeeded } = await seedDatabase(database.db, {
      demo: config.seedDemo,
      demoPassword: config.demoPassword,
      demoStock: { clock: systemClock, config },
    });
    if (config.admin) {
      const created = await ensureAdministrator(database.db, systemClock, config.admin.username, config.admin.password, 'ADMIN_USERNAME');
      if (created) log.info('administrator created from ADMIN_USERNAME', { username: config.admin.username });
    }
    return { database, demoSeeded, demo: demoSeeded ? 'seeded' : await demoAccounts(database, config) };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

/** How long start-up waits for the database's first answer: a server that takes the connection and never answers as PostgreSQL does would hang it. */
const FIRST_ANSWER_MS = 20_000;

/** The database answers a query, or start-up fails as unreachable (startup-failure.ts: one line naming DATABASE_URL). */
async function answers(database: Database): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${FIRST_ANSWER_MS / 1000} s`), { code: 'CONNECT_TIMEOUT' })), FIRST_ANSWER_MS);
  });
  try {
    await Promise.race([database.db.execute(sql`SELECT 1`), silence]);
  } finally {
    clearTimeout(timer);
  }
}

export async function demoAccounts(database: Database, config: AppConfig): Promise<DemoAccounts> {
  const changed = await demoPasswordsChanged(database.db, config.demoPassword);
  return changed === null ? 'none' : { passwordChanged: changed };
}
