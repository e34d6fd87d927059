import { describe, expect, it } from 'vitest';
import { publishPlanStatus } from '../../server/dispatch/events.ts';
import { useTestApp } from '../support/harness.ts';
import { listenToPlanStatus, until } from '../support/plan-status-stream.ts';

// Runs on the real PostgreSQL server only: two connections stand for two API processes (PGlite has one connection).
// D18: a plan's status is a NOTIFY sent inside the transaction that sets it, so the database tells changes in commit
// order whichever process made them (server/dispatch/events.ts).

const t = useTestApp();

describe('D18: plan status across processes is told in commit order', () => {
  it("two processes' changes are told in the order they commit, not the order they were made", async () => {
    // The first change is made first but commits second.
    const planId = '00000000-0000-4000-8000-000000000002';
    const sub = listenToPlanStatus(planId);
    await new Promise((r) => setImmediate(r));
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => (releaseFirst = r));
    const first = t.database.db.transaction(async (tx) => {
      await publishPlanStatus(tx, planId, 'MADE_FIRST');
      await firstMayCommit;
    });
    await new Promise((r) => setTimeout(r, 20));
    await t.database.db.transaction(async (tx) => publishPlanStatus(tx, planId, 'COMMITTED_FIRST'));
    releaseFirst();
    await first;
    await until(sub.heard, 'MADE_FIRST');
    await sub.stop();
    expect(sub.heard).toEqual(['COMMITTED_FIRST', 'MADE_FIRST']);
  });
});
