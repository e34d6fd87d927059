import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { fetchAllPages } from '../common/allPages';
import { errorMessages } from '../common/api-errors';
import { formatQuantity } from '../common/format';

const StoreBatchesQuery = graphql(`
  query StoreBatches($filter: StockFilter!, $first: Int, $after: String) {
    stock(filter: $filter, orderBy: EXPIRY, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          item {
            id
            name
            unit
          }
          batch {
            id
            batchNo
            expiryDate
            expired
          }
          onHand
          available
          frozen
        }
      }
    }
  }
`);

export type StoreBatch = ResultOf<typeof StoreBatchesQuery>['stock']['edges'][number]['node'];

/**
 * The batches of some items on hand at a store, earliest expiry first (expired ones too: D26 lets them leave by rotation
 * or approved scrap), read afresh; `lines` is undefined until every item has answered.
 */
export function useStoreBatches(storeId: string, itemIds: readonly string[]): { lines?: StoreBatch[]; errors: string[] } {
  const client = useClient();
  const key = [...new Set(itemIds)].sort().join(',');
  const [state, setState] = useState<{ key: string; lines?: StoreBatch[]; errors: string[] }>({ key: '', errors: [] });
  useEffect(() => {
    let live = true;
    const ids = key ? key.split(',') : [];
    // Every batch of each item, page after page (sweep 18b F3: beyond the first 200 a batch could not be picked).
    void Promise.all(ids.map((itemId) => fetchAllPages(client, StoreBatchesQuery, { filter: { storeId, itemId } }, (d) => d.stock))).then((results) => {
      if (!live) return;
      const errors = results.flatMap((r) => (r.error ? errorMessages(r.error) : []));
      setState({ key: `${storeId}|${key}`, errors, lines: results.flatMap((r) => r.nodes) });
    });
    return () => {
      live = false;
    };
  }, [client, storeId, key]);
  return state.key === `${storeId}|${key}` ? state : { errors: [] };
}

/** What of a batch may leave by rotation or approved scrap: all that is not reserved, expired (frozen, D26) or not. */
export const leavable = (b: StoreBatch) => b.available + b.frozen;

/** A batch as a select option: 批号, what may leave, and its expiry (expired in words: frozen, D26). */
export const batchLabel = (b: StoreBatch) =>
  b.batch.expired
    ? `${b.batch.batchNo}（已过期，冻结 ${formatQuantity(b.frozen, b.item.unit)}）`
    : `${b.batch.batchNo}（可用 ${formatQuantity(b.available, b.item.unit)}${b.batch.expiryDate ? `，有效期至 ${b.batch.expiryDate}` : ''}）`;
