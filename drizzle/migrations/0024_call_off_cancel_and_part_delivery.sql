-- D17: an issued call-off (调用单) may be cancelled before delivery, with a reason (cancelCallOff), or delivered in part
-- (confirmCallOffDelivery with a quantity): what was delivered is booked and counted, the rest released — neither claims
-- the agreement any more. Call-offs delivered so far were delivered whole.
ALTER TABLE "call_offs" ADD COLUMN "delivered_quantity" integer;--> statement-breakpoint
ALTER TABLE "call_offs" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "call_offs" ADD COLUMN "cancel_reason" varchar(500);--> statement-breakpoint
UPDATE "call_offs" SET "delivered_quantity" = "quantity" WHERE "status" = 'DELIVERED';--> statement-breakpoint
ALTER TABLE "call_offs" ADD CONSTRAINT "call_offs_delivered_within" CHECK ("call_offs"."delivered_quantity" IS NULL OR ("call_offs"."delivered_quantity" > 0 AND "call_offs"."delivered_quantity" <= "call_offs"."quantity"));--> statement-breakpoint
ALTER TABLE "call_offs" ADD CONSTRAINT "call_offs_delivered_when" CHECK (("call_offs"."status" = 'DELIVERED') = ("call_offs"."delivered_quantity" IS NOT NULL));
