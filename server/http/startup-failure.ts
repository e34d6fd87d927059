import { createServer } from 'node:net';
import { pgError } from '../../drizzle/client.ts';
import type { AppConfig } from '../config.ts';
import { DataDirectoryLockedError } from '../db-lock.ts';

// Start-up failures an operator can fix get one line naming the setting to change, not a stack: an unreachable or
// refusing database (DATABASE_URL), a busy port (PORT), an embedded database open in another process (PGLITE_DIR).

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(`port ${port} on ${host}: ${code}`);
    this.name = 'PortInUseError';
  }
}

/** Fails when the port cannot be bound, before anything is migrated or seeded (the server binds it again later). */
export async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(new PortInUseError(host, port, error.code ?? 'ERROR')));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Where DATABASE_URL points, without its user name and password. */
function serverOf(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'the configured server';
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECT_TIMEOUT', 'ECONNRESET']);

/** The one line for a failure the operator can fix, or null for anything else (then the stack is shown). */
export function startupFailureMessage(error: unknown, config: AppConfig): string | null {
  if (error instanceof PortInUseError) {
    const why = error.code === 'EADDRINUSE' ? 'is already in use (is the server running already?)' : `cannot be opened (${error.code})`;
    return `start-up failed: PORT ${error.port} on ${error.host} ${why}; stop the other process or set PORT to a free port.`;
  }
  if (error instanceof DataDirectoryLockedError) {
    return `start-up failed: ${error.message}. Stop process ${error.pid} first, or set PGLITE_DIR to another directory.`;
  }
  if (!config.databaseUrl) return null;
  const server = serverOf(config.databaseUrl);
  const { code, message } = pgError(error);
  if (code === '28P01' || code === '28000') {
    return `start-up failed: DATABASE_URL: the PostgreSQL server at ${server} refused the login (${message}); check the user name and password in DATABASE_URL.`;
  }
  if (code === '3D000') return `start-up failed: DATABASE_URL: ${message} on ${server}; create it or correct the database name in DATABASE_URL.`;
  const networkCode = code ?? (error as { code?: string }).code;
  if (networkCode && UNREACHABLE.has(networkCode)) {
    return `start-up failed: DATABASE_URL: cannot reach the PostgreSQL server at ${server} (${networkCode}); is it running, and are host and port right?`;
  }
  return null;
}
