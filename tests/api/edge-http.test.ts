import request from 'supertest';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { userId } from '../../seeds/demo.ts';
import { buildApp } from '../../server/http/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// API.md The edge: JSON-only POST, GET for queries only, CORS only for configured origins, a request budget, and in
// production no introspection for anonymous clients and no "did you mean" suggestions; tokens must carry an expiry.

const SECRET = 'test-secret-test-secret-test-secret!';
const LOGIN = `mutation { login(username: "admin", password: "${TEST_PASSWORD}") { token } }`;
const SECOND = 1 / 3600;

describe('API.md The edge over HTTP', () => {
  const t = useTestApp();
  const appWith = (env: Record<string, string>) =>
    buildApp({ database: t.database, config: loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, ...env }), clock: t.clock, log: createLogger('silent') });

  describe('only JSON POST bodies are executed', () => {
    it('a form-urlencoded login is refused with 415 and a JSON error — no token', async () => {
      const res = await request(t.app).post('/graphql').type('form').send({ query: LOGIN });
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', contentType: 'application/x-www-form-urlencoded' });
      expect(res.text).not.toMatch(/token"\s*:\s*"ey/);
    });

    it('a multipart/form-data mutation is refused with 415', async () => {
      const res = await request(t.app)
        .post('/graphql')
        .field('operations', JSON.stringify({ query: LOGIN }))
        .field('map', '{}');
      expect(res.status).toBe(415);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.text).not.toContain('"login"');
    });

    it.each([['text/plain'], ['application/graphql'], ['']])('a POST with content type %j is refused', async (type) => {
      const req = request(t.app).post('/graphql');
      if (type) req.set('content-type', type);
      const res = await req.send(type === 'application/graphql' ? LOGIN : JSON.stringify({ query: LOGIN }));
      expect(res.status).toBe(415);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('application/json (with a charset) and application/graphql-response+json are executed', async () => {
      for (const type of ['application/json; charset=utf-8', 'application/graphql-response+json']) {
        const res = await request(t.app)
          .post('/graphql')
          .set('content-type', type)
          .send(JSON.stringify({ query: LOGIN }));
        expect(res.status).toBe(200);
        expect(res.body.data.login.token).toBeTruthy();
      }
    });

    it('an empty or blank JSON body is refused at once with 400 (sweep 10c F1: it hung until the client gave up)', async () => {
      for (const body of ['', '   ', '\n']) {
        const res = await request(t.app).post('/graphql').set('content-type', 'application/json').timeout({ deadline: 5000 }).send(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(res.body.errors[0].message).toMatch(/请求体为空/);
      }
    });

    it('GET with variables or extensions that are not JSON is BAD_USER_INPUT (400), not an internal error (sweep 10c F6)', async () => {
      for (const params of [{ variables: '{bad' }, { extensions: '{bad' }, { variables: '[1,' }]) {
        const res = await request(t.app)
          .get('/graphql')
          .query({ query: '{ categories { code } }', ...params })
          .set('accept', 'application/json');
        expect(res.status, JSON.stringify(params)).toBe(400);
        expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(res.body.errors[0].message).not.toMatch(/服务器内部错误|Unexpected|JSON at position/);
      }
    });

    it('GET runs queries; a mutation over GET is refused (405) and changes nothing', async () => {
      const token = await t.token('admin');
      const query = await request(t.app)
        .get('/graphql')
        .query({ query: '{ me { username } }' })
        .set('accept', 'application/json')
        .set('authorization', `Bearer ${token}`);
      expect(query.body.data.me.username).toBe('admin');
      const mutation = await request(t.app).get('/graphql').query({ query: LOGIN }).set('accept', 'application/json');
      expect(mutation.status).toBe(405);
      expect(mutation.body.data?.login ?? null).toBeNull();
      expect(mutation.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('CORS only for configured origins', () => {
    const foreign = 'https://evil.example';
    const console_ = 'https://console.example.gov.cn';

    it('by default (no CORS_ORIGINS) no origin is allowed: no Access-Control-Allow-Origin, no credentials', async () => {
      const res = await request(t.app).post('/graphql').set('origin', foreign).set('content-type', 'application/json').send({ query: '{ __typename }' });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      const preflight = await request(t.app).options('/graphql').set('origin', foreign).set('access-control-request-method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('with CORS_ORIGINS, a listed origin is allowed with credentials; a foreign one is not reflected', async () => {
      const app = appWith({ CORS_ORIGINS: `${console_}, http://localhost:5173` });
      const listed = await request(app).post('/graphql').set('origin', console_).set('content-type', 'application/json').send({ query: '{ __typename }' });
      expect(listed.headers['access-control-allow-origin']).toBe(console_);
      expect(listed.headers['access-control-allow-credentials']).toBe('true');
      expect(listed.headers.vary).toMatch(/Origin/);

      const preflight = await request(app)
        .options('/graphql')
        .set('origin', console_)
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'content-type, authorization');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(console_);
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/i);

      for (const origin of [foreign, `${console_}.evil.example`, 'null']) {
        const other = await request(app).post('/graphql').set('origin', origin).set('content-type', 'application/json').send({ query: '{ __typename }' });
        expect(other.headers['access-control-allow-origin']).toBeUndefined();
        expect(other.headers['access-control-allow-credentials']).toBeUndefined();
      }
    });

    it('a wildcard or a path in CORS_ORIGINS stops start-up', () => {
      expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
      expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example/app' })).toThrow(/CORS_ORIGINS/);
    });
  });

  describe('request budget per client address and per user', () => {
    it('over the budget → 429 RATE_LIMITED with retryAfterSeconds and Retry-After; refilled as the clock passes', async () => {
      const app = appWith({ RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '5' });
      const ask = () => request(app).post('/graphql').set('content-type', 'application/json').send({ query: '{ __typename }' });
      // Sweep 23a F2: a refusal of the budget is counted in /metrics like any other answer (/metrics is not budgeted).
      const counted = async () => {
        const text = (await request(app).get('/metrics')).text;
        const sample = (name: string) => Number(text.match(new RegExp(`^${name.replace(/[{}()]/g, '\\$&')} (\\d+)`, 'm'))?.[1] ?? 0);
        return [sample('graphql_errors_total{code="RATE_LIMITED"}'), sample('graphql_requests_total{operation="(unauthenticated)",type="unknown"}')];
      };
      for (let i = 0; i < 5; i++) expect((await ask()).status).toBe(200);
      const [limitedBefore, unknownBefore] = await counted();
      const over = await ask();
      expect(over.status).toBe(429);
      await new Promise((resolve) => setImmediate(resolve)); // counted when the answer closes
      expect(await counted()).toEqual([limitedBefore + 1, unknownBefore + 1]);
      expect(over.headers['retry-after']).toBe('1');
      expect(over.body).toEqual({
        errors: [{ message: expect.stringMatching(/^请求过于频繁/), extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 } }],
      });
      // The probes are not budgeted.
      expect((await request(app).get('/healthz')).status).toBe(200);
      t.clock.advance(1 * SECOND);
      expect((await ask()).status).toBe(200);
      expect((await ask()).status).toBe(429);
    });

    it('a signed-in user has one budget whatever address they come from', async () => {
      const app = appWith({ RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '3', TRUST_PROXY: 'loopback' });
      const token = await t.token('keeper');
      const ask = (from: string) =>
        request(app)
          .post('/graphql')
          .set('content-type', 'application/json')
          .set('authorization', `Bearer ${token}`)
          .set('x-forwarded-for', from)
          .send({ query: '{ me { username } }' });
      for (let i = 1; i <= 3; i++) expect((await ask(`203.0.113.${i}`)).status).toBe(200);
      const over = await ask('203.0.113.9');
      expect(over.status).toBe(429);
      expect(over.body.errors[0].extensions.code).toBe('RATE_LIMITED');
      // Anonymous requests from a fresh address still have their own budget.
      expect(
        (await request(app).post('/graphql').set('content-type', 'application/json').set('x-forwarded-for', '203.0.113.77').send({ query: '{ __typename }' }))
          .status,
      ).toBe(200);
      t.clock.advance(5 * SECOND);
    });

    it('the exports are budgeted too, answered in their own error shape', async () => {
      const app = appWith({ RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '1' });
      await request(app).get('/exports/journal.csv');
      const over = await request(app).get('/exports/journal.csv');
      expect(over.status).toBe(429);
      expect(over.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
      t.clock.advance(5 * SECOND);
    });

    it('the defaults allow a busy client: 600 requests in a burst', async () => {
      const app = appWith({});
      const answers = [];
      for (let i = 0; i < 600; i++)
        answers.push((await request(app).get('/graphql').query({ query: '{ __typename }' }).set('accept', 'application/json')).status);
      expect(answers.every((s) => s === 200)).toBe(true);
      expect((await request(app).get('/graphql').query({ query: '{ __typename }' }).set('accept', 'application/json')).status).toBe(429);
      t.clock.advance(60 * SECOND);
    });
  });

  describe('tokens must carry an expiry', () => {
    const secret = new TextEncoder().encode(SECRET);
    const me = async (token: string) =>
      (
        await request(t.app)
          .post('/graphql')
          .set('content-type', 'application/json')
          .set('authorization', `Bearer ${token}`)
          .send({ query: '{ me { username } }' })
      ).body as GqlResult;
    const now = () => Math.floor(Date.now() / 1000);

    it('a signed token without exp is treated as unauthenticated', async () => {
      const noExp = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId('admin'))
        .setIssuer('emergency-reserves')
        .setIssuedAt()
        .sign(secret);
      expect(errorCode(await me(noExp))).toBe('UNAUTHENTICATED');
    });

    it('a token living absurdly long (10 years) is refused; one of 1 hour is accepted', async () => {
      const sign = (lifetime: number) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(userId('admin'))
          .setIssuer('emergency-reserves')
          .setIssuedAt(now())
          .setExpirationTime(now() + lifetime)
          .sign(secret);
      expect(errorCode(await me(await sign(10 * 365 * 24 * 3600)))).toBe('UNAUTHENTICATED');
      expect((await me(await sign(3600))).data.me.username).toBe('admin');
    });

    it('a token without iat (so of unknown lifetime) is refused', async () => {
      const noIat = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId('admin'))
        .setIssuer('emergency-reserves')
        .setExpirationTime(now() + 600)
        .sign(secret);
      expect(errorCode(await me(noIat))).toBe('UNAUTHENTICATED');
    });
  });

  describe('in production', () => {
    let prod: ReturnType<typeof buildApp>;
    let dev: ReturnType<typeof buildApp>;
    let token: string;

    beforeAll(async () => {
      prod = buildApp({
        database: t.database,
        config: loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }),
        clock: t.clock,
        log: createLogger('silent'),
      });
      dev = appWith({});
      token = await t.token('auditor');
    });

    const post = async (app: ReturnType<typeof buildApp>, query: string, auth?: string) => {
      const req = request(app).post('/graphql').set('content-type', 'application/json');
      if (auth) req.set('authorization', `Bearer ${auth}`);
      return (await req.send({ query })).body as GqlResult;
    };

    it('anonymous introspection is refused; a signed-in user may introspect', async () => {
      const schemaQuery = '{ __schema { types { name } } }';
      const anonymous = await post(prod, schemaQuery);
      expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
      expect(anonymous.data ?? null).toBeNull();
      expect(errorCode(await post(prod, '{ __type(name: "Region") { fields { name } } }'))).toBe('UNAUTHENTICATED');
      expect(errorCode(await post(prod, 'query { ...S } fragment S on Query { __schema { queryType { name } } }'))).toBe('UNAUTHENTICATED');

      const signedIn = await post(prod, schemaQuery, token);
      expect(signedIn.errors).toBeUndefined();
      expect(signedIn.data.__schema.types.map((x: { name: string }) => x.name)).toContain('Region');
      // __typename is not introspection of the schema
      expect((await post(prod, '{ __typename }')).data).toEqual({ __typename: 'Query' });
      // outside production anyone may introspect (GraphiQL)
      expect((await post(dev, schemaQuery)).errors).toBeUndefined();
    });

    it('no "Did you mean" in validation and coercion errors', async () => {
      const cases = ['{ regions { nam } }', '{ region(kode: "410700") { name } }', '{ stores(kind: GOVERMENT) { totalCount } }'];
      for (const query of cases) {
        const devAnswer = await post(dev, query, token);
        // The check below is not vacuous: development shows graphql-js's suggestion, said in Chinese (a refused value is
        // said in Chinese only).
        expect(JSON.stringify(devAnswer)).toMatch(query.includes('GOVERMENT') ? /不是可选的取值：GOVERMENT/ : /您是否要/);
        const prodAnswer = await post(prod, query, token);
        expect(prodAnswer.errors!.length).toBeGreaterThan(0);
        expect(prodAnswer.errors!.every((e) => e.extensions.code === 'BAD_USER_INPUT')).toBe(true);
        expect(JSON.stringify(prodAnswer)).not.toMatch(/Did you mean|name"\?|您是否要/);
      }
      const variable = await request(prod)
        .post('/graphql')
        .set('content-type', 'application/json')
        .set('authorization', `Bearer ${token}`)
        .send({ query: 'query($k: StoreKind) { stores(kind: $k) { totalCount } }', variables: { k: 'GOVERMENT' } });
      expect(errorCode(variable.body)).toBe('BAD_USER_INPUT');
      expect(variable.text).not.toMatch(/Did you mean/);
    });

    it('no GraphiQL', async () => {
      const res = await request(prod).get('/graphql').set('accept', 'text/html');
      // Sweep 21c F9: the refusal is a short JSON sentence that may name GraphiQL (「生产环境不提供 GraphiQL 页面」); what
      // must not come is the page itself.
      expect(res.status).toBe(406);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.text).not.toMatch(/<html|<script|graphiql\.(?:js|css)|createGraphiQL/i);
      const devPage = await request(dev).get('/graphql').set('accept', 'text/html');
      expect(devPage.text).toMatch(/graphiql/i);
    });
  });
});
