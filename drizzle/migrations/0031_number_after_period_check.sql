-- D22 (sweep 7a M1): a post refused because its business time is in a closed month drew its document number first
-- (sequences are not rolled back), so the register had gaps (断号) that no document explains. The period guard is now
-- one function, asked by the movements' trigger as before and by the number of a document that moves stock before the
-- number is drawn: such a refusal takes no number.
CREATE FUNCTION assert_open_period(occurred_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE closed timestamptz;
BEGIN
  SELECT max(cutoff) INTO closed FROM period_closes;
  IF closed IS NOT NULL AND occurred_at <= closed THEN
    RAISE EXCEPTION 'PERIOD_CLOSED: % is in a closed period (closed up to %)', occurred_at,
      to_char(closed AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
      USING ERRCODE = 'RS001';
  END IF;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION movements_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_open_period(NEW.occurred_at);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION next_number_in_open_period(sequence_prefix text, year integer, occurred_at timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_open_period(occurred_at);
  RETURN next_number(sequence_prefix, year);
END;
$$;
