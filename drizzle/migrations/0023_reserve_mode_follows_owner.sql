-- D6, D3, D21: a batch's reserve mode follows who owns it, not only the kind of store that received it (receipts.ts
-- reserveModeOf): a company's own stock (owned by the operator of an agreement or entrusted store) is 协议储备; government
-- stock received at a company's store is 企业代储. Rows written before were labelled by the store's kind alone; mend them,
-- so that valuation (which leaves company-owned stock out of the public total) reads them right, past dates included.
UPDATE "batches" SET "reserve_mode" = 'AGREEMENT'
 WHERE "reserve_mode" IN ('PHYSICAL', 'ENTRUSTED')
   AND "owner_org_id" IN (SELECT s."operator_org_id" FROM "stores" s JOIN "organizations" o ON o."id" = s."operator_org_id"
                           WHERE s."kind" IN ('AGREEMENT', 'ENTRUSTED') AND o."kind" <> 'GOVERNMENT');--> statement-breakpoint
UPDATE "batches" SET "reserve_mode" = 'ENTRUSTED'
 WHERE "reserve_mode" = 'AGREEMENT'
   AND ("owner_org_id" IS NULL
        OR "owner_org_id" NOT IN (SELECT s."operator_org_id" FROM "stores" s JOIN "organizations" o ON o."id" = s."operator_org_id"
                                   WHERE s."kind" IN ('AGREEMENT', 'ENTRUSTED') AND o."kind" <> 'GOVERNMENT'));
