import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.ts';
import { buildTemplate, TEMPLATE_DB, withDatabase } from './template.ts';

// The real server comes from DATABASE_URL, else a throwaway one started here; each test file copies the template.
export default async function setup(project: TestProject) {
  const server = await startPostgres();
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE_DB}`);
  const template = await buildTemplate({ databaseUrl: withDatabase(server.url, TEMPLATE_DB), poolMax: 2 });
  await template.close();
  await admin.end();
  project.provide('postgresUrl', server.url);
  return async () => {
    const cleanup = postgres(server.url, { max: 1, onnotice: () => {} });
    const dbs = await cleanup<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'reserves_%'`;
    for (const { datname } of dbs) await cleanup.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await cleanup.end();
    await server.stop();
  };
}
