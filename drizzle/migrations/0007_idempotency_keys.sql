CREATE TABLE "idempotency_keys" (
	"kind" varchar(32) NOT NULL,
	"actor_id" uuid NOT NULL,
	"key" varchar(128) NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"result_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_kind_actor_id_key_pk" PRIMARY KEY("kind","actor_id","key")
);
--> statement-breakpoint
-- Keys already used by documents keep answering with their first result.
INSERT INTO "idempotency_keys" ("kind", "actor_id", "key", "request_hash", "result_id", "created_at")
SELECT "idempotency_kind", "actor_id", "idempotency_key", "request_hash", "id", "recorded_at" FROM "documents"
ON CONFLICT DO NOTHING;
