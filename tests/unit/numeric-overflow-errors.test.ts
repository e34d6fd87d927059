import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { httpError, MASKED_MESSAGE, toClientError } from '../../server/http/errors.ts';
import { createLogger } from '../../server/logger.ts';

// API.md Errors (sweeps 14b F1, 15a F10): the database's numeric overflow (SQLSTATE 22003) is a figure of ours cast too
// narrow — every input is bounded by validation and every balance by posting — so it is an internal failure: logged with
// its SQLSTATE, masked for the client, never BAD_USER_INPUT with `sqlState: "22003"`. Other data exceptions stay the
// client's bad input.

const pgFailure = (code: string, message: string) => Object.assign(new Error(message), { code });

const recorder = () => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('warn', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
};

describe('a numeric overflow in the database (22003)', () => {
  it('is answered INTERNAL_SERVER_ERROR, masked, without its SQLSTATE; the log keeps it', () => {
    const { log, lines } = recorder();
    const located = new GraphQLError('integer out of range', { path: ['neighbourStock'], originalError: pgFailure('22003', 'integer out of range') });
    const e = toClientError(located, log);
    expect(e.message).toBe(MASKED_MESSAGE);
    expect(e.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(e.path).toEqual(['neighbourStock']);
    expect(lines.some((l) => l.msg === 'unexpected error' && l.sqlState === '22003')).toBe(true);
  });

  it('over plain HTTP (an export) too: 500, masked', () => {
    const { log } = recorder();
    expect(httpError(pgFailure('22003', 'bigint out of range'), log)).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL_SERVER_ERROR', message: MASKED_MESSAGE } },
    });
  });

  it('another data exception (22001, a value too long) is still the client’s bad input', () => {
    const { log } = recorder();
    const e = toClientError(new GraphQLError('value too long', { originalError: pgFailure('22001', 'value too long for type character varying(64)') }), log);
    expect(e.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('an answer’s Int beyond 2,147,483,647 (D21)', () => {
  it('is INVALID_STATE naming the figure, from graphql-js (a wrapped serialisation error) and graphql-jit (a bare one)', () => {
    const { log } = recorder();
    const refusal = 'Int cannot represent non 32-bit signed integer value: 2200035001';
    const path = ['valuation', 'groups', 0, 'quantity'];
    for (const error of [new GraphQLError(refusal, { path, originalError: new GraphQLError(refusal) }), new GraphQLError(refusal, { path })]) {
      const e = toClientError(error, log);
      expect(e.extensions).toEqual({ code: 'INVALID_STATE', value: '2200035001', limit: 2_147_483_647 });
      expect(e.message).toMatch(/^数量为 2,200,035,001，超过接口能表示的最大整数 2,147,483,647/);
      expect(e.path).toEqual(path);
    }
  });

  it('an input Int beyond it (no path: refused before execution) is still BAD_USER_INPUT', () => {
    const { log } = recorder();
    const e = toClientError(new GraphQLError('Int cannot represent non 32-bit signed integer value: 2200035001'), log);
    expect(e.extensions.code).toBe('BAD_USER_INPUT');
  });
});
