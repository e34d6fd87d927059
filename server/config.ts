import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import './zod-messages.ts';
import { notTrivialPassword } from './auth/password-rules.ts';

// Read and validated once at start; a bad value stops start-up with one line, in Chinese, naming the variable (main.ts:
// exit code 1, like the other start-up failures an operator fixes). zod's own words come from zod-messages.ts.
const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * A DATABASE_URL the driver can read: postgres.js parses it with URL and decodes the user and password. One it cannot
 * stopped start-up with a stack trace that printed the whole URL, password included (sweep 9c F1); it is refused here
 * as every bad setting is, in one line that does not repeat it.
 */
function readsAsConnection(url: string): boolean {
  try {
    const hosts = url.slice(url.indexOf('://') + 3).split(/[?/]/)[0];
    const first = decodeURIComponent(hosts.slice(hosts.indexOf('@') + 1)).split(',')[0];
    const parsed = new URL(url.replace(hosts.slice(hosts.indexOf('@') + 1), first));
    decodeURIComponent(parsed.username);
    decodeURIComponent(parsed.password);
    return true;
  } catch {
    return false;
  }
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(POSTGRES_URL, '须为 postgres:// 或 postgresql:// 开头的连接地址')
    .refine((url) => !POSTGRES_URL.test(url) || readsAsConnection(url), '不是有效的连接地址（端口须为数字；用户名、密码中的 %、@、/ 等字符须按 URL 编码）')
    .optional(),
  PGLITE_DIR: z.string().min(1).default('./data/pglite'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  API_PROCESSES: z.coerce.number().int().min(1).max(256).optional(),
  JWT_SECRET: z.string().min(32).optional(),
  TOKEN_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  // Default: true, except with NODE_ENV=production (no demo accounts unless asked for).
  SEED_DEMO: booleanFlag.optional(),
  DEMO_PASSWORD: z.string().min(8).optional(),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,64}$/, '须为 3–64 个字母、数字或 _ . -')
    .optional(),
  // Sweep 16a F2: not only spaces, nor one character repeated (auth/password-rules.ts), as for every password set.
  ADMIN_PASSWORD: z.string().min(12).superRefine(notTrivialPassword('')).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  METRICS_TOKEN: z.string().min(16).optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  // D19: 珲春's plan — every township holds 6 categories and 300 kinds (6 大类 300 种).
  COVERAGE_TARGET_CATEGORIES: z.coerce.number().int().min(1).default(6),
  COVERAGE_TARGET_KINDS: z.coerce.number().int().min(1).default(300),
  // DESIGN: travel = great-circle × detour factor at an average speed; ETA adds handling and lead times.
  PLANNER_DETOUR_FACTOR: z.coerce.number().min(1).max(5).default(1.3),
  PLANNER_SPEED_KMH: z.coerce.number().positive().max(200).default(60),
  PLANNER_HANDLING_HOURS: z.coerce.number().min(0).max(48).default(0.5),
  PLANNER_NEAREST_K: z.coerce.number().int().min(1).max(1000).default(12),
  PLANNER_CAPACITY_HORIZON_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  // API.md The edge: limits checked before execution (server/http/limits.ts).
  QUERY_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(12),
  QUERY_MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(30),
  QUERY_MAX_DIRECTIVES_PER_FIELD: z.coerce.number().int().min(0).max(10).default(1),
  QUERY_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(50),
  QUERY_MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(5000),
  QUERY_MAX_COST: z.coerce.number().int().min(100).default(20_000),
  REQUEST_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  // API.md The edge: growing back-off after failed logins, per username and per client address.
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().min(1).default(30),
  LOGIN_LOCK_MAX_SECONDS: z.coerce.number().int().min(1).default(3600),
  // API.md The edge: a request budget per client address and per signed-in user (token bucket).
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(600),
  TRUST_PROXY: z
    .string()
    .trim()
    .refine((v) => /^(true|false|\d+|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/.test(v), '须为 true、false、代理层数，或以逗号分隔的代理地址/网段')
    .default('false'),
  CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s*]+$/, '每个来源须为 http(s)://主机[:端口]，不带路径或通配符')))
    .default([]),
  // The console's map: a tile service (e.g. an intranet 天地图) with {z}/{x}/{y}; without it a plain background.
  MAP_TILE_URL: z
    .string()
    .regex(/^https?:\/\/\S*\{z\}\S*\{x\}\S*\{y\}\S*$/, '须为含 {z}、{x}、{y} 的 http(s) 地址模板')
    .optional(),
  // Issue 13: alerts (server/paperwork/alerts.ts) and their optional 企业微信/钉钉 group-robot webhook.
  ALERT_WEBHOOK_URL: z.string().url('须为 http(s) 地址').optional(),
  ALERT_EXPIRY_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  ALERT_APPROVAL_WARN_HOURS: z.coerce.number().min(0).max(48).default(12),
  ALERT_APPROVAL_WAIT_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    .default(24),
  ALERT_SCAN_SECONDS: z.coerce.number().int().min(10).default(300),
});

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  pgliteDir: string;
  dbPoolMax: number;
  /** API worker processes (node:cluster): one per core by default on PostgreSQL; PGlite is single-process. */
  apiProcesses: number;
  jwtSecret: Uint8Array;
  jwtSecretIsEphemeral: boolean;
  tokenTtlHours: number;
  seedDemo: boolean;
  demoPassword: string;
  /** True when DEMO_PASSWORD is not set: the demo users get the documented default password. */
  demoPasswordIsDefault: boolean;
  admin: { username: string; password: string } | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  shutdownTimeoutMs: number;
  coverageTarget: { categories: number; kinds: number };
  planner: { detourFactor: number; speedKmh: number; handlingHours: number; nearestK: number; capacityHorizonDays: number };
  queryLimits: QueryLimits;
  requestMaxBytes: number;
  loginBackoff: LoginBackoffPolicy;
  requestBudget: { perMinute: number; burst: number };
  /** Express's `trust proxy`: whose X-Forwarded-For names the client (false: the socket's address). */
  trustProxy: boolean | number | string[];
  /** Origins allowed to call the API from a browser (CORS); empty: same origin only. */
  corsOrigins: string[];
  /** Map tiles for the console (MAP_TILE_URL); none: the map is drawn offline on a plain background. */
  mapTileUrl: string | undefined;
  alerts: { webhookUrl: string | undefined; expiryDays: number; approvalWarnHours: number; approvalWaitHours: number; scanSeconds: number };
}

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectivesPerField: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
}

