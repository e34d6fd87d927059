import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { TEMPLATE_DB, withDatabase } from './template.ts';

// `npm start` as a child process on a copy of the PostgreSQL template: for the tests of several API processes.

const root = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A database copied from the demo template on the test server, and how to drop it. */
export async function templateCopy(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `reserves_t_${randomBytes(6).toString('hex')}`;
  const admin = () => postgres(serverUrl, { max: 1, onnotice: () => {} });
  const sql = admin();
  try {
    await sql.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await sql.end();
  }
  const drop = async () => {
    const again = admin();
    try {
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await again.end();
    }
  };
  return { url: withDatabase(serverUrl, name), drop };
}

export interface ApiProcess {
  child: ChildProcess;
  port: number;
  /** The last 4,000 characters it wrote. */
  output: () => string;
  /** Kills its whole process group (the primary and its workers). */
  kill: () => void;
}

/** The server (server/http/main.ts) on `port`, resolved once it has printed its banner and /readyz answers 200. */
export async function startApiProcess(port: number, env: Record<string, string>, readyTimeoutMs = 40_000): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/http/main.ts'], {
    cwd: root,
    detached: true, // its own process group, so that kill reaches every process of it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'error', NODE_ENV: 'test', ...env },
  });
  let output = '';
  // Ours is listening once one of its processes prints the banner with its port: a /readyz answer alone may come from
  // another test's server that took the port between freePort and this start.
  let listening = false;
  const keep = (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
    listening ||= output.includes(`http://localhost:${port}/`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const started: ApiProcess = {
    child,
    port,
    output: () => output,
    kill: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`API process exited during start-up:\n${output}`);
    try {
      if (listening && (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200) return started;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  started.kill();
  throw new Error(`API process not ready within ${readyTimeoutMs} ms:\n${output}`);
}
