import type { Server } from 'node:http';
import { buildApp } from './app.ts';
import { startAlertWebhook } from '../paperwork/alert-webhook.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import cluster from 'node:cluster';
import { startupBanner } from './banner.ts';
import { assertPortFree, PortInUseError, startupFailureMessage } from './startup-failure.ts';
import { announces, prepareApiProcess, superviseApiProcesses } from './workers.ts';

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
  let started;
  try {
    // A busy port fails before anything is migrated or seeded (the workers of several API processes share it).
    if (!cluster.isWorker) await assertPortFree(config.host, config.port);
    if (await superviseApiProcesses(config, log)) return;
    const prepared = await prepareApiProcess(config, log);
    const server: Server = buildApp({ database: prepared.database, config, clock: systemClock, log }).listen(config.port, config.host);
    await new Promise<void>((resolve, reject) =>
      server.once('listening', resolve).once('error', (e: NodeJS.ErrnoException) => reject(new PortInUseError(config.host, config.port, e.code ?? 'ERROR'))),
    );
    started = { ...prepared, server };
  } catch (error) {
    const message = startupFailureMessage(error, config);
    if (!message) throw error;
    console.error(message);
    process.exit(1);
  }
  const { database, demo, server } = started;
  // Issue 13: alerts to a 企业微信/钉钉 group robot, when ALERT_WEBHOOK_URL is set (one process of several sends).
  const stopAlerts =
    config.alerts.webhookUrl && announces()
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
  if (!announces()) return;
  for (const line of startupBanner(config, database, demo)) console.log(line);
  if (config.jwtSecretIsEphemeral) log.warn('JWT_SECRET is not set: tokens are signed with a per-process key and end at restart');
}

main().catch((error) => {
  console.error('start-up failed:', error);
  process.exit(1);
});
