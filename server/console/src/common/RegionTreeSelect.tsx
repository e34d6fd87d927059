import { forwardRef, useCallback, useEffect, useState, type Ref } from 'react';
import { TreeSelect, type GetRef } from 'antd';
import { useClient } from 'urql';
import { useUser } from '../app/session';
import { graphql } from '../graphql/graphql';
import { labelOf, REGION_LEVEL } from './labels';
import { useFieldName } from './field-name';

const ChildrenQuery = graphql(`
  query RegionChildren($parentCode: String) {
    regions(parentCode: $parentCode) {
      code
      name
      level
    }
  }
`);

const ProvincesQuery = graphql(`
  query RegionProvinces {
    regions(level: PROVINCE) {
      code
      name
      level
    }
  }
`);

// A region with the chain above it (province, city, county, township, village: at most four parents).
const ChainQuery = graphql(`
  query RegionChain($code: String!) {
    region(code: $code) {
      code
      name
      level
      parent {
        code
        name
        level
        parent {
          code
          name
          level
          parent {
            code
            name
            level
            parent {
              code
              name
              level
            }
          }
        }
      }
    }
  }
`);

interface Region {
  code: string;
  name: string;
  level: string;
}

interface Node {
  id: string;
  pId?: string;
  value: string;
  title: string;
  isLeaf: boolean;
}

const nodeOf = (r: Region, parent?: string): Node => ({
  id: r.code,
  pId: parent,
  value: r.code,
  title: `${r.name}（${labelOf(REGION_LEVEL, r.level)}）`,
  isLeaf: r.level === 'VILLAGE',
});

/**
 * Picks a region from the tree the way it is kept (F1 of sweep 20b: a 6- or 12-digit code was typed): a regional
 * user's tree starts at their own region, a system-wide one's at the provinces; each level's children are read when
 * it is opened (regions(parentCode)). A county without its townships has none to open — 加载下级区划 adds them (D1).
 * The region a form starts with is shown by name, its chain above it loaded.
 */
function RegionTreeSelectInner(
  {
    value,
    onChange,
    'aria-label': ariaLabel,
    ...rest
  }: {
    value?: string | null;
    onChange?: (code: string | null) => void;
    id?: string;
    style?: React.CSSProperties;
    placeholder?: string;
    allowClear?: boolean;
    disabled?: boolean;
    /** Outside a form: 区划 unless given (sweep 22c F1). */
    'aria-label'?: string;
  },
  ref: Ref<GetRef<typeof TreeSelect>>,
) {
  const name = useFieldName('区划', ariaLabel);
  const client = useClient();
  const own = useUser().region;
  const [nodes, setNodes] = useState<Node[]>([]);
  const [loaded, setLoaded] = useState<string[]>([]);
  const add = useCallback((more: Node[]) => setNodes((known) => [...known, ...more.filter((n) => !known.some((k) => k.id === n.id))]), []);

  // The roots: the user's region, or every province.
  useEffect(() => {
    if (own) {
      void client
        .query(ChainQuery, { code: own.code })
        .toPromise()
        .then(({ data }) => data?.region && add([nodeOf(data.region)]));
    } else {
      void client
        .query(ProvincesQuery, {})
        .toPromise()
        .then(({ data }) => add((data?.regions ?? []).map((r) => nodeOf(r))));
    }
  }, [client, own, add]);

  // The value's chain, up to a root, so that it shows by name and opens where it is.
  useEffect(() => {
    if (!value) return;
    void client
      .query(ChainQuery, { code: value })
      .toPromise()
      .then(({ data }) => {
        const chain: Region[] = [];
        for (let r: (Region & { parent?: unknown }) | null | undefined = data?.region; r; r = r.parent as typeof r) {
          chain.push(r);
          if (own && r.code === own.code) break;
        }
        add(chain.map((r, i) => nodeOf(r, own?.code === r.code ? undefined : chain[i + 1]?.code)));
      });
  }, [client, own, value, add]);

  const loadData = async ({ value: id }: { value?: unknown }) => {
    if (typeof id !== 'string' || loaded.includes(id)) return;
    const { data } = await client.query(ChildrenQuery, { parentCode: id }, { requestPolicy: 'network-only' }).toPromise();
    add((data?.regions ?? []).map((r) => nodeOf(r, id)));
    setLoaded((l) => [...l, id]);
  };

  return (
    <TreeSelect
      ref={ref}
      {...rest}
      aria-label={name}
      value={value ?? undefined}
      onChange={(code: string | undefined) => onChange?.(code ?? null)}
      treeDataSimpleMode
      treeData={nodes}
      loadData={loadData}
      treeLoadedKeys={loaded}
      showSearch
      treeNodeFilterProp="title"
      notFoundContent="没有匹配的区划（只查已展开的各级）"
      popupMatchSelectWidth={false}
      // A county opened shows its townships all at once (a virtual list drew only the first rows of a long level).
      virtual={false}
    />
  );
}

/** Forwards the ref, so that a form can find the field (the API's errors are shown next to it). */
export const RegionTreeSelect = forwardRef(RegionTreeSelectInner);
