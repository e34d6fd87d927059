-- A plan's shipments are read by plan: DispatchPlan.transfers, the open shipments a cancellation or 补发 checks, the
-- incident balance. Without an index each of those scanned every transfer of the database. Partial: most transfers
-- (keepers' own, orders') belong to no plan.
CREATE INDEX "transfers_dispatch_plan_idx" ON "transfers" USING btree ("dispatch_plan_id") WHERE "transfers"."dispatch_plan_id" IS NOT NULL;
