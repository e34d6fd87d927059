-- D5: one item per code whatever its case — `t-001` could be created beside `T-001`, and `liv-001` beside `LIV-001`:
-- two items that read as one in exports, the 盘点表 and the 期初建账 import (sweep 3, L5). createItem/updateItem now
-- refuse such a code (server/catalog/service.ts); this index decides between concurrent writers. Items that already
-- share a code but for its case keep the one written in capitals (else the first by code) as it is; each other one
-- gets its code marked「#重复n」(a character createItem never allows, so no new code collides) — an administrator finds
-- them with SELECT … WHERE code LIKE '%#重复%' and gives each a code of its own with updateItem.
UPDATE "items" i SET "code" = left(d."code", 26) || '#重复' || (d."n" - 1)
  FROM (SELECT "id", "code", row_number() OVER (PARTITION BY upper("code") ORDER BY ("code" = upper("code")) DESC, "code" COLLATE "C", "id") AS "n"
          FROM "items") d
 WHERE i."id" = d."id" AND d."n" > 1;--> statement-breakpoint
CREATE UNIQUE INDEX "items_code_upper_uq" ON "items" USING btree (upper("code"));
