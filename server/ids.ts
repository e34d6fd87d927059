import { createHash } from 'node:crypto';

// Deterministic ids (RFC 4122 version 5 layout): the same key gives the same UUID on every machine, so seeds
// are reproducible and a document's id follows from its idempotency key.
export function stableId(kind: string, key: string): string {
  const h = createHash('sha1').update(`emergency-reserves:${kind}:${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
