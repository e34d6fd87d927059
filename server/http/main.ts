import type { Server } from 'node:http';
import { buildApp } from './app.ts';
import { startAlertWebhook } from '../paperwork/alert-webhook.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger, withoutLogScope } from '../logger.ts';
import cluster from 'node:cluster';
import { startupBanner } from './banner.ts';
import { assertPortFree, PortInUseError, startupFailureMessage } from './startup-failure.ts';
import { stopServing } from './shutdown.ts';
import { announces, prepareApiProcess, sendsAlerts, superviseApiProcesses } from './workers.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    // One line naming every wrong variable, exit code 1: like a busy port or an unreachable database (README).
    if (error instanceof ConfigError) {
      console.error(`start-up failed: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  // Aborted at shutdown: open subscriptions end (shutdown.ts), so that they do not hold the server open.
  const stopping = new AbortController();
  let started;
  try {
    // A busy port fails before anything is migrated or seeded (the workers of several API processes share it).
    if (!cluster.isWorker) await assertPortFree(config.host, config.port);
    if (await superviseApiProcesses(config, log)) return;
    const prepared = await prepareApiProcess(config, log);
    const server: Server = buildApp({ database: prepared.database, config, clock: systemClock, log, stopping: stopping.signal }).listen(
      config.port,
      config.host,
    );
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
  // Issue 13: alerts to a 企业微信/钉钉 group robot, when ALERT_WEBHOOK_URL is set (one process of several sends: the
  // worker in slot 0, a replacement included — workers.ts).
  const stopAlerts =
    config.alerts.webhookUrl && sendsAlerts()
      ? startAlertWebhook({ db: database.db, clock: systemClock, log, url: config.alerts.webhookUrl, policy: config.alerts }, config.alerts.scanSeconds)
      : () => {};

  // Graceful shutdown: stop accepting, end open subscriptions, let requests in flight finish, close the database.
  const shutdown = async (signal: string) => {
    if (stopping.signal.aborted) return;
    log.info('shutting down', { signal });
    stopAlerts();
    await stopServing({ server, stopping, timeoutMs: config.shutdownTimeoutMs, log });
    await database.close().catch((error: unknown) => log.error('closing the database failed', { error: String(error) }));
    log.info('stopped');
    process.exit(0);
  };
  // Outside any request's log scope: a request's context must not reach the shutdown's lines (OPS-5).
  process.on('SIGTERM', () => void withoutLogScope(() => shutdown('SIGTERM')));
  process.on('SIGINT', () => void withoutLogScope(() => shutdown('SIGINT')));

  // The banner comes after the signal handlers: whoever reads it may stop the server at once.
  if (!announces()) return;
  for (const line of startupBanner(config, database, demo)) console.log(line);
  // The banner is for people; the log's own line says the same for whoever reads the JSON (README LOG_LEVEL).
  log.info('started', { url: `http://localhost:${config.port}/`, database: database.kind, processes: config.apiProcesses });
  if (config.jwtSecretIsEphemeral) log.warn('JWT_SECRET is not set: tokens are signed with a per-process key and end at restart');
}

main().catch((error) => {
  console.error('start-up failed:', error);
  process.exit(1);
});
