CREATE TYPE "public"."region_level" AS ENUM('PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'VILLAGE');--> statement-breakpoint
CREATE TYPE "public"."recovery_kind" AS ENUM('ALWAYS', 'WITHIN_MONTHS', 'NEVER');--> statement-breakpoint
CREATE TYPE "public"."organization_kind" AS ENUM('GOVERNMENT', 'COMPANY', 'DONOR', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."store_kind" AS ENUM('GOVERNMENT', 'ENTRUSTED', 'AGREEMENT');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('ADMIN', 'DISPATCHER', 'KEEPER', 'AUDITOR');--> statement-breakpoint
CREATE TABLE "regions" (
	"code" varchar(12) PRIMARY KEY NOT NULL,
	"name" varchar(64) NOT NULL,
	"level" "region_level" NOT NULL,
	"parent_code" varchar(12),
	"lat" double precision,
	"lng" double precision
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"code" varchar(32) PRIMARY KEY NOT NULL,
	"name" varchar(64) NOT NULL,
	"sort_order" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" varchar(32) NOT NULL,
	"category_code" varchar(32) NOT NULL,
	"name" varchar(64) NOT NULL,
	"spec" varchar(200),
	"unit" varchar(16) NOT NULL,
	"gb_code" varchar(7),
	"reference_price" numeric(14, 2),
	"storage_life_months" integer,
	"rotation_lead_months" integer DEFAULT 12 NOT NULL,
	"recovery_kind" "recovery_kind" DEFAULT 'NEVER' NOT NULL,
	"recovery_months" integer,
	CONSTRAINT "items_code_unique" UNIQUE("code"),
	CONSTRAINT "items_gb_code_shape" CHECK ("items"."gb_code" IS NULL OR "items"."gb_code" ~ '^[123](0[1-9]|[1-9][0-9]){3}$'),
	CONSTRAINT "items_reference_price_nonneg" CHECK ("items"."reference_price" IS NULL OR "items"."reference_price" >= 0),
	CONSTRAINT "items_storage_life_pos" CHECK ("items"."storage_life_months" IS NULL OR "items"."storage_life_months" > 0),
	CONSTRAINT "items_rotation_lead_nonneg" CHECK ("items"."rotation_lead_months" >= 0)
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(128) NOT NULL,
	"kind" "organization_kind" NOT NULL,
	"region_code" varchar(12),
	"contact" varchar(128),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "stores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" varchar(32) NOT NULL,
	"name" varchar(128) NOT NULL,
	"region_code" varchar(12) NOT NULL,
	"level" "region_level" NOT NULL,
	"kind" "store_kind" NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"address" varchar(256),
	"contact_name" varchar(64),
	"contact_phone" varchar(32),
	"capacity_m3" integer,
	"operator_org_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stores_code_unique" UNIQUE("code"),
	CONSTRAINT "stores_lat_range" CHECK ("stores"."lat" BETWEEN -90 AND 90),
	CONSTRAINT "stores_lng_range" CHECK ("stores"."lng" BETWEEN -180 AND 180),
	CONSTRAINT "stores_capacity_nonneg" CHECK ("stores"."capacity_m3" IS NULL OR "stores"."capacity_m3" >= 0)
);
--> statement-breakpoint
CREATE TABLE "user_stores" (
	"user_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	CONSTRAINT "user_stores_user_id_store_id_pk" PRIMARY KEY("user_id","store_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" varchar(64) NOT NULL,
	"display_name" varchar(64) NOT NULL,
	"password_hash" varchar(256) NOT NULL,
	"role" "role" NOT NULL,
	"region_code" varchar(12),
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_category_code_categories_code_fk" FOREIGN KEY ("category_code") REFERENCES "public"."categories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_operator_org_id_organizations_id_fk" FOREIGN KEY ("operator_org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_stores" ADD CONSTRAINT "user_stores_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_stores" ADD CONSTRAINT "user_stores_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "regions_parent_idx" ON "regions" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "items_category_idx" ON "items" USING btree ("category_code");--> statement-breakpoint
CREATE INDEX "stores_region_idx" ON "stores" USING btree ("region_code" varchar_pattern_ops);