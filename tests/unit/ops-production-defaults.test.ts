import { describe, expect, it } from 'vitest';
import type { Database } from '../../drizzle/client.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { startupBanner } from '../../server/http/banner.ts';
import type { DemoAccounts } from '../../server/http/start.ts';
import { demoUsers } from '../../seeds/demo.ts';
import { startupFailureMessage } from '../../server/http/startup-failure.ts';
import { boundLogFields, MAX_LOG_LINE_BYTES } from '../../server/logger.ts';

// Issue 12 "Production defaults", "Clear start-up failures" and the log line bound, as pure decisions.

const JWT_SECRET = 'p'.repeat(40);
const pglite = { kind: 'pglite' } as Database;

describe('Issue 12 production defaults', () => {
  it('NODE_ENV=production without SEED_DEMO loads no demo data; development does', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET }).seedDemo).toBe(false);
    expect(loadConfig({}).seedDemo).toBe(true);
  });

  it('SEED_DEMO=true in production needs a DEMO_PASSWORD other than the default', () => {
    for (const env of [{}, { DEMO_PASSWORD: 'Demo@2026' }]) {
      const attempt = () => loadConfig({ NODE_ENV: 'production', JWT_SECRET, SEED_DEMO: 'true', ...env });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/DEMO_PASSWORD/);
    }
    const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET, SEED_DEMO: 'true', DEMO_PASSWORD: 'Bureau-Demo-77' });
    expect(c.seedDemo).toBe(true);
  });

  it('the banner never prints the password in production', () => {
    const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET, SEED_DEMO: 'true', DEMO_PASSWORD: 'Bureau-Demo-77' });
    const everyone = demoUsers.map((u) => u.username);
    const cases: DemoAccounts[] = ['seeded', { passwordChanged: [] }, { passwordChanged: everyone }, { passwordChanged: ['jincheng'] }];
    for (const demo of cases) {
      const text = startupBanner(c, pglite, demo).join('\n');
      expect(text).toContain('Demo logins');
      expect(text).not.toContain('Bureau-Demo-77');
    }
    expect(startupBanner(c, pglite, 'none').join('\n')).not.toMatch(/Demo logins|password/);
  });

  it('a DEMO_PASSWORD that differs from the seeded one is reported as such, not printed as if it worked', () => {
    const c = loadConfig({ DEMO_PASSWORD: 'Changed-Later-1' });
    const differs = startupBanner(c, pglite, { passwordChanged: demoUsers.map((u) => u.username) }).join('\n');
    expect(differs).not.toContain('Changed-Later-1');
    expect(differs).toMatch(/not DEMO_PASSWORD, which applies only when the demo data is first loaded/);
    expect(startupBanner(c, pglite, { passwordChanged: [] }).join('\n')).toContain('password: Changed-Later-1 (from DEMO_PASSWORD)');
  });

  it('a demo user who changed their own password is named, not given the demo password as if it worked (sweep 6c L4)', () => {
    const text = startupBanner(loadConfig({}), pglite, { passwordChanged: ['jincheng'] }).join('\n');
    expect(text).toContain('password: Demo@2026 (default; set DEMO_PASSWORD to change)');
    expect(text).toContain('except jincheng: password changed since the demo data was loaded');
    expect(startupBanner(loadConfig({}), pglite, { passwordChanged: [] }).join('\n')).not.toContain('except');
    expect(startupBanner(loadConfig({}), pglite, 'seeded').join('\n')).toContain('password: Demo@2026 (default; set DEMO_PASSWORD to change)');
  });
});

describe('Issue 12 start-up failure messages name the setting and hide credentials', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://ops:Very-Secret-Pw@db.internal:6543/reserves' });
  const wrapped = (cause: object) => Object.assign(new Error('Failed query: select 1\nparams: '), { cause });

  it('refused authentication (28P01) names DATABASE_URL, the server, not the password', () => {
    const line = startupFailureMessage(wrapped({ code: '28P01', message: 'password authentication failed for user "ops"' }), config)!;
    expect(line).toMatch(/^start-up failed: DATABASE_URL: the PostgreSQL server at db\.internal:6543\/reserves refused the login/);
    expect(line).not.toContain('Very-Secret-Pw');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('an unknown database (3D000) and an unreachable server name DATABASE_URL', () => {
    expect(startupFailureMessage(wrapped({ code: '3D000', message: 'database "reserves" does not exist' }), config)).toMatch(
      /DATABASE_URL: database "reserves" does not exist/,
    );
    expect(startupFailureMessage(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), config)).toMatch(
      /DATABASE_URL: cannot reach .*db\.internal:6543/,
    );
  });

  it('anything else is not dressed up as a configuration problem (the stack is shown)', () => {
    expect(startupFailureMessage(new Error('a bug'), config)).toBeNull();
  });
});

describe('Issue 12 log lines are bounded', () => {
  it('huge strings, deep objects, long lists and many keys stay under the bound', () => {
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 50; i++) at = at.next = { text: '深'.repeat(10_000) };
    const fields = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`.repeat(50), '字'.repeat(5_000)]));
    for (const f of [{ error: 'x'.repeat(1_000_000) }, deep, { list: Array.from({ length: 10_000 }, () => '项'.repeat(1000)) }, fields]) {
      const line = JSON.stringify(boundLogFields(f));
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES - 512);
    }
    expect(boundLogFields({ status: 200, path: '/graphql' })).toEqual({ status: 200, path: '/graphql' });
  });
});
