-- D6, D21, D22 (sweep 18a F8): an agreement ended early (提前解除) from a date, or voided as entered in error. Its valid_to
-- becomes the last day it binds (the day before valid_from for one voided: never in force); what the contract said is
-- kept (contract_valid_to), with who ended it, when and why — the change is recorded, not made silently.
ALTER TABLE "agreements" ADD COLUMN "contract_valid_to" date;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "ended_by" uuid REFERENCES "users"("id");--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "end_reason" varchar(500);--> statement-breakpoint
ALTER TABLE "agreements" DROP CONSTRAINT "agreements_validity";--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_validity"
  CHECK ("valid_to" >= "valid_from" OR ("ended_at" IS NOT NULL AND "valid_to" = "valid_from" - 1));--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_ended_whole"
  CHECK (("ended_at" IS NULL) = ("end_reason" IS NULL) AND ("ended_at" IS NULL) = ("ended_by" IS NULL)
         AND ("ended_at" IS NULL) = ("contract_valid_to" IS NULL));
