-- D29: a 安置点 opened by a dispatch request serves only while a plan still delivers there; one opened for a plan that
-- was then cancelled or rejected takes no share of the affected people. Points opened by requests so far are recognised
-- by their code (DP-<first 8 of the plan id>-<n>).
ALTER TABLE "stores" ADD COLUMN "opened_by_plan_id" uuid REFERENCES "dispatch_plans"("id");--> statement-breakpoint
UPDATE "stores" s SET "opened_by_plan_id" = d."plan_id"
  FROM "dispatch_destinations" d
 WHERE d."store_id" = s."id" AND s."kind" = 'DISTRIBUTION_POINT'
   AND s."code" LIKE 'DP-' || upper(left(d."plan_id"::text, 8)) || '-%';
