-- D22 (sweep 19c F3): an audit row reaches the auditors of every region what it acted on touches, not only of the one
-- region it is filed under (subject_region_code, and subject_prior_region_code for a move): a keeper put in custody of
-- a 新乡 store and a 晋城 store, a settlement marked paid (the owing region beside the one owed), a 联储 agreement (all
-- its regions), a dispatch plan and its call-offs and approvals (the regions whose stock it takes, above all). The
-- row's own INSERT fills it (server/audit/log.ts subjectOtherRegionsSql); null where there is nothing more.
ALTER TABLE "audit_log" ADD COLUMN "subject_other_region_codes" varchar(12)[];
-- Rows written before stay as they were: the log is append-only (0006), and as 0043 did for display names this
-- migration does not lift its guard to rewrite them. Their auditors read them by subject_region_code as before.
