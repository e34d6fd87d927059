-- D25: a plan's consent request closed because the plan was rejected or cancelled (withdrawPlanApprovals) was withdrawn,
-- not refused by the side asked; the planner leaves out only what a jurisdiction refused in an incident (consent.ts
-- refusedInIncident). Marked from now on by payload.withdrawn; requests closed before are those decided in the same
-- transaction that cancelled their plan (one instant: the plan's cancelled_at).
UPDATE "approvals" a SET "payload" = COALESCE(a."payload", '{}'::jsonb) || '{"withdrawn": true}'::jsonb
  FROM "dispatch_plans" p
 WHERE p."id" = a."subject_id" AND a."kind" IN ('DISPATCH_PLAN', 'CROSS_REGION_USE', 'EMERGENCY_WRITTEN_APPROVAL')
   AND a."status" = 'REJECTED' AND p."status" = 'CANCELLED' AND a."decided_at" = p."cancelled_at";
