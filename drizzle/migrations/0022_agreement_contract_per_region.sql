-- D6, D20, D25: a contract is between a region's government and a company: one agreement per company, region and
-- contract number. Unique across regions (0017), a second region's agreement with the same number was refused — and
-- that refusal told another jurisdiction which contract numbers a region has with the company. Rows unique under the
-- old index are unique under this one: nothing to mend.
DROP INDEX IF EXISTS "agreements_company_contract_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_company_contract_uq" ON "agreements" USING btree ("company_org_id","region_code","contract_no") WHERE "agreements"."contract_no" IS NOT NULL;
