import { useCallback, useRef, useState } from 'react';
import { App } from 'antd';
import { useClient, type AnyVariables, type DocumentInput } from 'urql';
import { errorMessages } from './api-errors';

export const PAGE_SIZE = 20;

/** The API's largest page (server/pagination.ts MAX_PAGE_SIZE): a jump reads the cursors in steps of this many. */
const MAX_PAGE = 500;

/** What a table's page is read with: its query (taking `$first` and `$after`) and its other variables (the filter). */
export interface PageSource {
  // The page's own typed query: its data and variables types are the page's, any here.
  query: DocumentInput<any, any>;
  variables: AnyVariables;
}

/** The little of a GraphQL document's syntax tree that cursorQuery reads and writes. */
interface AstNode {
  readonly kind: string;
  readonly [key: string]: unknown;
}
interface FieldNode extends AstNode {
  readonly name: { readonly value: string };
  readonly arguments?: readonly AstNode[];
  readonly selectionSet?: { readonly kind: string; readonly selections: readonly AstNode[] };
}

const name = (value: string) => ({ kind: 'Name', value });
const field = (n: string, selections?: AstNode[]): AstNode => ({
  kind: 'Field',
  name: name(n),
  ...(selections && { selectionSet: { kind: 'SelectionSet', selections } }),
});
const CURSORS_ONLY = [field('edges', [field('cursor')]), field('pageInfo', [field('hasNextPage'), field('endCursor')])];

const isField = (n: AstNode): n is FieldNode => n.kind === 'Field';
const isConnection = (f: FieldNode) => {
  const names = new Set((f.selectionSet?.selections ?? []).filter(isField).map((s) => s.name.value));
  return names.has('edges') && names.has('pageInfo');
};

/** The path from the operation down to its connection field, each field with only the next one selected. */
function pathToConnection(selections: readonly AstNode[]): FieldNode | undefined {
  for (const s of selections.filter(isField)) {
    if (isConnection(s)) return { ...s, selectionSet: { kind: 'SelectionSet', selections: CURSORS_ONLY } };
    const inner = s.selectionSet && pathToConnection(s.selectionSet.selections);
    if (inner) return { ...s, selectionSet: { kind: 'SelectionSet', selections: [inner] } };
  }
  return undefined;
}

/** The names of the variables a piece of the tree uses (`$storeId` inside `filter: { storeId: $storeId }` too). */
function variablesUsed(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => variablesUsed(n, into));
  else if (node && typeof node === 'object') {
    const n = node as AstNode;
    if (n.kind === 'Variable') into.add((n.name as { value: string }).value);
    else for (const [key, value] of Object.entries(n)) if (key !== 'loc') variablesUsed(value, into);
  }
  return into;
}

const cursorQueries = new WeakMap<object, PageSource['query']>();

/**
 * The page's query reduced to its connection's cursors (`edges { cursor } pageInfo { … }`), with the same filter: a
 * jump reads 500 cursors per request, a few bytes each, instead of 500 rows with everything they show. Other root fields
 * (a page's category list …), fragments and the variables only they use are left out, as GraphQL refuses unused ones.
 */
function cursorQuery(query: PageSource['query']): PageSource['query'] {
  if (typeof query !== 'object') throw new Error('paging: a page query must be a parsed document');
  const known = cursorQueries.get(query);
  if (known) return known;
  const operation = (query.definitions as readonly AstNode[]).find((d) => d.kind === 'OperationDefinition');
  const selections = (operation?.selectionSet as { selections: readonly AstNode[] } | undefined)?.selections ?? [];
  const connection = operation && pathToConnection(selections);
  if (!operation || !connection) throw new Error('paging: the page query has no connection (edges and pageInfo)');
  const used = variablesUsed(connection, new Set());
  const definitions = ((operation.variableDefinitions ?? []) as readonly AstNode[]).filter((d) =>
    used.has(((d.variable as AstNode).name as { value: string }).value),
  );
  const opName = operation.name as { value: string } | undefined;
  const document = {
    kind: 'Document',
    definitions: [
      {
        kind: 'OperationDefinition',
        operation: 'query',
        name: name(`${opName?.value ?? 'Page'}Cursors`),
        variableDefinitions: definitions,
        directives: [],
        selectionSet: { kind: 'SelectionSet', selections: [connection] },
      },
    ],
  };
  cursorQueries.set(query, document as unknown as PageSource['query']);
  return document as unknown as PageSource['query'];
}

