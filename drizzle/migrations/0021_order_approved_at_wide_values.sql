-- D23, D7: an outbound order keeps when it was approved, so that no execution (issue, transfer, scrap, rotation) is
-- dated before it (server/authority/orders.ts assertAfterApproval). Read with the order itself — ledger_prepare returns
-- the whole row — so the check costs no query. Orders approved before this column take their approval's decision time.
ALTER TABLE "outbound_orders" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
UPDATE "outbound_orders" o SET "approved_at" = a."decided_at"
  FROM "approvals" a
 WHERE a."id" = o."approval_id" AND a."status" = 'APPROVED';--> statement-breakpoint
-- D22, D27: an approval (reversal, stocktake adjustment, scrap, order) and a settlement carry a value as large as a
-- posted document's (quantity up to 10^8 × unit price of 12 integer digits, per line): numeric(16,2) overflowed above
-- 10^14 yuan, so a posted document could never be reversed or approved.
ALTER TABLE "approvals" ALTER COLUMN "value" SET DATA TYPE numeric(30, 2);--> statement-breakpoint
ALTER TABLE "settlements" ALTER COLUMN "value" SET DATA TYPE numeric(30, 2);
