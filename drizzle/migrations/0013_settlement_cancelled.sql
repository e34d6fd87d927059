-- D25: a settlement is owed only for stock used. A cancelled shipment reduces its settlement by what went back to the
-- source; one reduced to nothing is closed (SETTLED, with the cancellation as its reference). Only a closed settlement
-- may owe nothing. (No new status: API.md's SettlementStatus stays OPEN | SETTLED.)
ALTER TABLE "settlements" DROP CONSTRAINT "settlements_pos";--> statement-breakpoint
ALTER TABLE "settlements" ADD CONSTRAINT "settlements_pos" CHECK ("quantity" > 0 OR ("quantity" = 0 AND "status" = 'SETTLED'));
