import { createHash, createHmac } from 'node:crypto';

/** A 32-byte digest laid out as an RFC 4122 version 5 UUID (its first 16 bytes, version and variant bits set). */
function uuidOf(h: Buffer): string {
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Deterministic ids (RFC 4122 version 5 layout): the same key gives the same UUID on every machine, so seeds
// are reproducible and a document's id follows from its idempotency key.
export function stableId(kind: string, key: string): string {
  return uuidOf(createHash('sha1').update(`emergency-reserves:${kind}:${key}`).digest());
}

/**
 * A batch's id, from its item and number keyed with the database's secret (installation_keys, migration 0035; read
 * once per database by server/inventory/batch-ids.ts): nobody without the key can compute the id of a guessed batch
 * number and ask whether it exists elsewhere (sweep 14a F1, DESIGN Auth: FORBIDDEN/NOT_FOUND by id). The key '' (a
 * database that already had batches when the key came) keeps the unkeyed ids those batches have.
 */
export function batchIdWith(key: string, itemId: string, batchNo: string): string {
  if (!key) return stableId('batch', `${itemId}/${batchNo}`);
  return uuidOf(createHmac('sha256', key).update(`${itemId}/${batchNo}`).digest());
}
