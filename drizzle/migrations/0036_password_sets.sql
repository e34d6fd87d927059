-- D24 (sweep 16a F3, F1): every password set, kept. users.password_set_by names only the last setter, so an account's
-- own 修改密码 erased who had set it before: a regional administrator reset `director`'s password, signed in as it,
-- changed it, and approved its own request as director; and the SHARED_CREDENTIALS alert of an approval already made
-- vanished when either of its two people changed their own password. A password set is now a permanent tie, as
-- creating the account is (authority/queue.ts accountsTied follows every setter ever recorded), and the alert judges
-- each approval by the passwords of its moment (paperwork/alerts.ts). Written by createUser, updateUser (a reset) and
-- changePassword (users/service.ts); append-only, like the ledger and the audit log. A password no user set (the demo
-- seed's, create-admin's) has no row. id orders sets made at one instant.
CREATE TABLE "password_sets" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id"),
	"set_by" uuid NOT NULL REFERENCES "users"("id"),
	"set_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX "password_sets_user_idx" ON "password_sets" ("user_id", "set_at");--> statement-breakpoint
CREATE TRIGGER password_sets_no_update_delete BEFORE UPDATE OR DELETE ON password_sets
  FOR EACH ROW EXECUTE FUNCTION movements_append_only();--> statement-breakpoint
CREATE TRIGGER password_sets_no_truncate BEFORE TRUNCATE ON password_sets
  FOR EACH STATEMENT EXECUTE FUNCTION movements_append_only();--> statement-breakpoint
-- What the users table still knows, as of the account's creation (when the sets happened is not recorded): the
-- creator's first password, then the current setter's, in that order (ids), so that the current one is the last. An
-- account whose password an administrator reset before this migration stays tied to that administrator after its
-- owner changes it; an approval decided before it is judged by the current setters, as the alert judged it until now.
INSERT INTO "password_sets" ("user_id", "set_by", "set_at")
SELECT u.id, s.set_by, u.created_at
  FROM "users" u CROSS JOIN LATERAL (VALUES (1, u.created_by), (2, u.password_set_by)) AS s(n, set_by)
 WHERE s.set_by IS NOT NULL AND (s.n = 1 OR u.created_by IS DISTINCT FROM u.password_set_by)
 ORDER BY u.created_at, u.id, s.n;
