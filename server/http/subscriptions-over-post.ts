import { getOperationAST, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * API.md "The edge": GET only for queries. yoga refuses a mutation over GET (405); a subscription over GET is refused
 * the same way, before it subscribes: a live stream is opened by POST (as the console's urql client does, with
 * fetchSubscriptions) — so a link, a prefetch or an <img src> cannot open one.
 */
export function subscriptionsOverPost(): Plugin {
  return {
    onParse:
      ({ context }) =>
      ({ result }) => {
        const { request, params } = context as { request?: Request; params?: { operationName?: string | null } };
        if (request?.method !== 'GET' || result instanceof Error) return;
        if (getOperationAST(result, params?.operationName)?.operation !== 'subscription') return;
        throw new GraphQLError('订阅只能用 POST 请求提交', {
          extensions: { code: 'BAD_REQUEST', http: { status: 405, headers: { Allow: 'POST' } } },
        });
      },
  };
}
