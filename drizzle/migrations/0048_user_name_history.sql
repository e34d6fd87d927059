-- D22, D31 (sweep 24b F1): a rename rewrote who signed past documents. users.display_name holds only the account's
-- current 姓名, and every document, approval, distribution, print and export named the person of a past act by it: a
-- keeper account handed to a successor (姓名 changed to the new person's) named the successor as 经办人 of the 2025
-- issues the predecessor handled, while the audit log (audit_log.display_name, migration 0043) kept the name of the time.
-- Each rename now keeps the name it replaced and until when it was the account's name (written by updateUser in the
-- rename's transaction, users/service.ts); the name at an instant is the first kept name whose `until` is after it, else
-- the current one (server/users/names.ts userNameAt). Append-only, like the audit log. Nothing to copy: every account's
-- current name is its name since it was created, as far as anything recorded says.
CREATE TABLE "user_name_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id"),
	"display_name" varchar(64) NOT NULL,
	"until" timestamp with time zone NOT NULL,
	"changed_by" uuid REFERENCES "users"("id")
);--> statement-breakpoint
CREATE INDEX "user_name_history_user_idx" ON "user_name_history" ("user_id", "until");--> statement-breakpoint
CREATE TRIGGER user_name_history_no_update_delete BEFORE UPDATE OR DELETE ON user_name_history
  FOR EACH ROW EXECUTE FUNCTION movements_append_only();--> statement-breakpoint
CREATE TRIGGER user_name_history_no_truncate BEFORE TRUNCATE ON user_name_history
  FOR EACH STATEMENT EXECUTE FUNCTION movements_append_only();
