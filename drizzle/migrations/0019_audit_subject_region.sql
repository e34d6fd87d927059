-- D22: an audit row carries the region of what the mutation acted on (the store's, region's, user's, approval's …), beside
-- the actor's, so that a region's auditor reads what the system-wide administrator or another region's dispatcher did
-- to that region's stores, users, approvals, quotas and agreements (server/audit/log.ts auditSubject). Null where the
-- mutation names no such record, and for rows written before this column.
ALTER TABLE "audit_log" ADD COLUMN "subject_region_code" varchar(12);--> statement-breakpoint
CREATE INDEX "audit_log_subject_region_idx" ON "audit_log" USING btree ("subject_region_code");
