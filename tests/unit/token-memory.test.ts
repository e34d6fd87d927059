import { afterEach, describe, expect, it, vi } from 'vitest';
import { signToken, verifyToken, type TokenKeys } from '../../server/auth/tokens.ts';

// Issue 11 (P1): verified tokens are remembered, and the memory never accepts what a full verification would refuse.

const keys = (): TokenKeys => ({ secret: new TextEncoder().encode(`secret-${Math.random()}-0123456789abcdef0123456789`), ttlHours: 1 });

describe('Issue 11 P1: remembered token verification', () => {
  afterEach(() => vi.useRealTimers());

  it('a remembered token is refused once expired (exp + 60 s tolerance), as a full verification would', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-02T08:00:00Z'), toFake: ['Date'] });
    const k = keys();
    const { token } = await signToken(k, 'user-1');
    expect(await verifyToken(k, token)).toBe('user-1');
    vi.setSystemTime(Date.parse('2026-12-02T09:00:59Z'));
    expect(await verifyToken(k, token)).toBe('user-1');
    vi.setSystemTime(Date.parse('2026-12-02T09:01:01Z'));
    expect(await verifyToken(k, token)).toBeUndefined();
  });

  it('a token differing in one byte from a remembered one is verified, and refused', async () => {
    const k = keys();
    const { token } = await signToken(k, 'user-2');
    expect(await verifyToken(k, token)).toBe('user-2');
    // A character in the middle of the signature (the last one carries padding bits).
    const at = token.length - 10;
    const tampered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(await verifyToken(k, tampered)).toBeUndefined();
  });

  it('a token remembered under one secret is not accepted under another', async () => {
    const [a, b] = [keys(), keys()];
    const { token } = await signToken(a, 'user-3');
    expect(await verifyToken(a, token)).toBe('user-3');
    expect(await verifyToken(b, token)).toBeUndefined();
  });
});
