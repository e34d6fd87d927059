-- D29 发放到人: 安置点 capacity (people) on their store row; an incident may be closed (no more distributions).
ALTER TABLE "stores" ADD COLUMN "capacity_persons" integer;
--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_capacity_persons_nonneg" CHECK ("capacity_persons" IS NULL OR "capacity_persons" >= 0);
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "closed_at" timestamp with time zone;
--> statement-breakpoint
CREATE TABLE "relief_standards" (
	"region_code" varchar(12) NOT NULL REFERENCES "regions"("code"),
	"item_id" uuid NOT NULL REFERENCES "items"("id"),
	"per_person" numeric(10, 3),
	"per_household" integer,
	"updated_by" uuid NOT NULL REFERENCES "users"("id"),
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "relief_standards_region_code_item_id_pk" PRIMARY KEY("region_code","item_id"),
	CONSTRAINT "relief_standards_one_basis" CHECK (("per_person" IS NULL) <> ("per_household" IS NULL)),
	CONSTRAINT "relief_standards_per_person_pos" CHECK ("per_person" IS NULL OR "per_person" > 0),
	CONSTRAINT "relief_standards_per_household_pos" CHECK ("per_household" IS NULL OR "per_household" > 0)
);
--> statement-breakpoint
-- D29: one row per distribution to a household; its lines are the ISSUE document's lines. Personal data kept to
-- what is needed: the head's name, household size, a masked ID number (never the full one) and an address.
CREATE TABLE "distributions" (
	"document_id" uuid PRIMARY KEY NOT NULL REFERENCES "documents"("id"),
	"store_id" uuid NOT NULL REFERENCES "stores"("id"),
	"incident_id" uuid NOT NULL REFERENCES "incidents"("id"),
	"head_name" varchar(64) NOT NULL,
	"household_size" integer NOT NULL,
	"id_number_masked" varchar(18),
	"address" varchar(200),
	"household_key" varchar(300) NOT NULL,
	"distributed_by" uuid NOT NULL REFERENCES "users"("id"),
	"distributed_at" timestamp with time zone NOT NULL,
	"signature_ref" varchar(128),
	"override_reason" varchar(500),
	CONSTRAINT "distributions_household_size_pos" CHECK ("household_size" > 0)
);
--> statement-breakpoint
CREATE INDEX "distributions_household_idx" ON "distributions" ("incident_id", "household_key");
--> statement-breakpoint
CREATE INDEX "distributions_store_idx" ON "distributions" ("store_id", "distributed_at");
