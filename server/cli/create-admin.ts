// npm run create-admin -- <username> <password>: the first administrator outside the demo data.
import { loadConfig } from '../config.ts';
import { openDatabase } from '../../drizzle/client.ts';
import { ensureAdministrator } from '../users/service.ts';

const [username, password] = process.argv.slice(2);
if (!username || !password) {
  console.error('usage: npm run create-admin -- <username> <password>');
  process.exit(2);
}
const config = loadConfig();
const database = openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir });
try {
  await database.migrate();
  const created = await ensureAdministrator(database.db, username, password);
  console.log(created ? `administrator ${username} created` : `user ${username} already exists; nothing changed`);
} finally {
  await database.close();
}
