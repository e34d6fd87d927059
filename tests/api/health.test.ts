import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';

describe('health endpoints', () => {
  const t = useTestApp();

  it('answers /healthz while the process is up', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz when the database answers and migrations are applied', async () => {
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
  });

  it('refuses anonymous access to anything but login (UNAUTHENTICATED)', async () => {
    const res = await t.gql('{ regions { code } }');
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const me = await t.gql('{ me { username } }', {}, 'dispatcher');
    expect(me.data.me.username).toBe('dispatcher');
  });
});
