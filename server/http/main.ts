import type { Server } from 'node:http';
import { buildApp } from './app.ts';
import { startAlertWebhook } from '../paperwork/alert-webhook.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { prepareDatabase } from './start.ts';
import { demoUsers } from '../../seeds/demo.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const { database, demoSeeded } = await prepareDatabase(config, log);
  const app = buildApp({ database, config, clock: systemClock, log });
  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  // Issue 13: alerts to a 企业微信/钉钉 group robot, when ALERT_WEBHOOK_URL is set.
  const stopAlerts = config.alerts.webhookUrl
    ? startAlertWebhook({ db: database.db, clock: systemClock, log, url: config.alerts.webhookUrl, policy: config.alerts }, config.alerts.scanSeconds)
    : () => {};

  // Graceful shutdown: stop accepting, let requests in flight finish, close the database.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    stopAlerts();
    const force = setTimeout(() => {
      log.warn('requests still in flight at shutdown timeout; closing connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    server.close(() => {
      void database
        .close()
        .catch((error: unknown) => log.error('closing the database failed', { error: String(error) }))
        .finally(() => {
          log.info('stopped');
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // The banner comes after the signal handlers: whoever reads it may stop the server at once.
  const url = `http://localhost:${config.port}/graphql`;
  console.log(`应急物资储备与调度 — GraphQL at ${url} (${database.kind === 'pglite' ? `PGlite in ${config.pgliteDir}` : 'PostgreSQL'})`);
  if (config.seedDemo) {
    console.log(demoSeeded ? 'Demo data loaded. Demo logins:' : 'Demo logins:');
    for (const u of demoUsers) console.log(`  ${u.username.padEnd(11)} ${u.role.padEnd(11)} scope: ${u.scope}`);
    console.log(`  password: ${config.demoPassword}${process.env.DEMO_PASSWORD ? ' (from DEMO_PASSWORD)' : ' (default; set DEMO_PASSWORD to change)'}`);
  }
  if (config.jwtSecretIsEphemeral) log.warn('JWT_SECRET is not set: tokens are signed with a per-process key and end at restart');
}

main().catch((error) => {
  console.error('start-up failed:', error);
  process.exit(1);
});
