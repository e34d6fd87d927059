CREATE TYPE "public"."agreement_mode" AS ENUM('AGREEMENT', 'ENTRUSTED', 'CAPACITY');--> statement-breakpoint
CREATE TABLE "agreement_check_lines" (
	"check_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"counted_quantity" integer NOT NULL,
	CONSTRAINT "agreement_check_lines_check_id_item_id_pk" PRIMARY KEY("check_id","item_id"),
	CONSTRAINT "agreement_check_lines_nonneg" CHECK ("agreement_check_lines"."counted_quantity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "agreement_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" uuid NOT NULL,
	"checked_on" date NOT NULL,
	"findings" text,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agreement_lines" (
	"agreement_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"quantity" integer,
	"daily_capacity" integer,
	"unit_price" numeric(14, 2),
	"response_hours" numeric(6, 1),
	"lead_days" integer,
	CONSTRAINT "agreement_lines_agreement_id_item_id_pk" PRIMARY KEY("agreement_id","item_id"),
	CONSTRAINT "agreement_lines_quantity_pos" CHECK ("agreement_lines"."quantity" IS NULL OR "agreement_lines"."quantity" > 0),
	CONSTRAINT "agreement_lines_capacity_pos" CHECK ("agreement_lines"."daily_capacity" IS NULL OR "agreement_lines"."daily_capacity" > 0),
	CONSTRAINT "agreement_lines_price_nonneg" CHECK ("agreement_lines"."unit_price" IS NULL OR "agreement_lines"."unit_price" >= 0),
	CONSTRAINT "agreement_lines_response_pos" CHECK ("agreement_lines"."response_hours" IS NULL OR "agreement_lines"."response_hours" > 0),
	CONSTRAINT "agreement_lines_lead_nonneg" CHECK ("agreement_lines"."lead_days" IS NULL OR "agreement_lines"."lead_days" >= 0)
);
--> statement-breakpoint
CREATE TABLE "agreements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mode" "agreement_mode" NOT NULL,
	"company_org_id" uuid NOT NULL,
	"region_code" varchar(12) NOT NULL,
	"store_id" uuid,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"annual_fee" numeric(14, 2),
	"contract_no" varchar(64),
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "agreements_validity" CHECK ("agreements"."valid_to" >= "agreements"."valid_from"),
	CONSTRAINT "agreements_fee_nonneg" CHECK ("agreements"."annual_fee" IS NULL OR "agreements"."annual_fee" >= 0)
);
--> statement-breakpoint
CREATE TABLE "quotas" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"store_id" uuid,
	"region_code" varchar(12),
	"quantity" integer NOT NULL,
	"updated_by" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "quotas_one_target" CHECK (("quotas"."store_id" IS NULL) <> ("quotas"."region_code" IS NULL)),
	CONSTRAINT "quotas_quantity_pos" CHECK ("quotas"."quantity" > 0)
);
--> statement-breakpoint
ALTER TABLE "agreement_check_lines" ADD CONSTRAINT "agreement_check_lines_check_id_agreement_checks_id_fk" FOREIGN KEY ("check_id") REFERENCES "public"."agreement_checks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_check_lines" ADD CONSTRAINT "agreement_check_lines_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_checks" ADD CONSTRAINT "agreement_checks_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_checks" ADD CONSTRAINT "agreement_checks_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_lines" ADD CONSTRAINT "agreement_lines_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_lines" ADD CONSTRAINT "agreement_lines_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_company_org_id_organizations_id_fk" FOREIGN KEY ("company_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agreement_checks_agreement_idx" ON "agreement_checks" USING btree ("agreement_id","checked_on");--> statement-breakpoint
CREATE INDEX "agreements_region_idx" ON "agreements" USING btree ("region_code");--> statement-breakpoint
CREATE UNIQUE INDEX "quotas_store_item_uq" ON "quotas" USING btree ("store_id","item_id") WHERE "quotas"."store_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "quotas_region_item_uq" ON "quotas" USING btree ("region_code","item_id") WHERE "quotas"."region_code" IS NOT NULL;