export interface LoginBackoffPolicy {
  maxFailuresPerUsername: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
  lockSeconds: number;
  maxLockSeconds: number;
}

function trustProxySetting(v: string): boolean | number | string[] {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((a) => a.trim());
}

/** A variable and what is wrong with it, in Chinese: `PORT 须为数字`. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

/** Every wrong variable at once, as one line (main.ts prints it and exits with code 1). */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`配置有误：${[...new Set(problems.map((p) => `${p.variable} ${p.problem}`))].join('；')}`);
    this.name = 'ConfigError';
  }
}

/** The demo users' password when DEMO_PASSWORD is not set (README); refused for demo accounts in production. */
export const DEFAULT_DEMO_PASSWORD = 'Demo@2026';

/** Rules between variables, read from the raw values so that they are named together with any bad value. */
function combinationProblems(env: Record<string, string | undefined>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (env.ADMIN_USERNAME !== undefined && env.ADMIN_PASSWORD === undefined) {
    problems.push({ variable: 'ADMIN_PASSWORD', problem: '须与 ADMIN_USERNAME 同时设置' });
  }
  if (env.ADMIN_PASSWORD !== undefined && env.ADMIN_USERNAME === undefined) {
    problems.push({ variable: 'ADMIN_USERNAME', problem: '须与 ADMIN_PASSWORD 同时设置' });
  }
  const production = env.NODE_ENV === 'production';
  if (production && env.JWT_SECRET === undefined) problems.push({ variable: 'JWT_SECRET', problem: '在 NODE_ENV=production 时必须设置' });
  // Production: demo accounts only when asked for, and never with the password printed in the README.
  const seedDemo = ['true', '1', 'yes'].includes(env.SEED_DEMO ?? '');
  if (production && seedDemo && (env.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD) === DEFAULT_DEMO_PASSWORD) {
    problems.push({ variable: 'DEMO_PASSWORD', problem: '在 NODE_ENV=production 且 SEED_DEMO=true 时须设置，且不能是默认密码' });
  }
  return problems;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '环境变量'), problem: i.message }))),
    ...combinationProblems(present),
  ];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  const seedDemo = c.SEED_DEMO ?? !production;
  return {
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    pgliteDir: c.PGLITE_DIR,
    dbPoolMax: c.DB_POOL_MAX,
    apiProcesses: c.DATABASE_URL ? (c.API_PROCESSES ?? availableParallelism()) : 1,
    // Without JWT_SECRET tokens are signed with a per-process key: they stop working on restart.
    jwtSecret: c.JWT_SECRET ? new TextEncoder().encode(c.JWT_SECRET) : randomBytes(32),
    jwtSecretIsEphemeral: !c.JWT_SECRET,
    tokenTtlHours: c.TOKEN_TTL_HOURS,
    seedDemo,
    demoPassword: c.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD,
    demoPasswordIsDefault: c.DEMO_PASSWORD === undefined,
    admin: c.ADMIN_USERNAME && c.ADMIN_PASSWORD ? { username: c.ADMIN_USERNAME, password: c.ADMIN_PASSWORD } : undefined,
    logLevel: c.LOG_LEVEL,
    metricsToken: c.METRICS_TOKEN,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    coverageTarget: { categories: c.COVERAGE_TARGET_CATEGORIES, kinds: c.COVERAGE_TARGET_KINDS },
    planner: {
      detourFactor: c.PLANNER_DETOUR_FACTOR,
      speedKmh: c.PLANNER_SPEED_KMH,
      handlingHours: c.PLANNER_HANDLING_HOURS,
      nearestK: c.PLANNER_NEAREST_K,
      capacityHorizonDays: c.PLANNER_CAPACITY_HORIZON_DAYS,
    },
    queryLimits: {
      maxDepth: c.QUERY_MAX_DEPTH,
      maxAliases: c.QUERY_MAX_ALIASES,
      maxDirectivesPerField: c.QUERY_MAX_DIRECTIVES_PER_FIELD,
      maxDirectives: c.QUERY_MAX_DIRECTIVES,
      maxTokens: c.QUERY_MAX_TOKENS,
      maxCost: c.QUERY_MAX_COST,
    },
    requestMaxBytes: c.REQUEST_MAX_BYTES,
    loginBackoff: {
      maxFailuresPerUsername: c.LOGIN_MAX_FAILURES,
      maxFailuresPerAddress: c.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: c.LOGIN_FAILURE_WINDOW_SECONDS,
      lockSeconds: c.LOGIN_LOCK_SECONDS,
      maxLockSeconds: Math.max(c.LOGIN_LOCK_MAX_SECONDS, c.LOGIN_LOCK_SECONDS),
    },
    requestBudget: { perMinute: c.RATE_LIMIT_PER_MINUTE, burst: c.RATE_LIMIT_BURST },
    trustProxy: trustProxySetting(c.TRUST_PROXY),
    corsOrigins: c.CORS_ORIGINS.map((o) => new URL(o).origin),
    mapTileUrl: c.MAP_TILE_URL,
    alerts: {
      webhookUrl: c.ALERT_WEBHOOK_URL,
      expiryDays: c.ALERT_EXPIRY_DAYS,
      approvalWarnHours: c.ALERT_APPROVAL_WARN_HOURS,
      approvalWaitHours: c.ALERT_APPROVAL_WAIT_HOURS,
      scanSeconds: c.ALERT_SCAN_SECONDS,
    },
  };
}
