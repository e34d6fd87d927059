-- D24, D27, D3 (sweep 17b F1): the write-off (核销单) of goods lost in transit — a WRITE_OFF document of a transfer,
-- opened when the receiving store reports a shortfall (server/inventory/transfers.ts requestWriteOff) — is decided by
-- someone with authority over the SENDING store: until received the goods are the sending side's. Its approval is
-- now opened for the sending store and its region (the queue of that store's dispatchers and administrators, and of
-- those whose region covers it); approvals opened before were the receiving store's, decided inside the receiving
-- county. One still pending goes to the sending side now; the document stays where it is (its store, number, print).
-- Decided approvals keep the store and region they were decided in.
UPDATE "approvals" a SET "region_code" = f."region_code", "store_id" = f."id"
  FROM "documents" d
  JOIN "transfers" t ON t."id" = d."transfer_id"
  JOIN "stores" f ON f."id" = t."from_store_id"
 WHERE a."subject_id" = d."id" AND a."kind" = 'WRITE_OFF' AND a."status" = 'PENDING' AND d."type" = 'WRITE_OFF'
   AND (a."region_code" <> f."region_code" OR a."store_id" IS DISTINCT FROM f."id");
