import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config.ts';
import { answerClusterMetrics, CLUSTER_METRICS_ENV } from './cluster-metrics.ts';
import { openDatabase, type Database } from '../../drizzle/client.ts';
import type { Logger } from '../logger.ts';
import { demoAccounts, prepareDatabase, type DemoAccounts } from './start.ts';

// DESIGN "Growing past one machine": on PostgreSQL `npm start` runs API_PROCESSES workers (node:cluster, one per
// core by default) sharing the port; PGlite is one process. The API holds nothing that must be shared in memory:
// subscriptions cross processes through LISTEN/NOTIFY (dispatch/events.ts), failed logins are counted in the
// database (login-attempts.ts), the request budget is each process's own (rate-limit.ts states the bound that gives);
// /metrics answers for all processes (cluster-metrics.ts).

/**
 * In the primary of several API processes: applies migrations and reference data once, starts the workers, starts
 * another when one dies, and passes SIGTERM/SIGINT on. Returns true there (the caller serves nothing itself);
 * false in a worker or when one process serves.
 */
export async function superviseApiProcesses(config: AppConfig, log: Logger): Promise<boolean> {
  if (!cluster.isPrimary || config.apiProcesses <= 1) return false;
  const { database, demoSeeded } = await prepareDatabase(config, log);
  await database.close();
  // Tokens must verify in every process: without JWT_SECRET the workers share one key made here. The worker that
  // prints the banner learns that the demo data was loaded by this start (it finds the accounts already there).
  const env: Record<string, string> = {
    ...(config.jwtSecretIsEphemeral ? { JWT_SECRET: randomBytes(32).toString('hex') } : {}),
    ...(demoSeeded ? { [DEMO_SEEDED_NOW]: '1' } : {}),
    [CLUSTER_METRICS_ENV]: '1',
  };
  if (config.jwtSecretIsEphemeral) log.warn('JWT_SECRET is not set: tokens are signed with a per-start key and end at restart');
  let stopping = false;
  const listened = new Set<number>();
  // Each worker has a slot, 0 … API_PROCESSES − 1, in its environment; a slot has one worker at a time.
  const slots = new Map<number, number>();
  const start = (slot: number, replacement: boolean) => {
    const worker = cluster.fork({ ...env, [SLOT_ENV]: String(slot), ...(replacement ? { [REPLACEMENT_ENV]: '1' } : {}) });
    slots.set(worker.id, slot);
  };
  cluster.on('listening', (worker) => listened.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    const left = Object.keys(cluster.workers ?? {}).length;
    const slot = slots.get(worker.id) ?? 0;
    slots.delete(worker.id);
    if (stopping) {
      if (left === 0) process.exit(0);
      return;
    }
    if (!listened.has(worker.id)) {
      // Dying before it served: the next one would too (configuration, database). Stop, and say so.
      log.error('an API process failed to start; stopping', { code, signal });
      stop('SIGTERM');
      process.exitCode = 1;
      return;
    }
    // The replacement takes the dead worker's slot: slot 0 sends the alerts (sweep 17c F7: with the role on the first
    // cluster id, a replacement never had it, and the robot fell silent until the whole server was restarted).
    log.warn('an API process exited; starting another', { code, signal, slot });
    start(slot, true);
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  answerClusterMetrics();
  for (let slot = 0; slot < config.apiProcesses; slot++) start(slot, false);
  log.info('API processes started', { processes: config.apiProcesses });
  return true;
}

/** Set by the primary for each worker: its slot, 0 … API_PROCESSES − 1 (a replacement has the slot of the one it replaces). */
const SLOT_ENV = 'RESERVES_API_SLOT';
/** Set by the primary for a worker started in place of one that died: the start banner was printed already. */
const REPLACEMENT_ENV = 'RESERVES_API_REPLACEMENT';

/** Set by the primary for its workers when this start loaded the demo data. */
const DEMO_SEEDED_NOW = 'RESERVES_DEMO_SEEDED_NOW';

/** The database of this API process: a worker opens it (the primary migrated and seeded it); else prepareDatabase. */
export async function prepareApiProcess(config: AppConfig, log: Logger): Promise<{ database: Database; demoSeeded: boolean; demo: DemoAccounts }> {
  if (!cluster.isWorker) return prepareDatabase(config, log);
  const database = openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolMax: config.dbPoolMax });
  const demoSeeded = process.env[DEMO_SEEDED_NOW] === '1';
  return { database, demoSeeded, demo: demoSeeded ? 'seeded' : await demoAccounts(database, config) };
}

const holdsSlotZero = () => !cluster.isWorker || process.env[SLOT_ENV] === '0';

/** Whether this process prints the start banner: one process of several does, once per start (not a replacement). */
export const announces = () => holdsSlotZero() && process.env[REPLACEMENT_ENV] !== '1';

/**
 * Whether this process sends the alerts to ALERT_WEBHOOK_URL: one process of several, whichever holds slot 0 now — a
 * worker started in place of a dead one takes the role over (sweep 17c F7). Sent alerts are recorded in the database
 * (alert_deliveries), so the new sender does not send again what its predecessor sent.
 */
export const sendsAlerts = holdsSlotZero;
