import { describe, expect, it } from 'vitest';
import type { Client } from 'urql';
import { fetchAllPages } from '../../server/console/src/common/allPages.ts';
import { graphql } from '../../server/console/src/graphql/graphql.ts';

// Sweep 18b F3: a screen that needs all of a list (every transfer on its way, every batch to count) reads it page after
// page, at the API's largest page, until the connection says there is no next page — nothing beyond a fixed first: N.
const Query = graphql(`
  query AllPagesProbe($storeId: ID!, $first: Int, $after: String) {
    stock(filter: { storeId: $storeId }, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          onHand
        }
      }
    }
  }
`);

/** A client answering `total` stock lines (onHand = index) in pages of the `first` asked, recording each request. */
function fakeClient(total: number, failAt?: number) {
  const asked: { first: unknown; after: unknown; storeId: unknown }[] = [];
  const client = {
    query: (_q: unknown, v: { first: number; after: string | null; storeId: string }) => ({
      toPromise: async () => {
        asked.push({ first: v.first, after: v.after, storeId: v.storeId });
        if (failAt !== undefined && asked.length === failAt) return { error: new Error('网络中断'), data: undefined };
        const start = v.after ? Number(v.after) : 0;
        const end = Math.min(total, start + v.first);
        const edges = Array.from({ length: end - start }, (_, i) => ({ node: { onHand: start + i } }));
        return { data: { stock: { pageInfo: { hasNextPage: end < total, endCursor: end ? String(end) : null }, edges } } };
      },
    }),
  };
  return { client: client as unknown as Client, asked };
}

describe('console: every page of a connection (sweep 18b F3)', () => {
  it('1,203 lines come in three pages of 500, each after the one before, the variables kept', async () => {
    const { client, asked } = fakeClient(1203);
    const { nodes, error } = await fetchAllPages(client, Query, { storeId: 's1' }, (d) => d.stock);
    expect(error).toBeUndefined();
    expect(nodes.map((n) => n.onHand)).toEqual(Array.from({ length: 1203 }, (_, i) => i));
    expect(asked).toEqual([
      { first: 500, after: null, storeId: 's1' },
      { first: 500, after: '500', storeId: 's1' },
      { first: 500, after: '1000', storeId: 's1' },
    ]);
  });

  it('an empty list is one request; a failed page answers its error', async () => {
    const empty = fakeClient(0);
    expect((await fetchAllPages(empty.client, Query, { storeId: 's1' }, (d) => d.stock)).nodes).toEqual([]);
    expect(empty.asked).toHaveLength(1);
    const failing = fakeClient(1203, 2);
    const { error } = await fetchAllPages(failing.client, Query, { storeId: 's1' }, (d) => d.stock);
    expect(error?.message).toBe('网络中断');
  });
});
