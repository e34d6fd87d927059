CREATE TYPE "public"."call_off_status" AS ENUM('ISSUED', 'DELIVERED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "public"."dispatch_plan_status" AS ENUM('PROPOSED', 'APPROVED', 'EXECUTING', 'COMPLETED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "public"."dispatch_source_kind" AS ENUM('STORE', 'AGREEMENT', 'CAPACITY');--> statement-breakpoint
CREATE TYPE "public"."dispatch_tier" AS ENUM('LOCAL', 'UPPER', 'NEIGHBOUR', 'AGREEMENT', 'CAPACITY');--> statement-breakpoint
ALTER TYPE "public"."store_kind" ADD VALUE 'DISTRIBUTION_POINT';--> statement-breakpoint
CREATE TABLE "call_offs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"plan_id" uuid NOT NULL,
	"agreement_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"destination_idx" integer NOT NULL,
	"quantity" integer NOT NULL,
	"status" "call_off_status" NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"receipt_document_id" uuid,
	CONSTRAINT "call_offs_pos" CHECK ("call_offs"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "dispatch_demands" (
	"plan_id" uuid NOT NULL,
	"destination_idx" integer NOT NULL,
	"item_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	CONSTRAINT "dispatch_demands_plan_id_destination_idx_item_id_pk" PRIMARY KEY("plan_id","destination_idx","item_id"),
	CONSTRAINT "dispatch_demands_pos" CHECK ("dispatch_demands"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "dispatch_destinations" (
	"plan_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"name" varchar(128) NOT NULL,
	"region_code" varchar(12) NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"store_id" uuid NOT NULL,
	"contact" varchar(128),
	CONSTRAINT "dispatch_destinations_plan_id_idx_pk" PRIMARY KEY("plan_id","idx")
);
--> statement-breakpoint
CREATE TABLE "dispatch_lines" (
	"plan_id" uuid NOT NULL,
	"line_no" integer NOT NULL,
	"destination_idx" integer NOT NULL,
	"item_id" uuid NOT NULL,
	"source_kind" "dispatch_source_kind" NOT NULL,
	"store_id" uuid,
	"batch_id" uuid,
	"agreement_id" uuid,
	"quantity" integer NOT NULL,
	"distance_km" double precision NOT NULL,
	"eta_hours" double precision NOT NULL,
	"meets_deadline" boolean NOT NULL,
	"tier" "dispatch_tier" NOT NULL,
	"reason" varchar(300) NOT NULL,
	"transfer_id" uuid,
	CONSTRAINT "dispatch_lines_plan_id_line_no_pk" PRIMARY KEY("plan_id","line_no"),
	CONSTRAINT "dispatch_lines_pos" CHECK ("dispatch_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "dispatch_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"incident_id" uuid NOT NULL,
	"status" "dispatch_plan_status" NOT NULL,
	"deadline_hours" double precision NOT NULL,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"emergency" boolean DEFAULT false NOT NULL,
	"approval_due_at" timestamp with time zone,
	"written_approval_ref" varchar(128),
	"written_approved_at" timestamp with time zone,
	"executed_by" uuid,
	"executed_at" timestamp with time zone,
	"execution_key" varchar(128),
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" varchar(500),
	"request_key" varchar(128),
	CONSTRAINT "dispatch_plans_deadline_pos" CHECK ("dispatch_plans"."deadline_hours" > 0)
);
--> statement-breakpoint
CREATE TABLE "replenishments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"plan_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "travel_times" (
	"store_id" uuid NOT NULL,
	"region_code" varchar(12) NOT NULL,
	"hours" double precision NOT NULL,
	CONSTRAINT "travel_times_store_id_region_code_pk" PRIMARY KEY("store_id","region_code"),
	CONSTRAINT "travel_times_pos" CHECK ("travel_times"."hours" > 0)
);
--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "incident_id" uuid;--> statement-breakpoint
ALTER TABLE "call_offs" ADD CONSTRAINT "call_offs_plan_id_dispatch_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."dispatch_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_offs" ADD CONSTRAINT "call_offs_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_offs" ADD CONSTRAINT "call_offs_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_demands" ADD CONSTRAINT "dispatch_demands_plan_id_dispatch_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."dispatch_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_demands" ADD CONSTRAINT "dispatch_demands_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_destinations" ADD CONSTRAINT "dispatch_destinations_plan_id_dispatch_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."dispatch_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_destinations" ADD CONSTRAINT "dispatch_destinations_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_lines" ADD CONSTRAINT "dispatch_lines_plan_id_dispatch_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."dispatch_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_lines" ADD CONSTRAINT "dispatch_lines_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_lines" ADD CONSTRAINT "dispatch_lines_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_lines" ADD CONSTRAINT "dispatch_lines_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_lines" ADD CONSTRAINT "dispatch_lines_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_plans" ADD CONSTRAINT "dispatch_plans_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_plans" ADD CONSTRAINT "dispatch_plans_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_plans" ADD CONSTRAINT "dispatch_plans_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_plans" ADD CONSTRAINT "dispatch_plans_executed_by_users_id_fk" FOREIGN KEY ("executed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replenishments" ADD CONSTRAINT "replenishments_plan_id_dispatch_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."dispatch_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replenishments" ADD CONSTRAINT "replenishments_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replenishments" ADD CONSTRAINT "replenishments_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "travel_times" ADD CONSTRAINT "travel_times_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "travel_times" ADD CONSTRAINT "travel_times_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "call_offs_plan_idx" ON "call_offs" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX "dispatch_plans_incident_idx" ON "dispatch_plans" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "replenishments_store_idx" ON "replenishments" USING btree ("store_id");