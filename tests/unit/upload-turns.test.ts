import { describe, expect, it } from 'vitest';
import { inTurn } from '../../server/http/uploads.ts';
import { DomainError } from '../../server/errors.ts';

// Sweep 16a F7: one keeper sending eight heavy workbooks at once held the API for everyone. A user's uploads are read
// one at a time in a process; later ones wait (none refused) up to four, beyond which RATE_LIMITED.

describe('uploads: one at a time per user (sweep 16a F7)', () => {
  it('runs a user’s uploads one after another, another user’s beside them, and refuses a fifth waiting one', async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const job = (name: string, wait?: Promise<void>) => async () => {
      log.push(`${name} start`);
      await wait;
      log.push(`${name} end`);
      return name;
    };
    const first = inTurn('keeper', job('a', gate));
    const queued = [inTurn('keeper', job('b')), inTurn('keeper', job('c')), inTurn('keeper', job('d'))];
    const fifth = await inTurn('keeper', job('e')).catch((e: DomainError) => e);
    expect(fifth).toBeInstanceOf(DomainError);
    expect(fifth).toMatchObject({ code: 'RATE_LIMITED', message: '您已有 4 个文件正在处理，请等其完成后再上传' });
    expect(await inTurn('auditor', job('x'))).toBe('x'); // another user is not held up
    expect(log).toEqual(['a start', 'x start', 'x end']);
    release();
    expect(await Promise.all([first, ...queued])).toEqual(['a', 'b', 'c', 'd']);
    expect(log).toEqual(['a start', 'x start', 'x end', 'a end', 'b start', 'b end', 'c start', 'c end', 'd start', 'd end']);
  });

  it('a refusal does not hold up the next upload', async () => {
    await expect(inTurn('keeper', () => Promise.reject(new Error('bad file')))).rejects.toThrow('bad file');
    expect(await inTurn('keeper', () => Promise.resolve('next'))).toBe('next');
  });
});
