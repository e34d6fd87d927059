CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"user_id" uuid,
	"username" varchar(64),
	"role" varchar(16),
	"region_code" varchar(12),
	"operation" varchar(64) NOT NULL,
	"input" jsonb,
	"outcome" varchar(32) NOT NULL,
	"message" varchar(500)
);
--> statement-breakpoint
CREATE TABLE "balance_snapshots" (
	"month" date NOT NULL,
	"store_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"on_hand" integer NOT NULL,
	"in_transit" integer NOT NULL,
	CONSTRAINT "balance_snapshots_month_store_id_batch_id_pk" PRIMARY KEY("month","store_id","batch_id")
);
--> statement-breakpoint
CREATE TABLE "period_closes" (
	"month" date PRIMARY KEY NOT NULL,
	"cutoff" timestamp with time zone NOT NULL,
	"closed_by" uuid NOT NULL,
	"closed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "balance_snapshots" ADD CONSTRAINT "balance_snapshots_month_period_closes_month_fk" FOREIGN KEY ("month") REFERENCES "public"."period_closes"("month") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "period_closes" ADD CONSTRAINT "period_closes_closed_by_users_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_region_idx" ON "audit_log" USING btree ("region_code");