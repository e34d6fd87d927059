import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { noteIdempotentReplay } from '../audit/log.ts';
import { DomainError } from '../errors.ts';
import { requestHash } from './rules.ts';
import { stableId } from '../ids.ts';

// API.md: every mutation that changes stock takes an idempotency key. The same key with the same input returns the
// first result; the same key with other input is IDEMPOTENCY_CONFLICT. One mechanism for documents, plan execution
// and recovery: the key is claimed in the operation's own transaction, so a refused operation leaves it unclaimed and
// a concurrent duplicate waits for the first and then answers as it did.

export interface IdempotencyClaim {
  /** The operation: keys are unique per operation and actor. */
  kind: string;
  actorId: string;
  key: string;
  /** The request as received (the key itself is left out of its hash). */
  input: unknown;
  /** The id this request's result will have, and what it is (a conflict names the first result by it). */
  resultId: string;
  resultName: 'documentId' | 'planId' | 'orderId' | 'agreementId' | 'incidentId' | 'storeId' | 'userId';
  at: Date;
}

/**
 * A create mutation's optional key (sweep 23c: createIncident, createStore, createAgreement, openDistributionPoint): the
 * new record's id follows from the caller and the key (`namespace`), so a retry makes no second one; with a key, the
 * claim answers `first`, the first call's record to replay, or null when this call creates it under `id`. Without a
 * key, nothing is claimed and the record takes an id of its own.
 */
export async function claimCreateKey(
  tx: Db,
  namespace: string,
  c: Omit<IdempotencyClaim, 'key' | 'resultId'> & { key: string | null | undefined },
): Promise<{ id?: string; first: string | null }> {
  if (!c.key) return { first: null };
  const id = stableId(namespace, `${c.actorId}/${c.key}`);
  return { id, first: await claimIdempotencyKey(tx, { ...c, key: c.key, resultId: id }) };
}

/** Claims the key for this request; returns null when claimed, or the first result's id to replay. */
export async function claimIdempotencyKey(tx: Db, c: IdempotencyClaim): Promise<string | null> {
  const hash = requestHash(c.input);
  const claimed = await queryRows<{ result_id: string }>(
    tx,
    sql`INSERT INTO idempotency_keys (kind, actor_id, key, request_hash, result_id, created_at)
        VALUES (${c.kind}, ${c.actorId}::uuid, ${c.key}, ${hash}, ${c.resultId}::uuid, ${c.at.toISOString()}::timestamptz)
        ON CONFLICT DO NOTHING RETURNING result_id`,
  );
  if (claimed.length) return null;
  const [first] = await queryRows<{ request_hash: string; result_id: string }>(
    tx,
    sql`SELECT request_hash, result_id FROM idempotency_keys WHERE kind = ${c.kind} AND actor_id = ${c.actorId}::uuid AND key = ${c.key}`,
  );
  return answerOfFirst(c, hash, { requestHash: first.request_hash, resultId: first.result_id });
}

/**
 * The operations whose key is an argument of its own (API.md: `reverseDocument(documentId, reason, idempotencyKey)`,
 * `cancelTransfer(…)`, `executeDispatchPlan(planId, idempotencyKey)`); every other one takes it in its `input`.
 */
const KEY_AS_ARGUMENT: ReadonlySet<string> = new Set(['reverseDocument', 'cancelTransfer', 'executeDispatchPlan']);

/**
 * Where the operation's key was given, as its refusals name it (extensions.field): `input.idempotencyKey`, as a blank
 * or too long key is named — or `idempotencyKey` where the key is an argument (sweep 11b B3).
 */
export const idempotencyKeyField = (kind: string) => (KEY_AS_ARGUMENT.has(kind) ? 'idempotencyKey' : 'input.idempotencyKey');

/** A key claimed before: the first result's id to replay when the request is the same, else IDEMPOTENCY_CONFLICT. */
export function answerOfFirst(
  c: Pick<IdempotencyClaim, 'kind' | 'key' | 'resultName'>,
  hash: string,
  first: { requestHash: string; resultId: string },
): string {
  if (first.requestHash !== hash) throw idempotencyConflict(c, first.resultId);
  noteIdempotentReplay();
  return first.resultId;
}

/**
 * IDEMPOTENCY_CONFLICT: the key was used for another request, whose result it names — also for what the request hash
 * leaves out and the operation compares itself (createUser's password, never hashed into the key's row).
 */
export const idempotencyConflict = (c: Pick<IdempotencyClaim, 'kind' | 'key' | 'resultName'>, resultId: string) =>
  new DomainError('IDEMPOTENCY_CONFLICT', `幂等键 ${c.key} 已用于内容不同的另一请求：若是新的操作，请重新提交（换用新的幂等键）；若是重试，请按原内容提交`, {
    field: idempotencyKeyField(c.kind),
    [c.resultName]: resultId,
  });
