import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, loadConfig succeeded');
}

describe('loadConfig: defaults (npm start with nothing set runs on PGlite)', () => {
  it('uses PORT 4000, PGLITE_DIR ./data/pglite, no DATABASE_URL, and an ephemeral JWT key', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.pgliteDir).toBe('./data/pglite');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.env).toBe('development');
    expect(c.host).toBe('0.0.0.0');
    expect(c.seedDemo).toBe(true);
    expect(c.demoPassword).toBe('Demo@2026');
    expect(c.tokenTtlHours).toBe(12);
    expect(c.admin).toBeUndefined();
    expect(c.jwtSecretIsEphemeral).toBe(true);
    expect(c.jwtSecret).toHaveLength(32);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(4000);
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('two ephemeral keys differ (a per-process key)', () => {
    expect(Buffer.from(loadConfig({}).jwtSecret).equals(Buffer.from(loadConfig({}).jwtSecret))).toBe(false);
  });

  it('reads explicit values', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db:5432/reserves',
      PGLITE_DIR: '/tmp/x',
      JWT_SECRET: 'x'.repeat(32),
      SEED_DEMO: 'false',
      DEMO_PASSWORD: 'Another-Pass-1',
      ADMIN_USERNAME: 'root.admin',
      ADMIN_PASSWORD: 'a-long-password!',
      TOKEN_TTL_HOURS: '2',
    });
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBe('postgresql://u:p@db:5432/reserves');
    expect(c.pgliteDir).toBe('/tmp/x');
    expect(c.jwtSecretIsEphemeral).toBe(false);
    expect(new TextDecoder().decode(c.jwtSecret)).toBe('x'.repeat(32));
    expect(c.seedDemo).toBe(false);
    expect(c.demoPassword).toBe('Another-Pass-1');
    expect(c.admin).toEqual({ username: 'root.admin', password: 'a-long-password!' });
    expect(c.tokenTtlHours).toBe(2);
  });
});

describe('loadConfig: a bad value stops start-up with a ConfigError naming the variable', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '0' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '80.5' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/db' }],
    ['DATABASE_URL', { DATABASE_URL: 'localhost:5432' }],
    ['DEMO_PASSWORD', { DEMO_PASSWORD: 'short' }],
    ['JWT_SECRET', { JWT_SECRET: 'too-short' }],
    ['SEED_DEMO', { SEED_DEMO: 'maybe' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
  ] as const)('%s: %j', (variable, env) => {
    const e = configError(env);
    expect(e.message).toContain(variable);
    expect(e.message).toMatch(/^Invalid configuration/);
  });

  it('names every bad variable at once', () => {
    const e = configError({ PORT: 'abc', DEMO_PASSWORD: 'short' });
    expect(e.message).toContain('PORT');
    expect(e.message).toContain('DEMO_PASSWORD');
  });

  it('ADMIN_USERNAME without ADMIN_PASSWORD fails (and the reverse)', () => {
    expect(configError({ ADMIN_USERNAME: 'root.admin' }).message).toContain('ADMIN_PASSWORD');
    expect(configError({ ADMIN_PASSWORD: 'a-long-password!' }).message).toContain('ADMIN_USERNAME');
  });

  it('NODE_ENV=production requires JWT_SECRET', () => {
    expect(configError({ NODE_ENV: 'production' }).message).toContain('JWT_SECRET');
    const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40) });
    expect(c.env).toBe('production');
    expect(c.jwtSecretIsEphemeral).toBe(false);
  });
});

describe('loadConfig: MAP_TILE_URL (the console map works offline without it)', () => {
  it('is unset by default and read as a {z}/{x}/{y} template when set', () => {
    expect(loadConfig({}).mapTileUrl).toBeUndefined();
    expect(loadConfig({ MAP_TILE_URL: 'http://tiles.intranet/tdt/{z}/{x}/{y}.png' }).mapTileUrl).toBe('http://tiles.intranet/tdt/{z}/{x}/{y}.png');
  });

  it('refuses a URL that is not an http(s) tile template, naming the variable', () => {
    expect(configError({ MAP_TILE_URL: 'http://tiles.intranet/tile.png' }).message).toContain('MAP_TILE_URL');
    expect(configError({ MAP_TILE_URL: 'javascript:alert(1)//{z}/{x}/{y}' }).message).toContain('MAP_TILE_URL');
  });
});
