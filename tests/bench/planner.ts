import { objectiveOf, planDispatch, planGreedy, type Destination, type Source } from '../../server/dispatch/planner.ts';
import { percentile } from './report.ts';

// The planner on synthetic data: stores scattered over ~4°×4° around 新乡, 20 items, 10 destinations.

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

export function syntheticInput(storeCount: number, seed = 7): { destinations: Destination[]; sources: Source[]; deadlineHours: number } {
  const r = rng(seed);
  const items = Array.from({ length: 20 }, (_, i) => `item-${i}`);
  const county = (i: number) => `41${String(1 + (i % 9)).padStart(2, '0')}${String(1 + (i % 40)).padStart(2, '0')}000000`;
  const sources: Source[] = [];
  for (let s = 0; s < storeCount; s++) {
    const lat = 33.5 + r() * 4;
    const lng = 112 + r() * 4;
    for (const itemId of items) {
      if (r() < 0.5) continue;
      for (let b = 0; b < 1 + Math.floor(r() * 2); b++) {
        sources.push({
          kind: 'STORE',
          storeId: `store-${s}`,
          storeName: `储备库${s}`,
          regionCode: county(s),
          batchId: `b-${s}-${itemId}-${b}`,
          batchNo: `PC-${s}-${b}`,
          itemId,
          available: 10 + Math.floor(r() * 200),
          expiryDate: `202${7 + b}-0${1 + b}-01`,
          receivedAt: '2025-01-01T00:00:00Z',
          lat,
          lng,
        });
      }
    }
  }
  const destinations: Destination[] = Array.from({ length: 10 }, (_, d) => ({
    name: `安置点${d}`,
    regionCode: county(d * 7),
    lat: 34.5 + r() * 2,
    lng: 113 + r() * 2,
    lines: items.map((itemId) => ({ itemId, quantity: 50 + Math.floor(r() * 450) })),
  }));
  return { destinations, sources, deadlineHours: 10 };
}

/**
 * The exactness check: the planner (pruned, duals pricing the rest in) against one full LP over every source, on a
 * sample of items; the two optima must agree.
 */
export async function fullLpOnSample(storeCount: number, sampleItems = 2) {
  const whole = syntheticInput(storeCount);
  const items = new Set(whole.destinations[0].lines.slice(0, sampleItems).map((l) => l.itemId));
  const input = {
    ...whole,
    sources: whole.sources.filter((s) => items.has(s.itemId)),
    destinations: whole.destinations.map((d) => ({ ...d, lines: d.lines.filter((l) => items.has(l.itemId)) })),
  };
  const plan = await planDispatch(input);
  const planned = objectiveOf(plan, input.deadlineHours);
  const t0 = performance.now();
  const full = objectiveOf(await planDispatch({ ...input, policy: { nearestK: Number.MAX_SAFE_INTEGER } }), input.deadlineHours);
  const fullMs = performance.now() - t0;
  // ETAs in a plan are rounded to 0.01 h, so two optimal plans may differ by that rounding only.
  const agree = Math.abs(planned - full) <= 0.005 * plan.totalQuantity + 1e-6;
  if (!agree) throw new Error(`planner at ${storeCount} stores: cost ${planned} differs from the full LP's ${full}`);
  return { storeCount, items: items.size, planned, full, fullMs };
}

export async function benchPlanner(storeCount: number, runs: number) {
  const input = syntheticInput(storeCount);
  const times: number[] = [];
  // Declared type, not an evolving `let plan;`: typescript-eslint misreads the latter as never undefined.
  let plan: Awaited<ReturnType<typeof planDispatch>> | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    plan = await planDispatch(input);
    times.push(performance.now() - t0);
  }
  const greedy = planGreedy(input);
  return {
    storeCount,
    median: percentile(times, 50),
    p95: percentile(times, 95),
    exact: objectiveOf(plan!, input.deadlineHours),
    greedy: objectiveOf(greedy, input.deadlineHours),
    shortUnits: plan!.shortages.reduce((s, x) => s + x.missing, 0),
  };
}
