import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../drizzle/client.ts';
import { buildApp } from '../../server/http/app.ts';
import { fixedClock } from '../../server/clock.ts';
import { loadConfig, type AppConfig } from '../../server/config.ts';
import { createLogger, MAX_LOG_LINE_BYTES, type LogLevel } from '../../server/logger.ts';
import { NOW, openTestDatabase } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Issue 12 "Logs": one access line per request with its id; unexpected errors once, with their cause; debug adds
// SQL timing; no secret in any line; no line over the bound.

const SECRET = 'test-secret-test-secret-test-secret!';
const PASSWORD = TEST_PASSWORD;

interface Captured {
  app: ReturnType<typeof buildApp>;
  lines: string[];
  entries: () => Record<string, any>[];
}

function capturedApp(database: Database, level: LogLevel, env: Record<string, string> = {}): Captured {
  const lines: string[] = [];
  const config: AppConfig = loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: level, LOGIN_MAX_FAILURES: '1000', ...env });
  const log = createLogger(level, { write: (line: string) => void lines.push(line) });
  const app = buildApp({ database, config, clock: fixedClock(NOW), log });
  return { app, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

const gql = (app: Captured['app'], body: object, headers: Record<string, string> = {}) => {
  const req = request(app).post('/graphql').set('content-type', 'application/json');
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req.send(body);
};

async function tokenOf(app: Captured['app'], username: string): Promise<string> {
  const res = await gql(app, {
    query: 'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
    variables: { u: username, p: PASSWORD },
  });
  return res.body.data.login.token as string;
}

describe('Issue 12 logs: request id and the access line', () => {
  let database: Database;
  let c: Captured;
  beforeAll(async () => {
    database = await openTestDatabase({ poolMax: 3 });
    c = capturedApp(database, 'info');
  });
  afterAll(() => database.close());

  it('a sent x-request-id comes back and names the access line; without one, a fresh id is made and returned', async () => {
    const sent = await gql(c.app, { query: '{ __typename }' }, { 'x-request-id': 'op-7f3a.12' });
    expect(sent.headers['x-request-id']).toBe('op-7f3a.12');
    const made = await gql(c.app, { query: '{ __typename }' });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Text that is no plain token (or too long) is not echoed into headers and logs: a fresh id replaces it.
    const odd = await gql(c.app, { query: '{ __typename }' }, { 'x-request-id': `a b"${'x'.repeat(200)}` });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const ids = c
      .entries()
      .filter((e) => e.msg === 'request completed')
      .map((e) => e.requestId);
    expect(ids).toEqual(expect.arrayContaining(['op-7f3a.12', made.headers['x-request-id'], odd.headers['x-request-id']]));
  });

  it('one line per request: method, path, operation name and type, user and role, status, duration, error codes', async () => {
    const token = await tokenOf(c.app, 'keeper');
    c.lines.length = 0;
    const res = await gql(
      c.app,
      { query: 'query MyStores { me { username } store(id: "00000000-0000-0000-0000-000000000000") { name } }', operationName: 'MyStores' },
      { authorization: `Bearer ${token}`, 'x-request-id': 'req-access-1' },
    );
    expect(res.status).toBe(200);
    const access = c.entries().filter((e) => e.requestId === 'req-access-1');
    expect(access).toHaveLength(1);
    const [line] = access;
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request completed',
      method: 'POST',
      path: '/graphql',
      operation: 'MyStores',
      operationType: 'query',
      user: 'keeper',
      role: 'KEEPER',
      status: 200,
    });
    expect(typeof line.durationMs).toBe('number');
    const codes = (res.body.errors ?? []).map((e: { extensions: { code: string } }) => e.extensions.code);
    expect(codes.length).toBeGreaterThan(0);
    expect(line.errorCodes).toEqual([...new Set(codes)]);
  });

  it('a download (an export with the bearer token) names its user and role in the access line too', async () => {
    const token = await tokenOf(c.app, 'auditor');
    const res = await request(c.app)
      .get('/exports/journal.csv')
      .query({ regionCode: '410700' })
      .set('authorization', `Bearer ${token}`)
      .set('x-request-id', 'req-export-1');
    expect(res.status).toBe(200);
    const access = c.entries().filter((e) => e.requestId === 'req-export-1');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: 'GET', path: '/exports/journal.csv', user: 'auditor', role: 'AUDITOR', status: 200 });
  });

  it('passwords and tokens never reach the log (login variables, the Authorization header, a refused login)', async () => {
    c.lines.length = 0;
    const token = await tokenOf(c.app, 'admin');
    await gql(c.app, { query: 'mutation { login(username: "admin", password: "Wrong-Secret-991") { token } }' });
    await gql(c.app, { query: '{ me { username } }' }, { authorization: `Bearer ${token}` });
    await request(c.app).get('/exports/journal.csv').set('authorization', `Bearer ${token}`);
    const all = c.lines.join('\n');
    expect(c.lines.length).toBeGreaterThanOrEqual(4);
    for (const secret of [PASSWORD, 'Wrong-Secret-991', token, token.split('.')[2], SECRET]) expect(all).not.toContain(secret);
  });

  it('no line exceeds the bound, whatever a client sends (a huge operation name, a long path)', async () => {
    c.lines.length = 0;
    const name = `Op${'x'.repeat(200_000)}`;
    await gql(c.app, { query: `query ${name} { __typename }`, operationName: name }, { 'x-request-id': 'req-huge' });
    await request(c.app).get(`/${'长'.repeat(800)}?q=${'x'.repeat(4_000)}`);
    expect(c.lines.length).toBeGreaterThanOrEqual(2);
    for (const l of c.lines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    expect(c.entries().find((e) => e.requestId === 'req-huge')?.operation).toMatch(/^Opx+/);
  });
});

