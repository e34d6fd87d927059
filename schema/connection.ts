import type { ObjectRef } from '@pothos/core';
import { builder } from './builder.ts';
import type { Page } from '../server/pagination.ts';

const PageInfo = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

/** `XConnection { edges { cursor node } pageInfo totalCount }` over a service Page<T>. */
export function connectionType<T>(name: string, node: ObjectRef<any, T>) {
  // An edge's cursor is encoded only when asked for: a nested read of thousands of lines rarely asks.
  const Edge = builder.objectRef<{ page: Page<T>; node: T }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.string({ resolve: (e) => e.page.cursor(e.node) }),
      node: t.field({ type: node, resolve: (e) => e.node as any }),
    }),
  });
  return builder.objectRef<Page<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({
        type: [Edge],
        resolve: (p) => p.nodes.map((node) => ({ page: p, node })),
      }),
      pageInfo: t.field({
        type: PageInfo,
        resolve: (p) => ({
          hasNextPage: p.hasNextPage,
          endCursor: p.nodes.length ? p.cursor(p.nodes[p.nodes.length - 1]) : null,
        }),
      }),
      totalCount: t.int({ resolve: (p) => p.totalCount() }),
    }),
  });
}
