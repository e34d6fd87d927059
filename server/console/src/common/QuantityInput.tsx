import { forwardRef, type ComponentRef } from 'react';
import { InputNumber, type FormRule, type InputNumberProps } from 'antd';

// D8, D9, D27, D28: a quantity is what the user typed. antd's InputNumber with min/max/precision clamps and rounds on
// blur without a word (−5 → 1, 0 → 1, 1.5 → 2, a count of −5 → 0: a loss nobody counted), and the form would post
// that. Here the field keeps what was typed and its rules say what is wrong, under the field, before anything is sent.

/** The API's bounds (quantitySchema in server/inventory/common.ts, stocktakes.ts, relief/distributions.ts). */
export const QUANTITY_MAX = 100_000_000;
export const HOUSEHOLD_SIZE_MAX = 50;

const KINDS = {
  /** A quantity received, issued, requested, scrapped, rotated or handed out: 1 or more. */
  quantity: { min: 1, max: QUANTITY_MAX, message: '数量须为正整数' },
  /** A stocktake's counted quantity: nothing found is 0. */
  count: { min: 0, max: QUANTITY_MAX, message: '实盘数量须为不小于 0 的整数' },
  /** What arrived of a transfer line: nothing is 0 (the rest stays in transit, or is short with a reason). */
  received: { min: 0, max: QUANTITY_MAX, message: '实收数量须为不小于 0 的整数' },
  /** Any other count that may be nothing (recovered, damaged or lost; found at an agreement check). */
  atLeastZero: { min: 0, max: QUANTITY_MAX, message: '数量须为不小于 0 的整数' },
  /** A household's size (D28, D29: it sets the relief standard). */
  household: { min: 1, max: HOUSEHOLD_SIZE_MAX, message: `家庭人数须为 1–${HOUSEHOLD_SIZE_MAX} 的整数` },
} as const;

export type QuantityKind = keyof typeof KINDS;

/** What is wrong with a typed quantity of this kind, if anything (an empty field is the `required` rule's business). */
export function quantityProblem(kind: QuantityKind, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const { min, max, message } = KINDS[kind];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) return message;
  if (value > max) return kind === 'household' ? message : `数量过大（最多 ${max.toLocaleString('zh-CN')}）`;
  return undefined;
}

/** The rules of a quantity field: `required` (its message) when it must be filled in, and the kind's range. */
export function quantityRules(kind: QuantityKind, required?: string): FormRule[] {
  return [
    ...(required ? [{ required: true, message: required }] : []),
    {
      validator: async (_: unknown, value: unknown) => {
        const problem = quantityProblem(kind, value);
        if (problem) throw new Error(problem);
      },
    },
  ];
}

/**
 * A quantity field that keeps what was typed: no min, max or precision (see above); quantityRules check it. It passes
 * its ref on: the form finds a field by its input (getFieldInstance) to show the API's refusal next to it.
 */
export const QuantityInput = forwardRef<ComponentRef<typeof InputNumber>, Omit<InputNumberProps<number>, 'min' | 'max' | 'precision' | 'step'>>(
  function QuantityInput(props, ref) {
    return <InputNumber<number> {...props} ref={ref} />;
  },
);
