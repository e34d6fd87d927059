import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { buildTemplate } from './template.ts';

// One migrated, seeded PGlite data directory, dumped once; each test file loads its own copy.
export default async function setup(project: TestProject) {
  const pglite = new PGlite();
  const database = await buildTemplate({ pglite });
  const dump = await pglite.dumpDataDir('none');
  await database.close();
  const dir = join(project.config.root, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresUrl: string;
  }
}
