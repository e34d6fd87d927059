import type { Database } from '../../drizzle/client.ts';
import type { AppConfig } from '../config.ts';
import { demoUsers } from '../../seeds/demo.ts';
import type { DemoAccounts } from './start.ts';

/**
 * The start-up lines on stdout: where the API is, and the demo logins if there are demo accounts. The password is
 * printed only outside production, and only for the users it works for.
 */
export function startupBanner(config: AppConfig, database: Database, demo: DemoAccounts): string[] {
  const where = database.kind === 'pglite' ? `PGlite in ${config.pgliteDir}` : 'PostgreSQL';
  const lines = [`应急物资储备与调度 — console at http://localhost:${config.port}/ , GraphQL at http://localhost:${config.port}/graphql (${where})`];
  if (demo === 'none') return lines;
  lines.push(demo === 'seeded' ? 'Demo data loaded. Demo logins:' : 'Demo logins:');
  for (const u of demoUsers) lines.push(`  ${u.username.padEnd(11)} ${u.role.padEnd(11)} scope: ${u.scope}`);
  const changed = demo === 'seeded' ? [] : demo.passwordChanged;
  if (changed.length === demoUsers.length) {
    lines.push(
      `  password: the one they were first loaded with — not ${config.demoPasswordIsDefault ? 'the default' : 'DEMO_PASSWORD'}, which applies only when the demo data is first loaded into an empty database`,
    );
  } else if (config.env === 'production') {
    lines.push('  password: DEMO_PASSWORD (not printed in production)');
  } else {
    lines.push(`  password: ${config.demoPassword}${config.demoPasswordIsDefault ? ' (default; set DEMO_PASSWORD to change)' : ' (from DEMO_PASSWORD)'}`);
  }
  // A user who changed their own password (or had it reset) signs in with that one, not the demo password.
  if (changed.length && changed.length < demoUsers.length) lines.push(`  except ${changed.join(', ')}: password changed since the demo data was loaded`);
  if (config.env === 'production') lines.push('  (demo accounts in production: SEED_DEMO=true)');
  return lines;
}
