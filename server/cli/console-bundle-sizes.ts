import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { consoleOutDir } from '../http/console-build.ts';

// Prints the console's gzipped bundle sizes from the build's manifest (npm run console:build first): what the first
// page load downloads, and what each screen adds on top of it (its chunk and the shared chunks it needs).
interface Chunk {
  file: string;
  src?: string;
  name?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
const manifest = JSON.parse(readFileSync(join(consoleOutDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, Chunk>;
const gz = new Map<string, number>();
const size = (file: string) => gz.get(file) ?? gz.set(file, gzipSync(readFileSync(join(consoleOutDir, file))).length).get(file)!;

/** The files a chunk needs loaded: itself, its CSS and its static imports, transitively. */
function closure(key: string, seen = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const css of chunk.css ?? []) seen.add(css);
  for (const i of chunk.imports ?? []) closure(i, seen);
  return seen;
}
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const total = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + size(f), 0);

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry)!;
const name = (key: string) => (manifest[key].src ?? manifest[key].name ?? key).replace(/^src\//, '').replace(/\.tsx?$/, '');
const rows: [string, number][] = [['initial load (index.html: React, antd core, router, GraphQL client, session)', total(closure(entryKey))]];
// Each lazily loaded chunk is measured on top of what its importer has loaded already (a screen on top of the shell).
function walk(key: string, loaded: Set<string>, path: string) {
  for (const child of (manifest[key].dynamicImports ?? []).sort((a, b) => name(a).localeCompare(name(b)))) {
    const files = closure(child);
    rows.push([`+ ${path}${name(child)}`, total([...files].filter((f) => !loaded.has(f)))]);
    walk(child, new Set([...loaded, ...files]), `${path}${name(child)} › `);
  }
}
walk(entryKey, closure(entryKey), '');
console.log(`| chunk | gzipped |\n|---|---|\n${rows.map(([n, b]) => `| ${n} | ${kb(b)} |`).join('\n')}`);
