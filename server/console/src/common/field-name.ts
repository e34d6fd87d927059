import { useContext } from 'react';
// antd keeps whether a control sits in a Form.Item in this context (exported from its form module, not from 'antd').
import { FormItemInputContext } from 'antd/es/form/context';

/**
 * The accessible name a shared picker (物资, 区划) gives itself when nothing else names it (sweep 22c F1): a filter
 * above a table has a placeholder only — antd draws it as a span the input is not tied to, so a screen reader announced
 * "组合框" with no name. In a Form.Item the item's label names the field (label for=id), and is kept: `undefined`.
 * An `aria-label` the caller gives wins either way.
 */
export function useFieldName(fallback: string, given?: string): string | undefined {
  const { isFormItemInput } = useContext(FormItemInputContext);
  return given ?? (isFormItemInput ? undefined : fallback);
}
