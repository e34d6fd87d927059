-- D25 (sweep 13b F7): consent to use another jurisdiction's stock is asked of the source's own region — the region of
-- the store that holds it, or of the agreement for an agreement or capacity line (server/dispatch/consent.ts) — so
-- that its own dispatchers, and those above whose region covers it, decide. Requests opened before were asked of the
-- source's city: a county's dispatcher could neither see nor decide the use of the county's stock. A request still
-- pending is asked instead of the narrowest region that holds every line it covers (its source's own region when they
-- are all one source region's; their common county, city, … when not, as one request is not split in two). Everyone
-- who could decide it still may — the city covers that region —, and the source's own dispatchers now may too.
-- Decided requests keep the region they were decided in.
WITH sources AS (
  SELECT a.id, CASE WHEN l.source_kind = 'STORE' THEN s.region_code ELSE ag.region_code END AS code
    FROM approvals a
    CROSS JOIN LATERAL jsonb_array_elements_text(a.payload -> 'lineNos') AS n(line_no)
    JOIN dispatch_lines l ON l.plan_id = a.subject_id AND l.line_no = n.line_no::int
    LEFT JOIN stores s ON s.id = l.store_id
    LEFT JOIN agreements ag ON ag.id = l.agreement_id
   WHERE a.kind = 'CROSS_REGION_USE' AND a.status = 'PENDING'
),
common AS (
  -- Per request, the longest level prefix (village 12 … province 2) its sources all share, as a 12-digit code.
  SELECT DISTINCT ON (src.id) src.id, rpad(left(min(src.code), k.len), 12, '0') AS code
    FROM sources src CROSS JOIN (VALUES (12), (9), (6), (4), (2)) AS k(len)
   GROUP BY src.id, k.len
  HAVING count(*) = count(src.code) AND count(DISTINCT left(src.code, k.len)) = 1
   ORDER BY src.id, k.len DESC
)
UPDATE approvals a SET region_code = c.code
  FROM common c
 WHERE a.id = c.id AND a.region_code <> c.code
   -- Only narrowed, never moved elsewhere: the new region lies in the old one's subtree (policy.ts subtreePrefixSql).
   AND c.code LIKE (CASE WHEN substr(a.region_code, 3) ~ '^0*$' THEN left(a.region_code, 2)
                         WHEN substr(a.region_code, 5) ~ '^0*$' THEN left(a.region_code, 4)
                         WHEN substr(a.region_code, 7) ~ '^0*$' THEN left(a.region_code, 6)
                         WHEN substr(a.region_code, 10) ~ '^0*$' THEN left(a.region_code, 9) ELSE a.region_code END) || '%'
   AND EXISTS (SELECT 1 FROM regions r WHERE r.code = c.code);
