import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirectoryLockedError, lockDataDirectory } from '../../server/db-lock.ts';

// Issue 12: one process per PGLITE_DIR — and a first start on a fresh clone, where ./data does not exist yet.

describe('lockDataDirectory', () => {
  const root = mkdtempSync(join(tmpdir(), 'reserves-lock-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes the lock when the data directory and its parent do not exist yet (npm start on a fresh clone)', () => {
    const dir = join(root, 'data', 'pglite');
    const lock = lockDataDirectory(dir);
    expect(lock.path).toBe(`${dir}.lock`);
    expect(existsSync(lock.path)).toBe(true);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('a live holder (this very process, taken again by pid) is named; a released lock can be taken again', () => {
    const dir = join(root, 'other', 'pglite');
    const first = lockDataDirectory(dir);
    // The same pid holds it: taking it again in this process is allowed (a restart in place), not a second owner.
    const again = lockDataDirectory(dir);
    expect(again.path).toBe(first.path);
    again.release();
    expect(() => lockDataDirectory(dir).release()).not.toThrow(DataDirectoryLockedError);
  });
});
