import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';

// API.md Errors: bad input is BAD_USER_INPUT (HTTP 400 at the edge) with a Chinese message naming the argument — also
// when a required variable is missing or of the wrong type, which graphql refuses before any resolver runs.
const t = useTestApp();
const post = (body: Record<string, unknown>) => request(t.app).post('/graphql').set('content-type', 'application/json').send(body);

describe('variables refused before execution (API.md Errors)', () => {
  it.each([
    ['missing', { query: 'query($x: Int!) { stores(first: $x) { totalCount } }' }],
    ['of the wrong type', { query: 'query($x: Int!) { stores(first: $x) { totalCount } }', variables: { x: 'a' } }],
    ['missing on a mutation', { query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: {} }],
  ])('a required variable %s: 400 BAD_USER_INPUT in Chinese, never 500', async (_name, body) => {
    const res = await post(body);
    expect(res.body.errors?.[0]?.extensions?.code, JSON.stringify(res.body)).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(/[\u4e00-\u9fff]/);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors[0].extensions).not.toHaveProperty('http');
  });
});
