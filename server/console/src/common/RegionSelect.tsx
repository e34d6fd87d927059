import { forwardRef, type Ref } from 'react';
import { Select, type RefSelectProps } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { labelOf, REGION_LEVEL } from './labels';
import { useFieldName } from './field-name';

// Provinces, cities and counties (townships and villages are too many for one list and are not parties to agreements).
const RegionsQuery = graphql(`
  query RegionOptions {
    provinces: regions(level: PROVINCE) {
      code
      name
      level
    }
    cities: regions(level: CITY) {
      code
      name
      level
    }
    counties: regions(level: COUNTY) {
      code
      name
      level
    }
  }
`);

type Props = {
  id?: string;
  style?: React.CSSProperties;
  placeholder?: string;
  allowClear?: boolean;
  /** Outside a form: 区划 unless given (sweep 22c F1). */
  'aria-label'?: string;
} & ({ mode: 'multiple'; value?: string[]; onChange?: (codes: string[]) => void } | { mode?: undefined; value?: string; onChange?: (code: string) => void });

/** Picks one or several regions (province, city or county) by name. */
function RegionSelectInner(props: Props, ref: Ref<RefSelectProps>) {
  const name = useFieldName('区划', props['aria-label']);
  const [{ data, fetching }] = useQuery({ query: RegionsQuery });
  const regions = [...(data?.provinces ?? []), ...(data?.cities ?? []), ...(data?.counties ?? [])].sort((a, b) => a.code.localeCompare(b.code));
  return (
    <Select
      ref={ref}
      {...(props as object)}
      aria-label={name}
      showSearch
      optionFilterProp="label"
      loading={fetching}
      notFoundContent={fetching ? '查询中…' : '没有匹配的区划'}
      options={regions.map((r) => ({ value: r.code, label: `${r.name}（${labelOf(REGION_LEVEL, r.level)}）` }))}
    />
  );
}

/** Forwards the ref, so that a form can find the field (the API's errors are shown next to it). */
export const RegionSelect = forwardRef(RegionSelectInner);
