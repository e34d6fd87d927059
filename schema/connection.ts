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
  const Edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: node, resolve: (e) => e.node as any }),
    }),
  });
  return builder.objectRef<Page<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({
        type: [Edge],
        resolve: (p) => p.nodes.map((n) => ({ cursor: p.cursor(n), node: n })),
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
