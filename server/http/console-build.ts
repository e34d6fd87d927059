import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build, type InlineConfig } from 'vite';

/** The console's source (browser code, its own tsconfig) and where Vite writes the build that the server serves. */
export const consoleRoot = fileURLToPath(new URL('../console/', import.meta.url));
export const consoleOutDir = fileURLToPath(new URL('../../dist/console/', import.meta.url));
/** A server file the console imports (its only one): a change to it makes the build stale too. */
const fieldWords = fileURLToPath(new URL('../field-words.ts', import.meta.url));
const lockfile = fileURLToPath(new URL('../../package-lock.json', import.meta.url));

export function consoleViteConfig(): InlineConfig {
  return {
    configFile: false,
    root: consoleRoot,
    base: '/',
    plugins: [react()],
    logLevel: 'warn',
    build: {
      outDir: consoleOutDir,
      emptyOutDir: true,
      // The bundle-size report (server/cli/console-bundle-sizes.ts) reads the chunk graph from the manifest.
      manifest: true,
      // ECharts and antd are large; they are split per route, and the warning would only repeat the README's table.
      chunkSizeWarningLimit: 1200,
    },
  };
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Stale when the build is missing or older than any source file, this build definition or the installed packages. */
export function consoleBuildIsStale(): boolean {
  const built = join(consoleOutDir, 'index.html');
  if (!existsSync(built)) return true;
  // The console also reads the API's field words (server/field-words.ts) for its 审计日志.
  const sources = Math.max(
    newestMtime(consoleRoot),
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
    statSync(fieldWords).mtimeMs,
    existsSync(lockfile) ? statSync(lockfile).mtimeMs : 0,
  );
  return sources > statSync(built).mtimeMs;
}

/**
 * Always a production build, whatever NODE_ENV the caller runs under. Vite takes the build's mode from NODE_ENV, and
 * vitest sets it to `test`: the browser tests then ran React's development build, and `npm start` after `npm test`
 * served it. Users get the production build, so the tests look at that one.
 */
export async function buildConsole(): Promise<void> {
  const callers = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build(consoleViteConfig());
  } finally {
    if (callers === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = callers;
  }
}

/** Builds the console unless an up-to-date build exists; answers whether it built. */
export async function buildConsoleIfStale(): Promise<boolean> {
  if (!consoleBuildIsStale()) return false;
  await buildConsole();
  return true;
}
