-- 单据 (documents(filter: {storeId})) lists a store's own documents and those of another store naming it the other
-- side — a transfer shipped to it, its cancellation, a recovery into it. The second half had no index and read every
-- document of every store.
CREATE INDEX "documents_counterpart_idx" ON "documents" USING btree ("counterpart_store_id","occurred_at");
