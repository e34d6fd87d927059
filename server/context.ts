import type { AppConfig } from './config.ts';
import type { Database, Db } from '../drizzle/client.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { Principal } from './auth/principal.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/** Everything a resolver may use; built anew for each request (loaders are per request). */
export interface Context {
  db: Db;
  database: Database;
  config: AppConfig;
  clock: Clock;
  log: Logger;
  user: Principal | null;
  loaders: Loaders;
}

export interface AppServices {
  database: Database;
  config: AppConfig;
  clock: Clock;
  log: Logger;
}

export function createContext(services: AppServices, user: Principal | null): Context {
  const { database } = services;
  return { ...services, db: database.db, user, loaders: createLoaders(database.db) };
}
