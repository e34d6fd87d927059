-- Document (RK-2027-000001) and outbound order (SQ-…) numbers start again each year, as a year's paperwork is filed and
-- audited: one sequence per prefix and recording year (China), created by the year's first number. They had one
-- sequence per prefix for ever, so 2027's first receipt continued 2026's count. Each year already used continues
-- from its highest number; the sequences without a year are dropped.
CREATE FUNCTION next_number(sequence_prefix text, year integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  name text := sequence_prefix || '_' || year;
BEGIN
  IF to_regclass(name) IS NULL THEN
    BEGIN
      EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', name);
    EXCEPTION WHEN unique_violation OR duplicate_table THEN
      NULL; -- another transaction created it at the same moment, and has committed
    END;
  END IF;
  RETURN nextval(name::regclass);
END $$;
--> statement-breakpoint
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT 'document_number_' || lower(split_part(number, '-', 1)) || '_' || split_part(number, '-', 2) AS name,
                  max(split_part(number, '-', 3)::bigint) AS last
             FROM documents GROUP BY 1
           UNION ALL
           SELECT 'order_number_sq_' || split_part(number, '-', 2), max(split_part(number, '-', 3)::bigint)
             FROM outbound_orders GROUP BY 1 LOOP
    EXECUTE format('CREATE SEQUENCE %I START %s', r.name, r.last + 1);
  END LOOP;
END $$;
--> statement-breakpoint
DROP SEQUENCE document_number_rk, document_number_ck, document_number_db, document_number_dr, document_number_dc,
  document_number_pd, document_number_bf, document_number_cx, document_number_lh, document_number_hs, document_number_hx,
  order_number_sq;
