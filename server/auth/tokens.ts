import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'emergency-reserves';
// Clocks of the signer and the verifier may differ a little.
const CLOCK_TOLERANCE_SECONDS = 60;

export interface TokenKeys {
  secret: Uint8Array;
  ttlHours: number;
}

export async function signToken(keys: TokenKeys, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + keys.ttlHours * 3600_000);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(keys.secret);
  return { token, expiresAt };
}

/**
 * The user id of a valid, unexpired token, else undefined. API.md The edge: a token must carry its expiry (and when
 * it was issued); one that claims to live longer than this server issues tokens for is refused, so a leaked or
 * forged-by-mistake long-lived token cannot outlast a TTL change.
 */
export async function verifyToken(keys: TokenKeys, token: string): Promise<string | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys.secret, {
      issuer: ISSUER,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: `${keys.ttlHours * 3600 + CLOCK_TOLERANCE_SECONDS}s`,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const lifetime = payload.exp! - payload.iat!;
    if (lifetime > keys.ttlHours * 3600 + CLOCK_TOLERANCE_SECONDS) return undefined;
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}
