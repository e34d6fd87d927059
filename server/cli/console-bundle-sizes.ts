import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { consoleOutDir } from '../http/console-build.ts';

// Prints the console's gzipped bundle sizes from the build's manifest (npm run console:build first): what the first
// page load downloads, and what each screen adds on top of it (its chunk and the shared chunks it needs).
interface Chunk {
  file: string;
  src?: string;
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
const initial = closure(entryKey);
console.log(`| chunk | gzipped |\n|---|---|\n| initial load (entry, React, antd core, client) | ${kb(total(initial))} |`);
const screens = (manifest[entryKey].dynamicImports ?? []).map((key) => {
  const files = [...closure(key)].filter((f) => !initial.has(f));
  return { name: (manifest[key].src ?? key).replace(/^src\//, '').replace(/\.tsx$/, ''), bytes: total(files) };
});
for (const s of screens.sort((a, b) => a.name.localeCompare(b.name))) console.log(`| + ${s.name} | ${kb(s.bytes)} |`);
