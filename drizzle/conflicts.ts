import { pgError } from './client.ts';

// What a concurrent request makes a transaction fail with, and the one answer to it: the whole transaction, rolled
// back, runs again from the start. Under Read Committed each statement of the new attempt sees what the other request
// committed, so the request is then answered as one sent a moment after the other would be.

/**
 * A serialization failure or a deadlock (40001, 40P01) — and a unique violation (23505): another request committed the
 * same code, name or key after this one looked for it (the index makes the second wait for the first to commit, then
 * refuses it). Run again, the look finds the row and the request is refused in the user's words, as a sequential
 * duplicate is — not 服务器内部错误. A violation that is no race repeats, and after the last attempt is what it was.
 */
const CONFLICTS: ReadonlySet<string> = new Set(['40001', '40P01', '23505']);
const ATTEMPTS = 3;

/** Runs `transaction` (a whole transaction, never a savepoint: a retry must start afresh) again after a conflict, up to ATTEMPTS times. */
export async function retryingConflicts<T>(transaction: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await transaction();
    } catch (error) {
      const { code } = pgError(error);
      if (!(code && CONFLICTS.has(code) && n < ATTEMPTS)) throw error;
    }
  }
}
