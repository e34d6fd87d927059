import { useCallback, useState } from 'react';

export const PAGE_SIZE = 20;

/**
 * Cursor paging for an API connection (first/after): remembers each page's `after` cursor so the table can go back
 * and forth; a change of filter starts again at page 1.
 */
export function useCursorPages(pageSize = PAGE_SIZE) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState(1);
  const reset = useCallback(() => {
    setCursors([null]);
    setPage(1);
  }, []);
  /** Call with the connection's pageInfo when a page arrives, so that the next one can be reached. */
  const remember = useCallback(
    (pageNo: number, endCursor: string | null | undefined) =>
      setCursors((c) => (endCursor && c[pageNo] !== endCursor ? [...c.slice(0, pageNo), endCursor] : c)),
    [],
  );
  const goTo = useCallback((n: number) => setPage((current) => (n >= 1 && n <= cursors.length ? n : current)), [cursors.length]);
  return { variables: { first: pageSize, after: cursors[page - 1] ?? null }, page, pageSize, goTo, reset, remember };
}

/** antd Table pagination for a cursor connection: total from totalCount; pages reachable one after another. */
export function tablePagination(pages: ReturnType<typeof useCursorPages>, totalCount: number | undefined) {
  return {
    current: pages.page,
    pageSize: pages.pageSize,
    total: totalCount ?? 0,
    showSizeChanger: false,
    showTotal: (total: number) => `共 ${total} 条`,
    onChange: pages.goTo,
  };
}
