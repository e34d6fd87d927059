CREATE TYPE "public"."document_status" AS ENUM('POSTED', 'REVERSED');--> statement-breakpoint
CREATE TYPE "public"."document_type" AS ENUM('RECEIPT', 'ISSUE', 'TRANSFER_OUT', 'TRANSFER_IN', 'TRANSFER_CANCEL', 'STOCKTAKE', 'SCRAP', 'REVERSAL', 'ROTATION', 'RECOVERY');--> statement-breakpoint
CREATE TYPE "public"."funding_source" AS ENUM('CENTRAL', 'PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'DONATION', 'ENTERPRISE');--> statement-breakpoint
CREATE TYPE "public"."reason_direction" AS ENUM('INCREASE', 'DECREASE');--> statement-breakpoint
CREATE TYPE "public"."receipt_source" AS ENUM('PURCHASE', 'DONATION', 'RECOVERY', 'EMERGENCY_PURCHASE', 'REQUISITION', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."reserve_mode" AS ENUM('PHYSICAL', 'ENTRUSTED', 'AGREEMENT', 'CAPACITY');--> statement-breakpoint
CREATE TYPE "public"."stock_bucket" AS ENUM('ON_HAND', 'IN_TRANSIT');--> statement-breakpoint
CREATE TYPE "public"."transfer_status" AS ENUM('IN_TRANSIT', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "public"."incident_type" AS ENUM('FLOOD', 'EARTHQUAKE', 'FOREST_FIRE', 'MINE_ACCIDENT', 'FIRE', 'OTHER');--> statement-breakpoint
CREATE TABLE "balances" (
	"store_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"on_hand" integer DEFAULT 0 NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"in_transit" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "balances_store_id_batch_id_pk" PRIMARY KEY("store_id","batch_id"),
	CONSTRAINT "balances_nonneg" CHECK ("balances"."on_hand" >= 0 AND "balances"."reserved" >= 0 AND "balances"."reserved" <= "balances"."on_hand" AND "balances"."in_transit" >= 0)
);
--> statement-breakpoint
CREATE TABLE "batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"batch_no" varchar(64) NOT NULL,
	"production_date" date,
	"expiry_date" date,
	"unit_price" numeric(14, 2) NOT NULL,
	"funding_source" "funding_source" NOT NULL,
	"reserve_mode" "reserve_mode" NOT NULL,
	"owner_org_id" uuid,
	"supplier_org_id" uuid,
	"origin" varchar(64),
	"received_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "batches_unit_price_nonneg" CHECK ("batches"."unit_price" >= 0),
	CONSTRAINT "batches_expiry_after_production" CHECK ("batches"."expiry_date" IS NULL OR "batches"."production_date" IS NULL OR "batches"."expiry_date" >= "batches"."production_date")
);
--> statement-breakpoint
CREATE TABLE "document_lines" (
	"document_id" uuid NOT NULL,
	"line_no" smallint NOT NULL,
	"item_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price" numeric(14, 2) NOT NULL,
	"reason_code" varchar(32),
	"book_quantity" integer,
	"counted_quantity" integer,
	"note" varchar(500),
	CONSTRAINT "document_lines_document_id_line_no_pk" PRIMARY KEY("document_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"number" varchar(20) NOT NULL,
	"type" "document_type" NOT NULL,
	"status" "document_status" DEFAULT 'POSTED' NOT NULL,
	"store_id" uuid NOT NULL,
	"counterpart_store_id" uuid,
	"transfer_id" uuid,
	"source" "receipt_source",
	"source_org_id" uuid,
	"contract_no" varchar(64),
	"inspection_report_no" varchar(64),
	"reference" varchar(128),
	"recipient" varchar(128),
	"reason_code" varchar(32),
	"approval_ref" varchar(128),
	"note" varchar(500),
	"incident_id" uuid,
	"reverses_document_id" uuid,
	"actor_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"idempotency_kind" varchar(32) NOT NULL,
	"idempotency_key" varchar(128) NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"details" jsonb,
	CONSTRAINT "documents_number_unique" UNIQUE("number")
);
--> statement-breakpoint
CREATE TABLE "movements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"document_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"bucket" "stock_bucket" NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price" numeric(14, 2) NOT NULL,
	"type" "document_type" NOT NULL,
	"reason_code" varchar(32),
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"actor_id" uuid NOT NULL,
	CONSTRAINT "movements_quantity_nonzero" CHECK ("movements"."quantity" <> 0)
);
--> statement-breakpoint
CREATE TABLE "stock_reasons" (
	"code" varchar(32) PRIMARY KEY NOT NULL,
	"name" varchar(32) NOT NULL,
	"direction" "reason_direction" NOT NULL,
	"usages" varchar(32)[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transfer_lines" (
	"transfer_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"shipped" integer NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"lost" integer DEFAULT 0 NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL,
	"discrepancy_reason" varchar(32),
	CONSTRAINT "transfer_lines_transfer_id_batch_id_pk" PRIMARY KEY("transfer_id","batch_id"),
	CONSTRAINT "transfer_lines_quantities" CHECK ("transfer_lines"."shipped" > 0 AND "transfer_lines"."received" >= 0 AND "transfer_lines"."lost" >= 0 AND "transfer_lines"."cancelled" >= 0 AND "transfer_lines"."received" + "transfer_lines"."lost" + "transfer_lines"."cancelled" <= "transfer_lines"."shipped")
);
--> statement-breakpoint
CREATE TABLE "transfers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"number" varchar(20) NOT NULL,
	"status" "transfer_status" NOT NULL,
	"from_store_id" uuid NOT NULL,
	"to_store_id" uuid NOT NULL,
	"dispatch_plan_id" uuid,
	"shipped_by" uuid NOT NULL,
	"shipped_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "transfers_number_unique" UNIQUE("number"),
	CONSTRAINT "transfers_two_stores" CHECK ("transfers"."from_store_id" <> "transfers"."to_store_id")
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(128) NOT NULL,
	"type" "incident_type" NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"region_code" varchar(12) NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"affected_population" integer,
	"response_level" integer,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "incidents_response_level" CHECK ("incidents"."response_level" IS NULL OR "incidents"."response_level" BETWEEN 1 AND 4),
	CONSTRAINT "incidents_population_nonneg" CHECK ("incidents"."affected_population" IS NULL OR "incidents"."affected_population" >= 0)
);
--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batches" ADD CONSTRAINT "batches_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batches" ADD CONSTRAINT "batches_owner_org_id_organizations_id_fk" FOREIGN KEY ("owner_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batches" ADD CONSTRAINT "batches_supplier_org_id_organizations_id_fk" FOREIGN KEY ("supplier_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_lines" ADD CONSTRAINT "document_lines_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_lines" ADD CONSTRAINT "document_lines_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_lines" ADD CONSTRAINT "document_lines_reason_code_stock_reasons_code_fk" FOREIGN KEY ("reason_code") REFERENCES "public"."stock_reasons"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_source_org_id_organizations_id_fk" FOREIGN KEY ("source_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_reason_code_stock_reasons_code_fk" FOREIGN KEY ("reason_code") REFERENCES "public"."stock_reasons"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_lines" ADD CONSTRAINT "transfer_lines_transfer_id_transfers_id_fk" FOREIGN KEY ("transfer_id") REFERENCES "public"."transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_lines" ADD CONSTRAINT "transfer_lines_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_lines" ADD CONSTRAINT "transfer_lines_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_lines" ADD CONSTRAINT "transfer_lines_discrepancy_reason_stock_reasons_code_fk" FOREIGN KEY ("discrepancy_reason") REFERENCES "public"."stock_reasons"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_from_store_id_stores_id_fk" FOREIGN KEY ("from_store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_to_store_id_stores_id_fk" FOREIGN KEY ("to_store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_shipped_by_users_id_fk" FOREIGN KEY ("shipped_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "balances_store_item_idx" ON "balances" USING btree ("store_id","item_id");--> statement-breakpoint
CREATE INDEX "balances_item_idx" ON "balances" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "batches_item_batch_no_uq" ON "batches" USING btree ("item_id","batch_no");--> statement-breakpoint
CREATE INDEX "document_lines_batch_idx" ON "document_lines" USING btree ("batch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_idempotency_uq" ON "documents" USING btree ("idempotency_kind","actor_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_reverses_uq" ON "documents" USING btree ("reverses_document_id");--> statement-breakpoint
CREATE INDEX "documents_store_idx" ON "documents" USING btree ("store_id","occurred_at");--> statement-breakpoint
CREATE INDEX "documents_transfer_idx" ON "documents" USING btree ("transfer_id");--> statement-breakpoint
CREATE INDEX "movements_store_batch_idx" ON "movements" USING btree ("store_id","batch_id");--> statement-breakpoint
CREATE INDEX "movements_batch_idx" ON "movements" USING btree ("batch_id","id");--> statement-breakpoint
CREATE INDEX "movements_document_idx" ON "movements" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "movements_occurred_idx" ON "movements" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "transfers_to_idx" ON "transfers" USING btree ("to_store_id");--> statement-breakpoint
CREATE INDEX "transfers_from_idx" ON "transfers" USING btree ("from_store_id");--> statement-breakpoint
CREATE INDEX "incidents_region_idx" ON "incidents" USING btree ("region_code");