describe('Issue 12 logs: an unexpected error is logged once, with the request, the operation, the user and the cause', () => {
  let database: Database;
  let c: Captured;
  beforeAll(async () => {
    database = await openTestDatabase({ poolMax: 3 });
    c = capturedApp(database, 'info');
    // A private copy of the database whose items table lost a column: reading items fails inside PostgreSQL.
    await database.db.execute(sql`ALTER TABLE items RENAME COLUMN name TO name_gone`);
  });
  afterAll(() => database.close());

  it('the error line carries request id, operation, user and role, SQLSTATE and the database message; not the parameters', async () => {
    const token = await tokenOf(c.app, 'admin');
    c.lines.length = 0;
    const res = await gql(
      c.app,
      { query: 'query FindItems($s: String) { items(search: $s, first: 3) { edges { node { name } } } }', variables: { s: 'param-not-for-logs' } },
      { authorization: `Bearer ${token}`, 'x-request-id': 'req-broken-1' },
    );
    expect(res.body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    const errors = c.entries().filter((e) => e.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'unexpected error',
      requestId: 'req-broken-1',
      operation: 'FindItems',
      operationType: 'query',
      user: 'admin',
      role: 'ADMIN',
      sqlState: '42703',
    });
    expect(errors[0].cause).toMatch(/name/);
    expect(c.lines.join('\n')).not.toContain('param-not-for-logs');
    // The access line of the same request says what the client got.
    expect(c.entries().find((e) => e.requestId === 'req-broken-1' && e.msg === 'request completed')?.errorCodes).toEqual(['INTERNAL_SERVER_ERROR']);
  });
});

describe('Issue 12 logs: LOG_LEVEL=debug adds each SQL statement with its duration; info does not', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase({ poolMax: 3 });
  });
  afterAll(() => database.close());

  it('debug: sql lines with ms and the statement, under the request id; info: none', async () => {
    const debug = capturedApp(database, 'debug');
    const token = await tokenOf(debug.app, 'admin');
    await gql(debug.app, { query: '{ items(first: 2) { totalCount } }' }, { authorization: `Bearer ${token}`, 'x-request-id': 'req-sql-1' });
    const sqlLines = debug.entries().filter((e) => e.msg === 'sql');
    expect(sqlLines.length).toBeGreaterThan(0);
    for (const l of sqlLines) {
      expect(l.level).toBe('debug');
      expect(typeof l.ms).toBe('number');
      expect(l.sql).toMatch(/^(select|insert|update|with|delete)/i);
    }
    expect(sqlLines.some((l) => l.requestId === 'req-sql-1')).toBe(true);

    const info = capturedApp(database, 'info');
    await gql(info.app, { query: '{ items(first: 2) { totalCount } }' }, { authorization: `Bearer ${token}` });
    expect(info.entries().filter((e) => e.msg === 'sql')).toEqual([]);
    expect(info.entries().filter((e) => e.msg === 'request completed')).toHaveLength(1);
  });
});
