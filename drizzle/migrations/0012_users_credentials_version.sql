-- A password set or reset, or a reactivation, ends the sessions before it: tokens carry the version they were issued
-- under and one older than the user's is refused (server/users/service.ts authenticate).
ALTER TABLE "users" ADD COLUMN "credentials_version" integer DEFAULT 0 NOT NULL;
