import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'emergency-reserves';

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

/** The user id of a valid, unexpired token, else undefined. */
export async function verifyToken(keys: TokenKeys, token: string): Promise<string | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys.secret, { issuer: ISSUER, algorithms: ['HS256'] });
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}
