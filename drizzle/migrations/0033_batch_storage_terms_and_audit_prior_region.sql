-- D10, D31 (sweep 12c C4): a batch keeps the storage life and rotation lead it was received under. Its rotate-by date
-- was computed from the item's current terms, so editing an item's storage life re-dated the rotation of stock already
-- received while the batch kept its printed expiry. Batches are inserted by the app (receipts.ts batchFor) and by
-- ledger_prepare (migration 0018): one trigger sets the terms on both paths, from the item as it is at that moment.
-- Batches received before this migration take their item's terms as they are now (all there is to go by).
ALTER TABLE "batches" ADD COLUMN "storage_life_months" integer;--> statement-breakpoint
ALTER TABLE "batches" ADD COLUMN "rotation_lead_months" integer DEFAULT 12 NOT NULL;--> statement-breakpoint
UPDATE "batches" b SET "storage_life_months" = i."storage_life_months", "rotation_lead_months" = i."rotation_lead_months"
  FROM "items" i WHERE i."id" = b."item_id";--> statement-breakpoint
CREATE FUNCTION batches_storage_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT i.storage_life_months, i.rotation_lead_months INTO NEW.storage_life_months, NEW.rotation_lead_months
    FROM items i WHERE i.id = NEW.item_id;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER batches_storage_terms BEFORE INSERT ON batches
  FOR EACH ROW EXECUTE FUNCTION batches_storage_terms();
--> statement-breakpoint
-- D22 (sweep 12c C6): an edit that moves its record to another region (a store's or a user's region) is read by the
-- auditors of the region it left too: the row keeps the subject's region before the change beside the one after
-- (server/audit/log.ts). Null when the change did not move it, and for rows written before this column.
ALTER TABLE "audit_log" ADD COLUMN "subject_prior_region_code" varchar(12);--> statement-breakpoint
CREATE INDEX "audit_log_subject_prior_region_idx" ON "audit_log" USING btree ("subject_prior_region_code");
