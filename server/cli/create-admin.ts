// npm run create-admin -- <username> <password>: the first administrator outside the demo data.
import { loadConfig } from '../config.ts';
import { openDatabase } from '../../drizzle/client.ts';
import { DataDirectoryLockedError, lockDataDirectory } from '../db-lock.ts';
import { ensureAdministrator } from '../users/service.ts';

const [username, password] = process.argv.slice(2);
if (!username || !password) {
  console.error('usage: npm run create-admin -- <username> <password>');
  process.exit(2);
}
const config = loadConfig();
let lock;
try {
  // The embedded database belongs to one process: with the server running, a user written here would be lost.
  lock = config.databaseUrl ? null : lockDataDirectory(config.pgliteDir);
} catch (error) {
  if (!(error instanceof DataDirectoryLockedError)) throw error;
  console.error(
    `create-admin: ${error.message} (the server?). Nothing was changed.\n` +
      `Either stop the server (process ${error.pid}) and run create-admin again, or restart the server with ` +
      `ADMIN_USERNAME=${username} and ADMIN_PASSWORD set: it creates that administrator at start.`,
  );
  process.exit(1);
}
const database = openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir });
try {
  await database.migrate();
  const created = await ensureAdministrator(database.db, username, password);
  console.log(created ? `administrator ${username} created` : `user ${username} already exists; nothing changed`);
} finally {
  await database.close();
  lock?.release();
}
