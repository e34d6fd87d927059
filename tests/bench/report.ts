// Measurement and printing helpers for npm run bench.

export interface Rate {
  rate: number;
  done: number;
  seconds: number;
  errors: number;
  firstError?: string;
}

/** Runs `op` in `clients` concurrent loops for `seconds`; counts completions per second. */
export async function measure(seconds: number, clients: number, op: () => Promise<unknown>): Promise<Rate> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        try {
          await op();
          done++;
        } catch (e) {
          errors++;
          firstError ??= String(e);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { rate: done / elapsed, done, seconds: elapsed, errors, firstError };
}

/** Two measurements of the same thing taken in turns, as one. */
export function add(a: Rate | undefined, b: Rate): Rate {
  if (!a) return b;
  const seconds = a.seconds + b.seconds;
  return { rate: (a.done + b.done) / seconds, done: a.done + b.done, seconds, errors: a.errors + b.errors, firstError: a.firstError ?? b.firstError };
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A one-line progress bar on stderr. */
export function progressBar(label: string, done: number, total: number) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\rgenerating data [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.padEnd(16)}`);
}

export function table(rows: string[][]) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => c.padEnd(widths[j])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
