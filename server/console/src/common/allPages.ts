import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient, type AnyVariables, type Client, type CombinedError, type DocumentInput } from 'urql';

/** The API's largest page (server/pagination.ts MAX_PAGE_SIZE). */
const MAX_PAGE = 500;

/** A cursor connection as the API answers it (first/after → edges, pageInfo). */
export interface Connection<N> {
  edges: readonly { node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/**
 * Every node of a connection, page after page (the API's largest page each time), read afresh. For a screen whose task
 * needs all of a list — every transfer still on its way, every batch to count or pick — where a single `first: N` would
 * silently drop what lies beyond N (sweep 18b F3). The query takes `$first` and `$after`.
 */
export async function fetchAllPages<Data, Vars extends AnyVariables, N>(
  client: Client,
  query: DocumentInput<Data, Vars>,
  variables: Vars,
  connection: (data: Data) => Connection<N>,
): Promise<{ nodes: N[]; error?: CombinedError }> {
  const nodes: N[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await client.query(query, { ...variables, first: MAX_PAGE, after }, { requestPolicy: 'network-only' }).toPromise();
    if (result.error || !result.data) return { nodes, error: result.error };
    const page = connection(result.data);
    nodes.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return { nodes };
    after = page.pageInfo.endCursor;
  }
}

/**
 * fetchAllPages as a hook: `nodes` undefined until read (and while `variables` is undefined: paused); `refetch`
 * reads everything again. A change of variables reads again and drops the answer to the old ones.
 */
export function useAllPages<Data, Vars extends AnyVariables, N>(
  query: DocumentInput<Data, Vars>,
  variables: Vars | undefined,
  connection: (data: Data) => Connection<N>,
): { nodes?: N[]; fetching: boolean; error?: CombinedError; refetch: () => void } {
  const client = useClient();
  const key = variables === undefined ? undefined : JSON.stringify(variables);
  const [round, setRound] = useState(0);
  const [state, setState] = useState<{ key?: string; round: number; nodes?: N[]; error?: CombinedError }>({ round: -1 });
  // The latest selector and query: the effect reads again only when the variables (by value) or the round change.
  const latest = useRef({ query, connection });
  latest.current = { query, connection };
  useEffect(() => {
    if (key === undefined) return;
    let live = true;
    void fetchAllPages(client, latest.current.query, JSON.parse(key) as Vars, latest.current.connection).then(({ nodes, error }) => {
      if (live) setState({ key, round, nodes: error ? undefined : nodes, error });
    });
    return () => {
      live = false;
    };
  }, [client, key, round]);
  const refetch = useCallback(() => setRound((r) => r + 1), []);
  const current = state.key === key && state.round === round;
  // While reading again (refetch), the list read before stays on screen.
  const same = state.key === key;
  return { nodes: same ? state.nodes : undefined, error: current ? state.error : undefined, fetching: key !== undefined && !current, refetch };
}
