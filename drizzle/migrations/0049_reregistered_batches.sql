-- Sweep 24c F1 (D7, D9, D22, D31): a receipt mistyped (unit price, expiry, funding, owner, or the wrong store) is
-- corrected by reversing it and receiving the goods again — under their real 批号. A batch whose every receipt has
-- been reversed (nothing of it in any book, no live document) no longer holds its number: the next receipt of that
-- number registers a new batch with the attributes it states, and the spent batch is retired (retired_at), kept whole
-- with its attributes, movements and documents — so the reversed receipt, its reversal, batch trace and valuation at
-- any past instant read exactly what was posted then. One live batch per (item, number): the unique index is partial.
ALTER TABLE "batches" ADD COLUMN "retired_at" timestamp with time zone;--> statement-breakpoint
DROP INDEX "batches_item_batch_no_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "batches_item_batch_no_uq" ON "batches" USING btree ("item_id","batch_no") WHERE "batches"."retired_at" IS NULL;--> statement-breakpoint
-- ledger_prepare as in 0045, a receipt's existing batch being the live one of its number (not a retired one).
CREATE OR REPLACE FUNCTION ledger_prepare(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  out jsonb := '{}'::jsonb;
  claim jsonb := p->'claim';
  the_order uuid := (p->>'orderId')::uuid;
  first_hash varchar;
  first_result uuid;
  owner_id uuid := (p->>'ownerOrgId')::uuid;
  owner_name text;
  b jsonb;
  found_batch jsonb;
  batch_rows jsonb := '[]'::jsonb;
BEGIN
  IF the_order IS NOT NULL THEN
    out := out || jsonb_build_object(
      'order', (SELECT to_jsonb(o) FROM outbound_orders o WHERE o.id = the_order),
      'orderLines', (SELECT COALESCE(jsonb_agg(to_jsonb(l) ORDER BY l.line_no), '[]'::jsonb) FROM outbound_order_lines l WHERE l.order_id = the_order));
  END IF;
  INSERT INTO idempotency_keys (kind, actor_id, key, request_hash, result_id, created_at)
    VALUES (claim->>'kind', (claim->>'actorId')::uuid, claim->>'key', claim->>'hash', (claim->>'resultId')::uuid, (claim->>'at')::timestamptz)
    ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    SELECT k.request_hash, k.result_id INTO first_hash, first_result FROM idempotency_keys k
     WHERE k.kind = claim->>'kind' AND k.actor_id = (claim->>'actorId')::uuid AND k.key = claim->>'key';
    RETURN out || jsonb_build_object('first', jsonb_build_object('requestHash', first_hash, 'resultId', first_result),
                                     'firstDocument', (SELECT to_jsonb(d) FROM documents d WHERE d.id = first_result));
  END IF;
  IF p ? 'lock' THEN
    out := out || jsonb_build_object('locked', (
      SELECT COALESCE(jsonb_agg(to_jsonb(r) ORDER BY r.store_id, r.batch_id), '[]'::jsonb) FROM (
        SELECT bal.store_id, bal.batch_id, bal.item_id, bal.on_hand, bal.reserved, bal.in_transit, bt.expiry_date::text AS expiry_date,
               bt.received_at, bt.unit_price::text AS unit_price, bt.batch_no,
               bal.last_occurred_at, bal.last_counted_at,
               (SELECT o.region_code FROM organizations o WHERE o.id = bt.owner_org_id AND o.kind = 'GOVERNMENT') AS owner_region
          FROM balances bal JOIN batches bt ON bt.id = bal.batch_id
         WHERE bal.store_id = (p->'lock'->>'storeId')::uuid
           AND (bal.item_id IN (SELECT jsonb_array_elements_text(p->'lock'->'itemIds')::uuid)
                OR bal.batch_id IN (SELECT jsonb_array_elements_text(p->'lock'->'batchIds')::uuid))
         ORDER BY bal.store_id, bal.batch_id
           FOR UPDATE OF bal) r));
  END IF;
  IF the_order IS NOT NULL THEN
    PERFORM 1 FROM outbound_orders o WHERE o.id = the_order FOR UPDATE;
    out := out || jsonb_build_object(
      'lockedOrder', (SELECT jsonb_build_object('status', o.status, 'number', o.number) FROM outbound_orders o WHERE o.id = the_order),
      'lockedOrderLines', (SELECT COALESCE(jsonb_agg(to_jsonb(l) ORDER BY l.line_no), '[]'::jsonb) FROM outbound_order_lines l WHERE l.order_id = the_order));
  END IF;
  IF p ? 'ownerRegion' THEN
    SELECT o.id, g.name INTO owner_id, owner_name
      FROM (SELECT r.name || CASE WHEN r.name LIKE '%街道' THEN '办事处' ELSE '人民政府' END AS name FROM regions r WHERE r.code = p->>'ownerRegion') g
      LEFT JOIN organizations o ON o.name = g.name;
    out := out || jsonb_build_object('owner', jsonb_build_object('id', owner_id, 'name', owner_name));
    -- A region's government not yet registered: the caller creates it and goes on the long way.
    IF owner_id IS NULL THEN RETURN out; END IF;
  END IF;
  IF p ? 'batches' THEN
    FOR b IN SELECT value FROM jsonb_array_elements(p->'batches') LOOP
      found_batch := NULL;
      INSERT INTO batches (id, item_id, batch_no, production_date, expiry_date, unit_price, funding_source, reserve_mode, owner_org_id,
                           supplier_org_id, origin, received_at)
        VALUES ((b->>'id')::uuid, (b->>'itemId')::uuid, b->>'batchNo', (b->>'productionDate')::date, (b->>'expiryDate')::date,
                (b->>'unitPrice')::numeric, (b->>'fundingSource')::funding_source, (b->>'reserveMode')::reserve_mode, owner_id,
                (b->>'supplierOrgId')::uuid, b->>'origin', (b->>'receivedAt')::timestamptz)
        ON CONFLICT DO NOTHING
        RETURNING to_jsonb(batches.*) || jsonb_build_object('unit_price', batches.unit_price::text, 'created', true) INTO found_batch;
      IF found_batch IS NULL THEN
        SELECT to_jsonb(x.*) || jsonb_build_object('unit_price', x.unit_price::text, 'created', false) INTO found_batch
          FROM batches x WHERE x.item_id = (b->>'itemId')::uuid AND x.batch_no = b->>'batchNo' AND x.retired_at IS NULL;
      END IF;
      batch_rows := batch_rows || jsonb_build_array(found_batch);
    END LOOP;
    out := out || jsonb_build_object('batches', batch_rows);
  END IF;
  RETURN out;
END;
$$;
