import { buildConsole, buildConsoleIfStale, consoleOutDir } from '../http/console-build.ts';

// `npm start` runs this first (prestart): the console is built when its build is missing or older than its source.
// `--force` (npm run console:build) always builds.
const started = Date.now();
const built = process.argv.includes('--force') ? (await buildConsole(), true) : await buildConsoleIfStale();
if (built) console.log(`控制台已构建 (console built into ${consoleOutDir} in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
