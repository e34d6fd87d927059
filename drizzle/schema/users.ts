import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { regions } from './regions.ts';
import { stores } from './stores.ts';

export const role = pgEnum('role', ['ADMIN', 'DISPATCHER', 'KEEPER', 'AUDITOR']);

// A user's role and scope are data: a region subtree, or (keepers) a list of stores.
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: varchar('username', { length: 64 }).notNull().unique(),
    displayName: varchar('display_name', { length: 64 }).notNull(),
    passwordHash: varchar('password_hash', { length: 256 }).notNull(),
    role: role('role').notNull(),
    regionCode: varchar('region_code', { length: 12 }).references(() => regions.code),
    active: boolean('active').notNull().default(true),
    /**
     * Bumped when the password is set or reset and when the user is reactivated: a token carries the version it was
     * issued under (tokens.ts), and one issued under an older version is refused (the sessions before the change end).
     */
    credentialsVersion: integer('credentials_version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * D24: who created the account (null: the demo seed, create-admin). Who set its passwords is kept in passwordSets,
     * where what ties two users (authority/queue.ts accountsTied) is read.
     */
    createdBy: uuid('created_by').references((): AnyPgColumn => users.id),
  },
  // One account per name whatever its case: `ADMIN` beside `admin` would be a second account that looks like the first
  // (migration 0020). Login finds the name regardless of case (users/service.ts).
  (t) => [uniqueIndex('users_username_lower_uq').on(sql`lower(${t.username})`)],
);

/**
 * D24 (sweep 16a F3, F1; migration 0036): every password set — by whom and when — never updated or deleted (the
 * database refuses it). A user who ever set another's password is tied to that account for good, as its creator is
 * (authority/queue.ts accountsTied), and the SHARED_CREDENTIALS alert reads who had set each password at an approval's
 * moment (paperwork/alerts.ts). Written by users/service.ts (recordPasswordSet). id orders sets of one instant.
 */
export const passwordSets = pgTable(
  'password_sets',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    setBy: uuid('set_by')
      .notNull()
      .references(() => users.id),
    setAt: timestamp('set_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('password_sets_user_idx').on(t.userId, t.setAt)],
);

/**
 * D22, D31 (sweep 24b F1; migration 0048): the names an account had before a rename — each with the instant until which
 * it was the account's 姓名 —, never updated or deleted. Who handled a past document, approval or distribution is
 * named as the account was named then (server/users/names.ts userNameAt), as the audit log names its actors. Written
 * by users/service.ts updateUser in the rename's transaction; id orders renames of one instant.
 */
export const userNameHistory = pgTable(
  'user_name_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    displayName: varchar('display_name', { length: 64 }).notNull(),
    until: timestamp('until', { withTimezone: true }).notNull(),
    changedBy: uuid('changed_by').references(() => users.id),
  },
  (t) => [index('user_name_history_user_idx').on(t.userId, t.until)],
);

export const userStores = pgTable(
  'user_stores',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    storeId: uuid('store_id')
      .notNull()
      .references(() => stores.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.storeId] })],
);

// API.md The edge: failed logins per username and per client address, shared by every API process (migration 0030;
// server/http/login-attempts.ts reads and writes them). Epoch milliseconds of the server's clock.
export const loginFailures = pgTable('login_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailureMs: bigint('last_failure_ms', { mode: 'number' }).notNull().default(0),
  lockedUntilMs: bigint('locked_until_ms', { mode: 'number' }).notNull().default(0),
  inFlight: integer('in_flight').notNull().default(0),
  inFlightMs: bigint('in_flight_ms', { mode: 'number' }).notNull().default(0),
});
