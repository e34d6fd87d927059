-- D6, D17, D21: one agreement per company and contract number — a double-submitted agreement was stored (and then
-- planned and valued) twice. A blank contract number is none. Agreements registered twice before this migration keep
-- their rows (call-offs and checks refer to them); every copy after the first gets its number marked「#重复n」so that
-- the index can be built and the copies can be found (SELECT … WHERE contract_no LIKE '%#重复%').
UPDATE "agreements" SET "contract_no" = NULL WHERE btrim("contract_no") = '';--> statement-breakpoint
UPDATE "agreements" a SET "contract_no" = left(d."contract_no", 56) || '#重复' || (d."n" - 1)
  FROM (SELECT "id", "contract_no", row_number() OVER (PARTITION BY "company_org_id", "contract_no" ORDER BY "created_at", "id") AS "n"
          FROM "agreements" WHERE "contract_no" IS NOT NULL) d
 WHERE a."id" = d."id" AND d."n" > 1;--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_company_contract_uq" ON "agreements" USING btree ("company_org_id","contract_no") WHERE "agreements"."contract_no" IS NOT NULL;
