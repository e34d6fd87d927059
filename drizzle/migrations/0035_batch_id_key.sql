-- Sweep 14a F1 (DESIGN Auth: an id out of scope is FORBIDDEN, an unknown one NOT_FOUND): batch ids were an unkeyed hash
-- of the item id (public) and the batch number, so anyone could compute a guessed number's id and tell from that answer
-- whether another region holds it. They are now keyed with this database's own secret (server/ids.ts batchIdWith,
-- read by server/inventory/batch-ids.ts), which no answer, log or export carries. One row. A database that already
-- has batches keeps the key '' — ids as before, so every batch keeps its id and a receipt of a number already
-- registered finds it; a new database (none yet) draws a random key (two random UUIDs: 244 random bits).
CREATE TABLE "installation_keys" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL CHECK ("singleton"),
	"batch_id_key" text NOT NULL
);--> statement-breakpoint
INSERT INTO "installation_keys" ("batch_id_key")
SELECT CASE WHEN EXISTS (SELECT 1 FROM "batches") THEN ''
            ELSE replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') END;
