import { describe, expect, it } from 'vitest';
import { admit, settle, type Failures } from '../../server/http/login-attempts.ts';

// Sweep 11b B4 (API.md The edge: `extensions.retryAfterSeconds` says when to try again): an attempt held back while
// others are in flight at the lock's threshold is told the lock they would set — not 1 s, which a client honouring it
// spent retrying into that lock.

const policy = { maxFailuresPerUsername: 5, maxFailuresPerAddress: 20, windowSeconds: 900, lockSeconds: 30, maxLockSeconds: 3600 };
const user = { key: 'login-user:director', maxFailures: 5, clearedBySuccess: true };
const NOW = 1_800_000_000_000;
const held = (f: Partial<Failures>) => new Map([[user.key, { count: 0, last: NOW - 1000, lockedUntil: 0, inFlight: 0, inFlightAt: NOW - 100, ...f }]]);

describe('B4: the wait told while attempts are in flight at the threshold', () => {
  it('5 in flight of 5: the next waits the 30 s their failures would lock for', () => {
    expect(admit([user], held({ inFlight: 5 }), policy, NOW).wait).toBe(30);
    expect(admit([user], held({ count: 2, inFlight: 3 }), policy, NOW).wait).toBe(30);
    // Under the threshold nobody waits; a lock set is waited out to its end.
    expect(admit([user], held({ count: 1, inFlight: 3 }), policy, NOW).wait).toBe(0);
    expect(admit([user], held({ count: 5, lockedUntil: NOW + 28_500 }), policy, NOW).wait).toBe(29);
  });

  it('past the threshold (the lock over, one attempt in flight): the doubled lock its failure would set, as settle sets it', () => {
    const f = held({ count: 5, lockedUntil: NOW - 1, inFlight: 1 });
    const wait = admit([user], f, policy, NOW).wait;
    expect(wait).toBe(60);
    const locked = settle(user, f.get(user.key), 'FAILED', policy, NOW);
    expect(locked.lockedUntil - NOW).toBe(wait * 1000);
  });
});

describe('sweep 17c F9: which keys hold an attempt back', () => {
  it('the address alone (an office behind one address), the user alone, or both — as the refusal names its cause', () => {
    const address = { key: 'login-addr:198.51.100.9', maxFailures: 20 };
    const f = (count: number, lockedUntil = 0): Failures => ({ count, last: NOW - 1000, lockedUntil, inFlight: 0, inFlightAt: NOW - 100 });
    const both = (u: Failures, a: Failures) =>
      new Map([
        [user.key, u],
        [address.key, a],
      ]);
    expect(admit([user, address], both(f(0), f(20, NOW + 30_000)), policy, NOW)).toMatchObject({ wait: 30, heldBy: [address.key] });
    expect(admit([user, address], both(f(5, NOW + 30_000), f(5)), policy, NOW)).toMatchObject({ wait: 30, heldBy: [user.key] });
    expect(admit([user, address], both(f(5, NOW + 10_000), f(20, NOW + 30_000)), policy, NOW)).toMatchObject({ wait: 30, heldBy: [user.key, address.key] });
    expect(admit([user, address], both(f(1), f(1)), policy, NOW)).toMatchObject({ wait: 0, heldBy: [] });
  });
});

describe('sweep 25b F4: held back by attempts in flight only — pending, their outcome not known yet', () => {
  it('in flight at the threshold and no lock: pending (the guard waits for them); a lock set: not pending', () => {
    expect(admit([user], held({ inFlight: 5 }), policy, NOW)).toMatchObject({ wait: 30, pending: true });
    expect(admit([user], held({ count: 2, inFlight: 3 }), policy, NOW)).toMatchObject({ wait: 30, pending: true });
    expect(admit([user], held({ count: 5, lockedUntil: NOW + 28_500 }), policy, NOW)).toMatchObject({ wait: 29, pending: false });
    expect(admit([user], held({ count: 5, lockedUntil: NOW + 28_500, inFlight: 1 }), policy, NOW)).toMatchObject({ pending: false });
    expect(admit([user], held({ inFlight: 4 }), policy, NOW)).toMatchObject({ wait: 0, pending: false });
  });

  it('correct logins in flight, ending, let the ones held back in: a success leaves no failure to count towards the lock', () => {
    // 5 of 5 in flight: the 6th is held; one ends as a success: 4 in flight, no failure — the 6th is admitted.
    const f = held({ inFlight: 5 }).get(user.key)!;
    const after = settle(user, f, 'SUCCEEDED', policy, NOW);
    expect(admit([user], new Map([[user.key, after]]), policy, NOW)).toMatchObject({ wait: 0 });
    // Had it failed, 1 failure + 4 in flight still reach 5: held.
    const failed = settle(user, f, 'FAILED', policy, NOW);
    expect(admit([user], new Map([[user.key, failed]]), policy, NOW)).toMatchObject({ wait: 30, pending: true });
  });
});
