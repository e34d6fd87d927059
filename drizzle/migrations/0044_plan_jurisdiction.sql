-- D15, D24, D25 (sweep 19c F5): the jurisdiction a dispatch plan is made for — whose own stock it uses freely, whose
-- consent it needs for others', which of its sources are LOCAL or UPPER, who approves a plan taking only others' stock,
-- and who owes a settlement when it uses another level's or region's stock — is fixed when the plan is requested and
-- kept on it. After the request it was read again from the requester's region as it then was (at approval, at
-- execution, on the printed 调拨令): an administrator moving the requester to 晋城 between request and execution made
-- 晋城 owe for 新乡's plan on 新乡's stock.
-- Plans requested before take the requester's region as the audit row of their request recorded it (D22: the actor's
-- region then; null for a system-wide administrator, whose plan is the incident's city's: planningJurisdiction); a plan
-- without that row, the requester's region now; without one, the incident's city — a code that is no region, the
-- incident's own region.
ALTER TABLE "dispatch_plans" ADD COLUMN "jurisdiction_code" varchar(12);--> statement-breakpoint
WITH requests AS MATERIALIZED (
  SELECT a.id, a.at, a.user_id, lower(a.input -> 'input' ->> 'incidentId') AS incident_id, a.region_code
    FROM audit_log a
   WHERE a.operation = 'requestDispatch' AND a.outcome = 'OK'
),
audited AS (
  -- The request's own row: the requester's last request in the plan's incident up to the plan's time (the row's time is
  -- taken as the mutation starts, the plan's inside it).
  SELECT DISTINCT ON (p.id) p.id AS plan_id, r.region_code
    FROM dispatch_plans p
    JOIN requests r ON r.user_id = p.requested_by AND r.incident_id = p.incident_id::text AND r.at <= p.requested_at
   ORDER BY p.id, r.at DESC, r.id DESC
),
decided AS (
  SELECT p.id,
         COALESCE((SELECT g.code FROM regions g WHERE g.code = CASE WHEN au.plan_id IS NOT NULL THEN au.region_code ELSE u.region_code END),
                  (SELECT g.code FROM regions g WHERE g.code = rpad(left(i.region_code, 4), 12, '0')),
                  i.region_code) AS code
    FROM dispatch_plans p
    JOIN incidents i ON i.id = p.incident_id
    JOIN users u ON u.id = p.requested_by
    LEFT JOIN audited au ON au.plan_id = p.id
)
UPDATE dispatch_plans p SET jurisdiction_code = d.code FROM decided d WHERE d.id = p.id;--> statement-breakpoint
ALTER TABLE "dispatch_plans" ALTER COLUMN "jurisdiction_code" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "dispatch_plans" ADD CONSTRAINT "dispatch_plans_jurisdiction_code_regions_code_fk"
  FOREIGN KEY ("jurisdiction_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;
