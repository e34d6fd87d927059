import { openDatabase, type Database } from '../../drizzle/client.ts';
import { seedDatabase } from '../../seeds/index.ts';
import type { AppConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { systemClock } from '../clock.ts';
import { ensureAdministrator } from '../users/service.ts';

/** Opens the configured database, applies migrations, loads reference and (once) demo data. */
export async function prepareDatabase(config: AppConfig, log: Logger): Promise<{ database: Database; demoSeeded: boolean }> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolMax: config.dbPoolMax });
  try {
    await database.migrate();
    const { demoSeeded } = await seedDatabase(database.db, {
      demo: config.seedDemo,
      demoPassword: config.demoPassword,
      demoStock: { clock: systemClock, config },
    });
    if (config.admin) {
      const created = await ensureAdministrator(database.db, config.admin.username, config.admin.password);
      if (created) log.info('administrator created from ADMIN_USERNAME', { username: config.admin.username });
    }
    return { database, demoSeeded };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
