-- D22: the audit log is append-only, like the ledger.
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION movements_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION movements_append_only();
--> statement-breakpoint
-- 月结: no entry may be dated before the cutoff of a closed month (corrections go into the open period).
CREATE FUNCTION movements_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE closed timestamptz;
BEGIN
  SELECT max(cutoff) INTO closed FROM period_closes;
  IF closed IS NOT NULL AND NEW.occurred_at < closed THEN
    RAISE EXCEPTION 'PERIOD_CLOSED: % is in a closed period (closed up to %)', NEW.occurred_at, closed
      USING ERRCODE = 'RS001';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER movements_open_period BEFORE INSERT ON movements
  FOR EACH ROW EXECUTE FUNCTION movements_open_period();
--> statement-breakpoint
-- A document without movements (a stocktake with no differences) is refused in a closed period too.
CREATE TRIGGER documents_open_period BEFORE INSERT ON documents
  FOR EACH ROW EXECUTE FUNCTION movements_open_period();
