// npm run create-admin -- <username> <password>: the first administrator outside the demo data.
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig, type AppConfig } from '../config.ts';
import { openDatabase } from '../../drizzle/client.ts';
import { DataDirectoryLockedError, lockDataDirectory, type DataDirectoryLock } from '../db-lock.ts';
import { DomainError } from '../errors.ts';
import { startupFailureMessage } from '../http/startup-failure.ts';
import { ensureAdministrator } from '../users/service.ts';

/** One line on stderr and exit code 1, as `npm start` fails (README): what is wrong and that nothing changed. */
function fail(message: string): never {
  console.error(`create-admin: ${message} — nothing was changed.`);
  process.exit(1);
}

const [username, password] = process.argv.slice(2);
if (!username || !password) {
  console.error('usage: npm run create-admin -- <username> <password>');
  process.exit(2);
}

let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

let lock: DataDirectoryLock | null;
try {
  // The embedded database belongs to one process: with the server running, a user written here would be lost.
  lock = config.databaseUrl ? null : lockDataDirectory(config.pgliteDir);
} catch (error) {
  if (!(error instanceof DataDirectoryLockedError)) throw error;
  fail(
    `${error.message} (the server?). Either stop the server (process ${error.pid}) and run create-admin again, or restart ` +
      `the server with ADMIN_USERNAME=${username} and ADMIN_PASSWORD set: it creates that administrator at start.`,
  );
}

const database = openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir });
let failure: string | null = null;
try {
  await database.migrate();
  const created = await ensureAdministrator(database.db, systemClock, username, password, 'create-admin');
  console.log(created ? `administrator ${username} created` : `user ${username} already exists; nothing changed`);
} catch (error) {
  // A password too short for an administrator, or a database that cannot be reached: said in one line, no stack.
  failure = error instanceof DomainError ? error.message : (startupFailureMessage(error, config)?.replace(/^start-up failed: /, '') ?? null);
  if (failure === null) throw error;
} finally {
  await database.close().catch(() => {});
  lock?.release();
}
if (failure !== null) fail(failure);
