import { Client, cacheExchange, fetchExchange, mapExchange } from 'urql';
import { authHeaders } from './token';

/**
 * The one GraphQL client: POST /graphql with the bearer token; subscriptions over SSE on the same endpoint
 * (fetchSubscriptions), so the console talks to nothing but the API. A session the API refuses (UNAUTHENTICATED: expired,
 * or ended by 退出 in another tab) is handed to `onUnauthenticated`, which sends the user to log in and says why.
 */
export function createApiClient(onUnauthenticated: () => void): Client {
  return new Client({
    url: '/graphql',
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
    fetchSubscriptions: true,
    fetchOptions: () => ({ headers: authHeaders() }),
    requestPolicy: 'cache-and-network',
  });
}
