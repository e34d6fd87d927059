import { Client, CombinedError, cacheExchange, fetchExchange, makeOperation, mapExchange, type Operation, type OperationResult } from 'urql';
import { authHeaders } from './token';
import { OutcomeUnknown } from '../common/api-errors';

/**
 * Sweep 23c F6: how long a request may go unanswered before the console stops waiting — a submit whose answer never
 * comes stopped spinning only when the browser gave up on the connection, minutes later. Subscriptions (the plan's live
 * status over SSE) stay open: they are meant to.
 */
export const ANSWER_TIMEOUT_MS = 30_000;

/**
 * fetch, given up after ANSWER_TIMEOUT_MS unless it is a subscription's stream (its Accept asks for events first). By
 * hand rather than AbortSignal.timeout/any: the browsers of government offices (360, QQ on older Chromium) lack them, and
 * a TypeError there would have failed every request. The abort's reason is a TimeoutError: urql drops an AbortError as
 * its own teardown, and the user must hear of a timeout.
 */
function fetchWithTimeout(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const accept = new Headers(init?.headers).get('accept') ?? '';
  if (accept.startsWith('text/event-stream')) return fetch(input, init);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('无应答', 'TimeoutError')), ANSWER_TIMEOUT_MS);
  const outer = init?.signal;
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
  return fetch(input, { ...init, signal: controller.signal }).finally(() => clearTimeout(timer));
}

/**
 * Why the API refused the tab's session (UNAUTHENTICATED's extensions.reason, sweep 23c F4): a session that ended —
 * expired, 退出 on another device, a password reset — or an account an administrator disabled.
 */
export type SessionEnd = 'SESSION_ENDED' | 'ACCOUNT_DISABLED';

/** The session end an UNAUTHENTICATED refusal's reason names (anything but ACCOUNT_DISABLED: the session ended). */
export const sessionEndOf = (reason: unknown): SessionEnd => (reason === 'ACCOUNT_DISABLED' ? 'ACCOUNT_DISABLED' : 'SESSION_ENDED');

/**
 * The session end a plain-HTTP refusal reports — an upload's or a download's 401 `{ error: { code, message, reason } }`,
 * told as GraphQL's (server/auth/session-refusal.ts) —, else null: one without a reason (a spent or altered download
 * link, no token sent) ended no session, and the tab's stays.
 */
export function fileSessionEnd(answer: unknown): SessionEnd | null {
  const error = (answer as { error?: { code?: unknown; reason?: unknown } } | null)?.error;
  return error?.code === 'UNAUTHENTICATED' && typeof error.reason === 'string' ? sessionEndOf(error.reason) : null;
}

/** The API codes of a refusal caused by the state of what was acted on — someone else's change, likely. */
const STATE_REFUSALS = new Set(['INVALID_STATE', 'INSUFFICIENT_STOCK']);

/** Whether a mutation sent an idempotency key (as an argument or in its input): then sending it again is safe. */
function sentIdempotencyKey(operation: Operation): boolean {
  const v = operation.variables as { idempotencyKey?: unknown; input?: { idempotencyKey?: unknown } } | undefined;
  return typeof v?.idempotencyKey === 'string' || typeof v?.input?.idempotencyKey === 'string';
}

/**
 * The one GraphQL client: POST /graphql with the bearer token; subscriptions over SSE on the same endpoint
 * (fetchSubscriptions), so the console talks to nothing but the API. A session the API refuses (UNAUTHENTICATED: expired,
 * ended by 退出 in another tab, the account disabled) is handed to `onUnauthenticated` with the API's reason, which asks
 * the user to log in again over the page (sweep 23c F4: app/session.tsx).
 *
 * Sweep 23c F4: the page's queries refused meanwhile are kept, and `resume` reads them again once the same user has
 * logged in again — the page stays as it was, with what was typed, and its data comes back.
 *
 * Sweep 23c, for every page at once:
 * - F2: a mutation refused for the state of what it acted on (INVALID_STATE, INSUFFICIENT_STOCK: someone else approved,
 *   executed, issued meanwhile) reads the page's queries again from the API (network-only), so the screen behind the
 *   refusal shows the state the message speaks of.
 * - F6: a mutation whose answer was lost (network failure or timeout) may have been carried out: its network error is
 *   an OutcomeUnknown, which api-errors words as such (and says whether 重试 is safe: an idempotency key was sent).
 */
export function createApiClient(onUnauthenticated: (reason: SessionEnd) => void): { client: Client; resume: () => void } {
  // The queries the pages hold open (by operation key), to read again after a state refusal.
  const active = new Map<number, Operation>();
  // Those of them last refused for want of a session, to read again after the re-login.
  const refused = new Map<number, Operation>();
  const resume = () => {
    const again = [...refused.values()].filter((op) => active.has(op.key));
    refused.clear();
    for (const op of again) client.reexecuteOperation(makeOperation('query', op, { ...op.context, requestPolicy: 'network-only' }));
  };
  const refreshPage = () => {
    for (const op of active.values()) client.reexecuteOperation(makeOperation('query', op, { ...op.context, requestPolicy: 'network-only' }));
  };
  const client: Client = new Client({
    url: '/graphql',
    exchanges: [
      mapExchange({
        onOperation(operation) {
          if (operation.kind === 'query') active.set(operation.key, operation);
          else if (operation.kind === 'teardown') {
            active.delete(operation.key);
            refused.delete(operation.key);
          }
        },
        onError(error, operation) {
          const refusal = error.graphQLErrors.find((e) => e.extensions?.code === 'UNAUTHENTICATED');
          if (!refusal) return;
          if (operation.kind === 'query') refused.set(operation.key, operation);
          onUnauthenticated(sessionEndOf(refusal.extensions.reason));
        },
        onResult(result): OperationResult | undefined {
          const { operation, error } = result;
          if (operation.kind === 'query' && !error) refused.delete(operation.key);
          if (operation.kind !== 'mutation' || !error) return undefined;
          if (error.graphQLErrors.some((e) => STATE_REFUSALS.has(String(e.extensions?.code)))) refreshPage();
          if (error.networkError && !error.graphQLErrors.length && !(error.networkError instanceof OutcomeUnknown)) {
            return { ...result, error: new CombinedError({ networkError: new OutcomeUnknown(sentIdempotencyKey(operation)), response: error.response }) };
          }
          return undefined;
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
    fetch: fetchWithTimeout,
    fetchSubscriptions: true,
    fetchOptions: () => ({ headers: authHeaders() }),
    requestPolicy: 'cache-and-network',
  });
  return { client, resume };
}
