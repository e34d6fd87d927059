import type { Server } from 'node:http';
import type { Logger } from '../logger.ts';

/** How often, while stopping, connections that have become idle are closed (a stream that ended leaves its socket idle). */
const IDLE_SWEEP_MS = 50;

/**
 * Graceful shutdown (SIGTERM/SIGINT, main.ts): stops accepting, ends the open subscriptions first — `stopping` is the
 * app's shutdown signal (AppServices.stopping); each live stream ends with `event: complete` — and lets the requests in
 * flight finish, closing each connection as it falls idle. Whatever still runs after `timeoutMs` has its connection cut.
 * Resolves once the server is closed, in the caller's async context: nothing logged after it carries the request id
 * of the connection that closed last.
 */
export async function stopServing(opts: { server: Server; stopping: AbortController; timeoutMs: number; log: Logger }): Promise<void> {
  const { server, stopping, timeoutMs, log } = opts;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  stopping.abort();
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const force = setTimeout(() => {
    log.warn('requests still in flight at shutdown timeout; closing connections');
    server.closeAllConnections();
  }, timeoutMs);
  sweep.unref();
  force.unref();
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(force);
  }
}
