-- D22, D31: the instant a closed month ends (its cutoff, 00:00 Asia/Shanghai on the 1st of the next month) belongs to
-- the closed month, as it does for valuation(asOf:) and journal(filter: {to}), which count movements dated at exactly
-- asOf/to: "as of 30 November 24:00" is November's end, and a closed month's end value never changes. The guard of
-- 0006 refused entries dated before the latest cutoff and took one dated at it into the open month; it now refuses
-- entries dated at or before it. The message carries the cutoff in China time (server/inventory/posting.ts ledgerError
-- words the refusal with it).
CREATE OR REPLACE FUNCTION movements_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE closed timestamptz;
BEGIN
  SELECT max(cutoff) INTO closed FROM period_closes;
  IF closed IS NOT NULL AND NEW.occurred_at <= closed THEN
    RAISE EXCEPTION 'PERIOD_CLOSED: % is in a closed period (closed up to %)', NEW.occurred_at,
      to_char(closed AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
      USING ERRCODE = 'RS001';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- A month's snapshot now holds the movements dated up to and including its cutoff (server/audit/periods.ts), and
-- valuation adds those dated after it. A snapshot taken before this migration left out the movements dated at
-- exactly its cutoff (they were counted after it): they go into it now, so every valuation reads as it did. (Each
-- snapshot is cumulative and the next one already holds them.)
INSERT INTO balance_snapshots (month, store_id, batch_id, on_hand, in_transit)
  SELECT pc.month, m.store_id, m.batch_id,
         sum(CASE WHEN m.bucket = 'ON_HAND' THEN m.quantity ELSE 0 END)::int,
         sum(CASE WHEN m.bucket = 'IN_TRANSIT' THEN m.quantity ELSE 0 END)::int
    FROM period_closes pc JOIN movements m ON m.occurred_at = pc.cutoff
   GROUP BY pc.month, m.store_id, m.batch_id
  ON CONFLICT (month, store_id, batch_id) DO UPDATE
     SET on_hand = balance_snapshots.on_hand + EXCLUDED.on_hand, in_transit = balance_snapshots.in_transit + EXCLUDED.in_transit;
--> statement-breakpoint
DELETE FROM balance_snapshots WHERE on_hand = 0 AND in_transit = 0;
