-- D22, D31 (sweep 19c F2): an audit row keeps who acted by the name they had when they acted. Read live from the
-- account, a renamed user (or one renamed after a colleague's name) rewrote every past entry. Rows written before keep
-- NULL (the log takes no UPDATE, migration 0006) and read the account's name as before.
ALTER TABLE "audit_log" ADD COLUMN "display_name" varchar(64);