/** The connection's cursors in an answer to cursorQuery: down the one path of fields to edges and pageInfo. */
function cursorsOf(data: unknown): { edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } } | undefined {
  let node = data as Record<string, unknown> | null | undefined;
  while (node && typeof node === 'object' && !('edges' in node)) node = Object.values(node)[0] as Record<string, unknown> | null | undefined;
  return (node ?? undefined) as ReturnType<typeof cursorsOf>;
}

/**
 * Cursor paging for an API connection (first/after): remembers each page's `after` cursor so the table can go back
 * and forth; a change of filter starts again at page 1. A page not reached yet (the last, a far number, 向后 5 页) is
 * reached by reading forward from the furthest page known — only the cursors, 500 per request, the table loading
 * meanwhile (sweep 22a F3: such a click did nothing, as the API's connections go forward only, first/after).
 */
export function useCursorPages(pageSize = PAGE_SIZE) {
  const client = useClient();
  const { message } = App.useApp();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState(1);
  const [walking, setWalking] = useState(false);
  /** The latest jump: a later one, or a change of filter, makes an earlier one's answer moot. */
  const walk = useRef(0);
  const known = useRef(cursors);
  known.current = cursors;
  const reset = useCallback(() => {
    walk.current += 1;
    setWalking(false);
    setCursors([null]);
    setPage(1);
  }, []);
  /** Call with the connection's pageInfo when a page arrives, so that the next one can be reached. */
  const remember = useCallback(
    (pageNo: number, endCursor: string | null | undefined) =>
      setCursors((c) => (endCursor && c[pageNo] !== endCursor ? [...c.slice(0, pageNo), endCursor] : c)),
    [],
  );
  const goTo = useCallback(
    async (n: number, source: PageSource) => {
      const id = ++walk.current;
      const start = known.current;
      if (n < 1) return;
      if (n <= start.length) {
        setWalking(false);
        setPage(n);
        return;
      }
      setWalking(true);
      // Page k + m begins after the (m × pageSize)-th row that follows page k's own `after` cursor.
      const found = [...start];
      let after = start[start.length - 1];
      let rows = 0;
      const query = cursorQuery(source.query);
      while (found.length < n) {
        const want = Math.min(MAX_PAGE, (n - found.length) * pageSize - (rows % pageSize));
        const result = await client.query(query, { ...source.variables, first: want, after }, { requestPolicy: 'network-only' }).toPromise();
        if (id !== walk.current) return;
        const connection = cursorsOf(result.data);
        if (result.error || !connection) {
          setWalking(false);
          message.error(`未能翻到第 ${n} 页：${result.error ? errorMessages(result.error).join('；') : '请重试'}`);
          return;
        }
        for (const e of connection.edges) {
          rows += 1;
          if (rows % pageSize === 0 && found.length < n) found.push(e.cursor);
        }
        if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) break;
        after = connection.pageInfo.endCursor;
      }
      // Kept unless the pages known meanwhile disagree (the list changed under the walk: its cursors would be stale). The
      // list may have shrunk meanwhile: then its last page, rather than none.
      const now = known.current;
      const agree = now.every((x, i) => i >= found.length || x === found[i]);
      const cursorsNow = agree && found.length > now.length ? found : now;
      setCursors(cursorsNow);
      setPage(Math.min(n, cursorsNow.length));
      setWalking(false);
    },
    [client, message, pageSize],
  );
  const current = Math.min(page, cursors.length);
  return { variables: { first: pageSize, after: cursors[current - 1] ?? null }, page: current, pageSize, goTo, reset, remember, walking };
}

/**
 * antd Table pagination for a cursor connection: total from totalCount; every page number can be clicked (a far one is
 * read forward to, see useCursorPages). `source` is what the table's page is read with, less first/after.
 */
export function tablePagination(pages: ReturnType<typeof useCursorPages>, totalCount: number | undefined, source: PageSource) {
  return {
    current: pages.page,
    pageSize: pages.pageSize,
    total: totalCount ?? 0,
    showSizeChanger: false,
    disabled: pages.walking,
    showTotal: (total: number) => (pages.walking ? `共 ${total} 条 · 正在翻页…` : `共 ${total} 条`),
    onChange: (n: number) => void pages.goTo(n, source),
  };
}
