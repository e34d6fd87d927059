import { forwardRef, useRef, useState, type Ref } from 'react';
import { Select, Typography, type RefSelectProps } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { useSettled } from './useSettled';

const StoreOption = graphql(`
  fragment StoreOption on Store {
    id
    name
    code
  }
`);

const StoresQuery = graphql(
  `
    query StoreOptions($regionCode: String, $kind: StoreKind, $search: String, $first: Int, $withOperator: Boolean = false) {
      stores(regionCode: $regionCode, kind: $kind, search: $search, first: $first) {
        totalCount
        edges {
          node {
            ...StoreOption
            operator @include(if: $withOperator) {
              name
            }
          }
        }
      }
    }
  `,
  [StoreOption],
);

const DestinationsQuery = graphql(
  `
    query TransferDestinationOptions($fromStoreId: ID!, $search: String, $first: Int) {
      transferDestinations(fromStoreId: $fromStoreId, search: $search, first: $first) {
        totalCount
        edges {
          node {
            ...StoreOption
          }
        }
      }
    }
  `,
  [StoreOption],
);

// The stores already chosen, by id: a keeper's scope or a filter may name stores past the first page of matches.
const ChosenStoresQuery = graphql(
  `
    query ChosenStores($ids: [ID!]!, $first: Int, $withOperator: Boolean = false) {
      stores(ids: $ids, first: $first) {
        edges {
          node {
            ...StoreOption
            operator @include(if: $withOperator) {
              name
            }
          }
        }
      }
    }
  `,
  [StoreOption],
);

/** A store as the picker shows it (with `withOperator`, the company operating it). */
export interface PickedStore {
  id: string;
  name: string;
  code: string;
  operator?: { name: string } | null;
}
type Store = PickedStore;
type StoreKind = 'GOVERNMENT' | 'ENTRUSTED' | 'AGREEMENT' | 'DISTRIBUTION_POINT';

/** How many matches the list shows: a first page; more are found by typing (sweep 22a F1). */
export const STORE_PICKER_PAGE = 100;
/** The API's longest search word (API.md The edge). */
const SEARCH_MAX = 64;
/** Typing pauses this long before the server is asked. */
const SEARCH_DELAY_MS = 250;

const labelOf = (s: Store) => `${s.name}（${s.code}）${s.operator ? ` · ${s.operator.name}` : ''}`;

/**
 * Picks one of the stores the user may see (in a region subtree when given), or, with `transferFrom`, one of the
 * stores a transfer from that store may go to (a keeper sees the other stores of the city only here).
 *
 * Sweep 22a F1: searched on the server as the user types (a name or code word: `stores(search)`,
 * `transferDestinations(search)`) — a city of 509 stores offered its first 500 and filtered them here, so that the 501st
 * could not be picked anywhere. The list shows the first STORE_PICKER_PAGE matches and says when more match; the
 * stores already chosen keep their names (looked up by id when not among the matches).
 */
