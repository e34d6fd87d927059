import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { openDatabase, type Database } from '../../drizzle/client.ts';
import { buildApp } from '../../server/http/app.ts';
import { fixedClock } from '../../server/clock.ts';
import { loadConfig, type AppConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { expectLedgerConsistent } from './ledger.ts';
import { TEMPLATE_DB, TEST_PASSWORD, withDatabase } from './template.ts';

export const dbKind = (process.env.TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

/** A fresh copy of the seeded template database, private to one test file. */
export async function openTestDatabase(opts: { poolMax?: number } = {}): Promise<Database> {
  if (dbKind === 'pglite') {
    const dump = readFileSync(inject('pgliteTemplate'));
    const pglite = await PGlite.create({ loadDataDir: new Blob([dump]) });
    return openDatabase({ pglite });
  }
  const serverUrl = inject('postgresUrl');
  const name = `reserves_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  return openDatabase({ databaseUrl: withDatabase(serverUrl, name), poolMax: opts.poolMax ?? 10 });
}

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions: { code: string; [k: string]: unknown } }[];
}

export interface TestApp {
  database: Database;
  config: AppConfig;
  clock: ReturnType<typeof fixedClock>;
  app: ReturnType<typeof buildApp>;
  /** Runs a GraphQL operation, optionally as a demo user (by username). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, as?: string): Promise<GqlResult<T>>;
  token(username: string): Promise<string>;
}

export const NOW = '2026-07-20T02:00:00Z';

export interface TestAppOptions {
  poolMax?: number;
  /** After each test, the clock back at NOW: for suites whose tests move it. Before the ledger check. */
  resetClock?: boolean;
  /** After each test, the balances agree with the movements (expectLedgerConsistent, DESIGN's ledger check). */
  checkLedger?: boolean;
}

/** Registers beforeAll/afterAll hooks that build the app over a private database, and the afterEach ones asked for. */
export function useTestApp(opts: TestAppOptions = {}): TestApp {
  const t = { clock: fixedClock(NOW) } as TestApp;
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    t.database = await openTestDatabase(opts);
    // Suites log in as made-up users again and again under a clock that stands still: the per-username back-off
    // (5 failures) would lock them. tests/api/edge-login-backoff.test.ts tests it with the defaults.
    t.config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-test-secret-test-secret!', LOG_LEVEL: 'silent', LOGIN_MAX_FAILURES: '1000' });
    t.app = buildApp({ database: t.database, config: t.config, clock: t.clock, log: createLogger(process.env.TEST_LOG ? 'debug' : 'silent') });
  });
  afterAll(async () => {
    await t.database?.close();
  });
  if (opts.resetClock || opts.checkLedger) {
    afterEach(async () => {
      if (opts.resetClock) t.clock.set(NOW);
      if (opts.checkLedger) await expectLedgerConsistent(t);
    });
  }
  t.token = async (username) => {
    const cached = tokens.get(username);
    if (cached) return cached;
    const res = await t.gql(`mutation($u:String!,$p:String!){ login(username:$u,password:$p){ token } }`, { u: username, p: TEST_PASSWORD });
    if (!res.data?.login) throw new Error(`login ${username} failed: ${JSON.stringify(res.errors)}`);
    tokens.set(username, res.data.login.token);
    return res.data.login.token;
  };
  t.gql = async (query, variables, as) => {
    const req = request(t.app).post('/graphql').set('content-type', 'application/json');
    if (as) req.set('authorization', `Bearer ${await t.token(as)}`);
    const res = await req.send({ query, variables });
    return res.body as GqlResult;
  };
  return t;
}

/** The single error code of a failed result (asserts there is exactly one error). */
export function errorCode(res: GqlResult): string | undefined {
  if (res.errors?.length !== 1) return res.errors ? `errors:${res.errors.map((e) => e.extensions?.code).join(',')}` : undefined;
  return res.errors[0].extensions.code;
}
