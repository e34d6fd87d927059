-- D23–D25, D27: outbound orders, one approvals queue, 联储 agreements and settlements; documents that wait for approval.
ALTER TYPE "document_status" ADD VALUE IF NOT EXISTS 'PENDING_APPROVAL';
--> statement-breakpoint
ALTER TYPE "document_status" ADD VALUE IF NOT EXISTS 'REJECTED';
--> statement-breakpoint
ALTER TYPE "document_type" ADD VALUE IF NOT EXISTS 'WRITE_OFF';
--> statement-breakpoint
CREATE SEQUENCE document_number_hx;
--> statement-breakpoint
CREATE SEQUENCE order_number_sq;
--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "order_id" uuid;
--> statement-breakpoint
-- D27: quantities reported lost or damaged in transit stay in transit, disputed, until their write-off is decided.
ALTER TABLE "transfer_lines" ADD COLUMN "disputed" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "transfer_lines" DROP CONSTRAINT "transfer_lines_quantities";
--> statement-breakpoint
ALTER TABLE "transfer_lines" ADD CONSTRAINT "transfer_lines_quantities" CHECK ("shipped" > 0 AND "received" >= 0 AND "lost" >= 0 AND "cancelled" >= 0 AND "disputed" >= 0 AND "received" + "lost" + "cancelled" + "disputed" <= "shipped");
--> statement-breakpoint
CREATE TYPE "approval_kind" AS ENUM('OUTBOUND_ORDER', 'DISPATCH_PLAN', 'CROSS_REGION_USE', 'STOCKTAKE', 'WRITE_OFF', 'SCRAP', 'REVERSAL', 'EMERGENCY_WRITTEN_APPROVAL');
--> statement-breakpoint
CREATE TYPE "approval_status" AS ENUM('PENDING', 'APPROVED', 'REJECTED');
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" "approval_kind" NOT NULL,
	"status" "approval_status" DEFAULT 'PENDING' NOT NULL,
	"subject_id" uuid NOT NULL,
	"summary" varchar(500) NOT NULL,
	"value" numeric(16, 2),
	"store_id" uuid REFERENCES "stores"("id"),
	"region_code" varchar(12) NOT NULL REFERENCES "regions"("code"),
	"requested_by" uuid NOT NULL REFERENCES "users"("id"),
	"requested_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone,
	"decided_by" uuid REFERENCES "users"("id"),
	"decided_at" timestamp with time zone,
	"approval_ref" varchar(128),
	"reason" varchar(500),
	"payload" jsonb,
	-- D24: who requests is not who decides (the emergency path of D14 approves a plan by its own dispatcher).
	CONSTRAINT "approvals_segregation" CHECK ("decided_by" IS NULL OR "decided_by" <> "requested_by" OR "kind" = 'DISPATCH_PLAN'),
	CONSTRAINT "approvals_decided" CHECK (("status" = 'PENDING') = ("decided_at" IS NULL))
);
--> statement-breakpoint
CREATE INDEX "approvals_region_idx" ON "approvals" ("region_code" varchar_pattern_ops, "status");
--> statement-breakpoint
CREATE INDEX "approvals_subject_idx" ON "approvals" ("subject_id");
--> statement-breakpoint
CREATE TYPE "outbound_purpose" AS ENUM('RELIEF', 'DRILL', 'LOAN', 'TRANSFER', 'ROTATION_SALE', 'SCRAP', 'OTHER');
--> statement-breakpoint
CREATE TYPE "order_status" AS ENUM('PENDING', 'APPROVED', 'REJECTED', 'EXECUTED', 'CLOSED');
--> statement-breakpoint
CREATE TABLE "outbound_orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"number" varchar(20) NOT NULL UNIQUE,
	"status" "order_status" NOT NULL,
	"store_id" uuid NOT NULL REFERENCES "stores"("id"),
	"purpose" "outbound_purpose" NOT NULL,
	"recipient" varchar(128),
	"to_store_id" uuid REFERENCES "stores"("id"),
	"incident_id" uuid REFERENCES "incidents"("id"),
	"note" varchar(500),
	"requested_by" uuid NOT NULL REFERENCES "users"("id"),
	"requested_at" timestamp with time zone NOT NULL,
	"approval_id" uuid,
	"closed_at" timestamp with time zone,
	"close_reason" varchar(500)
);
--> statement-breakpoint
CREATE INDEX "outbound_orders_store_idx" ON "outbound_orders" ("store_id", "status");
--> statement-breakpoint
CREATE TABLE "outbound_order_lines" (
	"order_id" uuid NOT NULL REFERENCES "outbound_orders"("id"),
	"line_no" smallint NOT NULL,
	"item_id" uuid NOT NULL REFERENCES "items"("id"),
	"batch_id" uuid REFERENCES "batches"("id"),
	"quantity" integer NOT NULL,
	"executed_quantity" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "outbound_order_lines_pk" PRIMARY KEY ("order_id", "line_no"),
	-- D23: what is executed never exceeds what was approved.
	CONSTRAINT "outbound_order_lines_quantities" CHECK ("quantity" > 0 AND "executed_quantity" >= 0 AND "executed_quantity" <= "quantity")
);
--> statement-breakpoint
CREATE TABLE "joint_reserve_agreements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"note" varchar(500),
	"created_by" uuid NOT NULL REFERENCES "users"("id"),
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "joint_reserve_agreements_validity" CHECK ("valid_to" >= "valid_from")
);
--> statement-breakpoint
CREATE TABLE "joint_reserve_regions" (
	"agreement_id" uuid NOT NULL REFERENCES "joint_reserve_agreements"("id"),
	"region_code" varchar(12) NOT NULL REFERENCES "regions"("code"),
	CONSTRAINT "joint_reserve_regions_pk" PRIMARY KEY ("agreement_id", "region_code")
);
--> statement-breakpoint
CREATE TABLE "joint_reserve_lines" (
	"agreement_id" uuid NOT NULL REFERENCES "joint_reserve_agreements"("id"),
	"item_id" uuid NOT NULL REFERENCES "items"("id"),
	"max_quantity" integer NOT NULL,
	CONSTRAINT "joint_reserve_lines_pk" PRIMARY KEY ("agreement_id", "item_id"),
	CONSTRAINT "joint_reserve_lines_pos" CHECK ("max_quantity" > 0)
);
--> statement-breakpoint
ALTER TABLE "dispatch_lines" ADD COLUMN "needs_consent" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "dispatch_lines" ADD COLUMN "joint_agreement_id" uuid REFERENCES "joint_reserve_agreements"("id");
--> statement-breakpoint
CREATE TYPE "settlement_status" AS ENUM('OPEN', 'SETTLED');
--> statement-breakpoint
CREATE TABLE "settlements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" "settlement_status" DEFAULT 'OPEN' NOT NULL,
	"owed_to_region" varchar(12) NOT NULL REFERENCES "regions"("code"),
	"owed_by_region" varchar(12) NOT NULL REFERENCES "regions"("code"),
	"store_id" uuid NOT NULL REFERENCES "stores"("id"),
	"item_id" uuid NOT NULL REFERENCES "items"("id"),
	"quantity" integer NOT NULL,
	"value" numeric(16, 2) NOT NULL,
	"plan_id" uuid REFERENCES "dispatch_plans"("id"),
	"joint_agreement_id" uuid REFERENCES "joint_reserve_agreements"("id"),
	"created_at" timestamp with time zone NOT NULL,
	"settled_by" uuid REFERENCES "users"("id"),
	"settled_at" timestamp with time zone,
	"reference" varchar(128),
	"document_id" uuid,
	CONSTRAINT "settlements_pos" CHECK ("quantity" > 0),
	CONSTRAINT "settlements_settled" CHECK (("status" = 'SETTLED') = ("settled_at" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX "settlements_owed_to_idx" ON "settlements" ("owed_to_region" varchar_pattern_ops);
--> statement-breakpoint
CREATE INDEX "settlements_owed_by_idx" ON "settlements" ("owed_by_region" varchar_pattern_ops);
--> statement-breakpoint
-- D15's replenishment owed to a lower level is a settlement like any other.
INSERT INTO "settlements" ("id", "status", "owed_to_region", "owed_by_region", "store_id", "item_id", "quantity", "value", "plan_id", "created_at", "settled_at")
SELECT r."id", CASE WHEN r."settled_at" IS NULL THEN 'OPEN'::settlement_status ELSE 'SETTLED'::settlement_status END,
       s."region_code", COALESCE(u."region_code", i."region_code"), r."store_id", r."item_id", r."quantity",
       COALESCE((SELECT round(avg(b."unit_price") * r."quantity", 2) FROM "dispatch_lines" l JOIN "batches" b ON b."id" = l."batch_id"
                  WHERE l."plan_id" = r."plan_id" AND l."store_id" = r."store_id" AND l."item_id" = r."item_id"), 0),
       r."plan_id", r."created_at", r."settled_at"
  FROM "replenishments" r JOIN "stores" s ON s."id" = r."store_id" JOIN "dispatch_plans" p ON p."id" = r."plan_id"
  JOIN "incidents" i ON i."id" = p."incident_id" LEFT JOIN "users" u ON u."id" = p."requested_by";
--> statement-breakpoint
DROP TABLE "replenishments";
