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
    expect(e.message).toMatch(/^配置有误：/);
    expect(e.problems.map((p) => p.variable)).toEqual([variable]);
  });

  // OPS-3: one line, in Chinese (the variable keeps its name), whatever is wrong — zod's words and the hand-written ones.
  it.each([
    ['PORT 须为数字', { PORT: 'abc' }],
    ['PORT 不能大于 65535', { PORT: '70000' }],
    ['PORT 须为整数', { PORT: '80.5' }],
    ['DATABASE_URL 须为 postgres:// 或 postgresql:// 开头的连接地址', { DATABASE_URL: 'notaurl' }],
    // Sweep 9c F1: URLs the driver cannot read stopped start-up with a stack trace printing the password.
    ...['postgres://postgres:pw@127.0.0.1:notaport/x', 'postgres://[::1/x', 'postgres://u:p%zz@127.0.0.1:5491/x'].map(
      (url) => ['DATABASE_URL 不是有效的连接地址（端口须为数字；用户名、密码中的 %、@、/ 等字符须按 URL 编码）', { DATABASE_URL: url }] as const,
    ),
    ['JWT_SECRET 至少 32 个字符', { JWT_SECRET: 'short' }],
    ['JWT_SECRET 在 NODE_ENV=production 时必须设置', { NODE_ENV: 'production' }],
    ['DEMO_PASSWORD 至少 8 个字符', { DEMO_PASSWORD: 'short' }],
    ['ADMIN_PASSWORD 须与 ADMIN_USERNAME 同时设置', { ADMIN_USERNAME: 'root.admin' }],
    ['ADMIN_USERNAME 须与 ADMIN_PASSWORD 同时设置', { ADMIN_PASSWORD: 'a-long-password!' }],
    ['ADMIN_PASSWORD 至少 12 个字符', { ADMIN_USERNAME: 'root.admin', ADMIN_PASSWORD: 'short' }],
    ['METRICS_TOKEN 至少 16 个字符', { METRICS_TOKEN: 'short' }],
    ['LOG_LEVEL 须为以下之一：debug、info、warn、error、silent', { LOG_LEVEL: 'verbose' }],
  ] as const)('OPS-3: %s', (line, env) => {
    expect(configError(env).message).toBe(`配置有误：${line}`);
  });

  it('OPS-3: no English words in any refusal (the variable names and values aside)', () => {
    const e = configError({
      PORT: 'abc',
      DATABASE_URL: 'notaurl',
      JWT_SECRET: 'short',
      ADMIN_USERNAME: 'x',
      TRUST_PROXY: 'a b',
      CORS_ORIGINS: 'http://a.example/path',
      MAP_TILE_URL: 'http://tiles/tile.png',
      ALERT_WEBHOOK_URL: 'not a url',
      SEED_DEMO: 'maybe',
    });
    expect(e.message).not.toContain('\n');
    expect(e.problems).toHaveLength(10);
    for (const { variable, problem } of e.problems) {
      expect(problem, variable).toMatch(/[\u4e00-\u9fff]/);
      expect(problem, variable).not.toMatch(/\b(must|required|least|characters|when|with|needs|each|without|origin|template|invalid|expected)\b/i);
    }
  });

  it('names every bad variable at once, on one line', () => {
    const e = configError({ PORT: 'abc', DEMO_PASSWORD: 'short' });
    expect(e.message).toContain('PORT');
    expect(e.message).toContain('DEMO_PASSWORD');
    expect(e.message).toBe('配置有误：PORT 须为数字；DEMO_PASSWORD 至少 8 个字符');
  });

  it('OPS-3: a bad value and a rule between variables are named together', () => {
    const e = configError({ NODE_ENV: 'production', PORT: '0', SEED_DEMO: 'true' });
    expect(e.problems.map((p) => p.variable)).toEqual(['PORT', 'JWT_SECRET', 'DEMO_PASSWORD']);
    expect(e.message.split('\n')).toHaveLength(1);
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
