import { buildConsoleIfStale } from '../../server/http/console-build.ts';

// The browser tests drive the built console: build it once, before any test file, when it is missing or stale.
export default async function setup() {
  await buildConsoleIfStale();
}
