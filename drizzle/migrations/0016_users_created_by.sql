-- D24: who created an account, and who last set its password. A user whose account the requester of an approval
-- created, or whose password the requester last set, is the requester's own second person and may not decide it
-- (server/authority/queue.ts assertMayDecide). Null for the demo seed, create-admin and accounts before this column.
ALTER TABLE "users" ADD COLUMN "created_by" uuid REFERENCES "users"("id");--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "password_set_by" uuid REFERENCES "users"("id");
