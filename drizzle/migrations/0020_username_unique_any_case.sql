-- One account per username whatever its case: `ADMIN` could be created beside `admin` — a second account that looks
-- like the first (admin-auth sweep #10). Login now finds a name regardless of case (server/users/service.ts). Accounts
-- that already share a name but for its case keep the oldest as it is; each later one gets its name marked「#重复n」(a
-- character createUser never allows, so no new name collides) — it signs in with that name, and an administrator finds
-- them with SELECT … WHERE username LIKE '%#重复%'.
UPDATE "users" u SET "username" = left(d."username", 56) || '#重复' || (d."n" - 1)
  FROM (SELECT "id", "username", row_number() OVER (PARTITION BY lower("username") ORDER BY "created_at", "id") AS "n" FROM "users") d
 WHERE u."id" = d."id" AND d."n" > 1;--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_lower_uq" ON "users" USING btree (lower("username"));
