-- DESIGN "The ledger": movements are append-only. Corrections are reversing documents, never edits.
CREATE FUNCTION movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'movements are append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER movements_no_update_delete BEFORE UPDATE OR DELETE ON movements
  FOR EACH ROW EXECUTE FUNCTION movements_append_only();
--> statement-breakpoint
CREATE TRIGGER movements_no_truncate BEFORE TRUNCATE ON movements
  FOR EACH STATEMENT EXECUTE FUNCTION movements_append_only();
--> statement-breakpoint
-- The document row is written last in its transaction (so that its number is drawn just before commit);
-- its movements point at it through a constraint checked at commit.
ALTER TABLE movements ADD CONSTRAINT movements_document_fk FOREIGN KEY (document_id) REFERENCES documents(id) DEFERRABLE INITIALLY DEFERRED;
--> statement-breakpoint
ALTER TABLE document_lines ADD CONSTRAINT document_lines_document_fk FOREIGN KEY (document_id) REFERENCES documents(id) DEFERRABLE INITIALLY DEFERRED;
--> statement-breakpoint
-- Readable document numbers (RK-2026-000123): one sequence per document type. nextval takes no lock that is
-- held until commit, so posts do not queue behind each other; a refused post can leave a gap in the sequence.
CREATE SEQUENCE document_number_rk;
--> statement-breakpoint
CREATE SEQUENCE document_number_ck;
--> statement-breakpoint
CREATE SEQUENCE document_number_db;
--> statement-breakpoint
CREATE SEQUENCE document_number_dr;
--> statement-breakpoint
CREATE SEQUENCE document_number_dc;
--> statement-breakpoint
CREATE SEQUENCE document_number_pd;
--> statement-breakpoint
CREATE SEQUENCE document_number_bf;
--> statement-breakpoint
CREATE SEQUENCE document_number_cx;
--> statement-breakpoint
CREATE SEQUENCE document_number_lh;
--> statement-breakpoint
CREATE SEQUENCE document_number_hs;