function StoreSelectInner(
  {
    value,
    onChange,
    regionCode,
    kind,
    withOperator = false,
    onPick,
    emptyText = '没有匹配的仓库',
    transferFrom,
    multiple,
    known: knownStores,
    ...rest
  }: {
    value?: string | string[];
    /** An id; with `multiple`, the ids. */
    onChange?: ((id: string) => void) | ((ids: string[]) => void);
    /** Several stores (a keeper's). */
    multiple?: boolean;
    regionCode?: string;
    /** Only stores of this kind (a company's 代储库 or 协议储备库 for an agreement). */
    kind?: StoreKind;
    /** Names the company operating each store (`· 企业`), as an agreement's store is picked by its company. */
    withOperator?: boolean;
    /** The store picked, with what the list shows of it (its operator). */
    onPick?: (store: PickedStore | undefined) => void;
    /** What the list says when nothing matches. */
    emptyText?: string;
    transferFrom?: string;
    /** Stores the caller already has by name (a keeper's, on the user row): the chosen ones among them show by name at once. */
    known?: readonly PickedStore[];
    id?: string;
    style?: React.CSSProperties;
    placeholder?: string;
    allowClear?: boolean;
  },
  ref: Ref<RefSelectProps>,
) {
  const [typed, setTyped] = useState('');
  const search = useSettled(typed.trim(), SEARCH_DELAY_MS) || null;
  const [stores] = useQuery({
    query: StoresQuery,
    variables: { regionCode: regionCode ?? null, kind: kind ?? null, search, first: STORE_PICKER_PAGE, withOperator },
    pause: !!transferFrom,
  });
  const [destinations] = useQuery({
    query: DestinationsQuery,
    variables: { fromStoreId: transferFrom ?? '', search, first: STORE_PICKER_PAGE },
    pause: !transferFrom,
  });
  const page = transferFrom ? destinations.data?.transferDestinations : stores.data?.stores;
  const matches: Store[] = (page?.edges ?? []).map((e) => e.node);

  // Every store seen, by id: the chosen ones keep their names while a search shows others.
  const known = useRef(new Map<string, Store>());
  for (const s of knownStores ?? []) if (!known.current.has(s.id)) known.current.set(s.id, s);
  for (const s of matches) known.current.set(s.id, s);
  const chosenIds = value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value];
  const unknown = chosenIds.filter((id) => !known.current.has(id));
  const [chosen] = useQuery({ query: ChosenStoresQuery, variables: { ids: unknown, first: unknown.length, withOperator }, pause: !unknown.length });
  for (const { node } of chosen.data?.stores.edges ?? []) known.current.set(node.id, node);

  const word = (search ?? '').toLowerCase();
  const matching = (s: Store) => !word || s.name.toLowerCase().includes(word) || s.code.toLowerCase().includes(word);
  const listed = new Set(matches.map((s) => s.id));
  // The chosen stores not on the page of matches, first, while they match what is typed (all of them before typing).
  const extra = chosenIds.flatMap((id) => {
    const s = known.current.get(id);
    return s && !listed.has(id) && matching(s) ? [s] : [];
  });
  const total = page?.totalCount ?? 0;
  const fetching = stores.fetching || destinations.fetching || typed.trim() !== (search ?? '');
  return (
    <Select
      ref={ref}
      {...rest}
      showSearch
      mode={multiple ? 'multiple' : undefined}
      filterOption={false}
      onSearch={(s) => setTyped(s.slice(0, SEARCH_MAX))}
      // A search ends with the pick, or when the list closes (antd clears what was typed): the first page again.
      onSelect={(id: string) => {
        setTyped('');
        onPick?.(known.current.get(id));
      }}
      onOpenChange={(open) => !open && setTyped('')}
      value={value}
      onChange={onChange as ((v: string | string[]) => void) | undefined}
      loading={fetching}
      notFoundContent={fetching ? '查询中…' : emptyText}
      // Sweep 24b F4: a chosen store not yet looked up shows 「加载中…」, never its id.
      options={[
        ...extra.map((s) => ({ value: s.id, label: labelOf(s) })),
        ...matches.map((s) => ({ value: s.id, label: labelOf(s) })),
        ...unknown.filter((id) => !known.current.has(id) && !listed.has(id)).map((id) => ({ value: id, label: '加载中…' })),
      ]}
      popupRender={(menu) => (
        <>
          {menu}
          {total > matches.length && (
            <Typography.Text type="secondary" data-testid="store-select-more" style={{ display: 'block', padding: '4px 12px' }}>
              共 {total} 个，仅显示前 {matches.length} 个，请输入名称或代码缩小范围
            </Typography.Text>
          )}
        </>
      )}
    />
  );
}

/** Forwards the ref, so that a form can find the field (the API's errors are shown next to it). */
export const StoreSelect = forwardRef(StoreSelectInner);
