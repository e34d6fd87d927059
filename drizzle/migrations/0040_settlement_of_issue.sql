-- D3, D25 (sweep 17b F10): an issue executing an outbound order that consumes another government's goods held in the
-- store (owner ≠ holder) leaves a settlement owed to the owner, as a plan does. Such a settlement names the issue
-- (出库单) that used the goods instead of a plan — never both; the settling document stays in "document_id".
ALTER TABLE "settlements" ADD COLUMN "issue_document_id" uuid REFERENCES "documents"("id");--> statement-breakpoint
ALTER TABLE "settlements" ADD CONSTRAINT "settlements_one_use" CHECK ("plan_id" IS NULL OR "issue_document_id" IS NULL);--> statement-breakpoint
CREATE INDEX "settlements_issue_document_idx" ON "settlements" ("issue_document_id") WHERE "issue_document_id" IS NOT NULL;
