import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/http/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';

// DESIGN "Growing past one machine", server/http/rate-limit.ts: each API process keeps its own request budget and
// login back-off counters. With N processes a client gets at most N × the budget per window and N × the failed
// logins before every process has locked the username — the bound README states. Two apps built here each hold
// their own counters, exactly as two processes do; the client's requests alternate between them (the cluster's
// round robin).

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
const PROCESSES = 2;

describe('edge counters with several API processes: per process, bounded by N × the limit', () => {
  const t = useTestApp();
  let apps: ReturnType<typeof buildApp>[];

  beforeAll(() => {
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'test-secret-test-secret-test-secret!',
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_PER_MINUTE: '1',
      RATE_LIMIT_BURST: '5',
      LOGIN_MAX_FAILURES: '3',
    });
    apps = Array.from({ length: PROCESSES }, () => buildApp({ database: t.database, config, clock: t.clock, log: createLogger('silent') }));
  });

  const send = (i: number, from: string, body: object) =>
    request(apps[i % PROCESSES])
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('x-forwarded-for', from)
      .send(body);

  it('the request budget: one process gives a client its burst; two give at most twice that, then both refuse', async () => {
    const from = '198.51.100.40';
    let accepted = 0;
    let alone = 0;
    // One process alone first: exactly the burst.
    for (let i = 0; i < 8; i++) if ((await send(0, '198.51.100.41', { query: '{ __typename }' })).status === 200) alone++;
    expect(alone).toBe(5);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await send(i, from, { query: '{ __typename }' });
      statuses.push(res.status);
      if (res.status === 200) accepted++;
    }
    expect(accepted).toBeLessThanOrEqual(PROCESSES * 5);
    expect(accepted).toBeGreaterThanOrEqual(5);
    // Past the bound every process refuses.
    expect(statuses.slice(-4)).toEqual([429, 429, 429, 429]);
  });

  it('login back-off: at most N × LOGIN_MAX_FAILURES wrong passwords are tried before every process refuses', async () => {
    const tried: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await send(i, `198.51.100.${50 + i}`, { query: LOGIN, variables: { u: 'auditor', p: `wrong-${i}` } });
      tried.push(errorCode(res.body as GqlResult) ?? 'none');
    }
    const checked = tried.filter((c) => c === 'UNAUTHENTICATED').length;
    expect(checked).toBeLessThanOrEqual(PROCESSES * 3);
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(tried.slice(-4)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});
