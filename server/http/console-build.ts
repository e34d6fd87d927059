import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build, type InlineConfig } from 'vite';

/** The console's source (browser code, its own tsconfig) and where Vite writes the build that the server serves. */
export const consoleRoot = fileURLToPath(new URL('../console/', import.meta.url));
export const consoleOutDir = fileURLToPath(new URL('../../dist/console/', import.meta.url));
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
  const sources = Math.max(newestMtime(consoleRoot), statSync(fileURLToPath(import.meta.url)).mtimeMs, existsSync(lockfile) ? statSync(lockfile).mtimeMs : 0);
  return sources > statSync(built).mtimeMs;
}

export async function buildConsole(): Promise<void> {
  await build(consoleViteConfig());
}

/** Builds the console unless an up-to-date build exists; answers whether it built. */
export async function buildConsoleIfStale(): Promise<boolean> {
  if (!consoleBuildIsStale()) return false;
  await buildConsole();
  return true;
}
