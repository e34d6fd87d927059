import { SignJWT, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';

const ISSUER = 'emergency-reserves';
// Clocks of the signer and the verifier may differ a little.
const CLOCK_TOLERANCE_SECONDS = 60;

export interface TokenKeys {
  secret: Uint8Array;
  ttlHours: number;
}

/**
 * A token for the user, carrying the credentials version it is issued under (claim `cv`, users.credentials_version):
 * a password reset or a reactivation bumps the user's version and ends every session issued before it.
 */
export async function signToken(keys: TokenKeys, userId: string, credentialsVersion = 0): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + keys.ttlHours * 3600_000);
  const token = await new SignJWT({ cv: credentialsVersion })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(keys.secret);
  return { token, expiresAt };
}

/** What a valid token says: whose it is, and the credentials version it was issued under (0 for a token without one). */
export interface TokenSubject {
  userId: string;
  credentialsVersion: number;
}

/**
 * The user id of a valid, unexpired token, else undefined. API.md The edge: a token must carry its expiry (and when
 * it was issued); one that claims to live longer than this server issues tokens for is refused, so a leaked or
 * forged-by-mistake long-lived token cannot outlast a TTL change.
 *
 * Issue 11 (P1): a token once verified is remembered, byte for byte, until the moment it would be refused (its expiry
 * or its maximum age, with the tolerance): verifying an HMAC through WebCrypto cost ~0.8 ms of a post's CPU. A token
 * differing in any byte is a different key and is verified in full. The memory holds only what the token says: whether
 * its user's sessions have ended since (a password reset, a reactivation) is decided on every request (authenticate).
 */
export async function verifyToken(keys: TokenKeys, token: string): Promise<string | undefined> {
  return (await verifyTokenSubject(keys, token))?.userId;
}

/** verifyToken, with the credentials version the token was issued under. */
export async function verifyTokenSubject(keys: TokenKeys, token: string): Promise<TokenSubject | undefined> {
  const known = verifiedBy(keys).get(token);
  if (known) {
    if (Date.now() < known.until) return known.subject;
    verifiedBy(keys).delete(token);
  }
  const maxAge = keys.ttlHours * 3600 + CLOCK_TOLERANCE_SECONDS;
  try {
    const { payload } = await jwtVerify(token, keys.secret, {
      issuer: ISSUER,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: `${maxAge}s`,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const lifetime = payload.exp! - payload.iat!;
    const cv = payload.cv ?? 0;
    if (lifetime > maxAge || typeof payload.sub !== 'string' || !Number.isSafeInteger(cv) || (cv as number) < 0) return undefined;
    const subject: TokenSubject = { userId: payload.sub, credentialsVersion: cv as number };
    // jose refuses once now > exp + tolerance, or now − iat > maxAge + tolerance.
    const until = Math.min(payload.exp! + CLOCK_TOLERANCE_SECONDS, payload.iat! + maxAge + CLOCK_TOLERANCE_SECONDS) * 1000;
    verifiedBy(keys).set(token, { subject, until });
    return subject;
  } catch {
    return undefined;
  }
}

interface Verified {
  subject: TokenSubject;
  /** Epoch ms from which the token is refused. */
  until: number;
}
/** One memory per signing secret (a test may run servers with different secrets in one process). */
const verified = new WeakMap<Uint8Array, LRUCache<string, Verified>>();
const VERIFIED_TOKENS = 10_000;

function verifiedBy(keys: TokenKeys): LRUCache<string, Verified> {
  let cache = verified.get(keys.secret);
  if (!cache) verified.set(keys.secret, (cache = new LRUCache<string, Verified>({ max: VERIFIED_TOKENS })));
  return cache;
}
