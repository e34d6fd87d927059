import { forwardRef, type ComponentRef } from 'react';
import { InputNumber, type FormRule, type InputNumberProps } from 'antd';

// D8, D9, D27, D28: a quantity is what the user typed. antd's InputNumber with min/max/precision clamps and rounds on
// blur without a word (−5 → 1, 0 → 1, 1.5 → 2, a count of −5 → 0: a loss nobody counted), and the form would post
// that. Here the field keeps what was typed and its rules say what is wrong, under the field, before anything is sent.
// The same holds for the other numbers a form sends (受灾人口, 送达时限, 储存年限, 轮换提前期): one mechanism, a kind each.

/** The API's bounds (quantitySchema in server/inventory/common.ts, stocktakes.ts, relief/distributions.ts). */
export const QUANTITY_MAX = 100_000_000;
export const HOUSEHOLD_SIZE_MAX = 50;

/** The API's bounds of the catalog's months (server/catalog/service.ts) and of a plan's deadline (dispatch/plans.ts). */
const STORAGE_LIFE_MAX_MONTHS = 600;
const ROTATION_LEAD_MAX_MONTHS = 120;
const DEADLINE_MAX_HOURS = 24 * 30;
/** GraphQL's Int, and a batch's balance at most (BALANCE_MAX in server/inventory/common.ts). */
const INT_MAX = 2_147_483_647;

interface Kind {
  min: number;
  max: number;
  /** Said for anything below `min`, a fraction where `integer`, or not a number at all. */
  message: string;
  /** Said above `max` (by default: 数量过大). */
  tooLarge?: string;
  /** Whole numbers only (the default). */
  integer?: boolean;
  /** `min` itself is refused too: more than it is needed. */
  aboveMin?: boolean;
}

const KINDS = {
  /** A quantity received, issued, requested, scrapped, rotated or handed out: 1 or more. */
  quantity: { min: 1, max: QUANTITY_MAX, message: '数量须为正整数' },
  /** A stocktake's counted quantity: nothing found is 0; as much as a batch's balance may hold (sweep 18c F3, D9). */
  count: {
    min: 0,
    max: INT_MAX,
    message: '实盘数量须为不小于 0 的整数',
    tooLarge: `实盘数量过大：一个批次的结存最多 ${INT_MAX.toLocaleString('zh-CN')}`,
  },
  /** What arrived of a transfer line: nothing is 0 (the rest stays in transit, or is short with a reason). */
  received: { min: 0, max: QUANTITY_MAX, message: '实收数量须为不小于 0 的整数' },
  /** Any other count that may be nothing (recovered, damaged or lost; found at an agreement check). */
  atLeastZero: { min: 0, max: QUANTITY_MAX, message: '数量须为不小于 0 的整数' },
  /** A household's size (D28, D29: it sets the relief standard). */
  household: {
    min: 1,
    max: HOUSEHOLD_SIZE_MAX,
    message: `家庭人数须为 1–${HOUSEHOLD_SIZE_MAX} 的整数`,
    tooLarge: `家庭人数须为 1–${HOUSEHOLD_SIZE_MAX} 的整数`,
  },
  /** An incident's 受灾人口: none is 0. */
  population: { min: 0, max: INT_MAX, message: '受灾人口须为不小于 0 的整数', tooLarge: '受灾人口过大' },
  /** A plan's 送达时限 in hours (D16: 10 by default): more than 0, a fraction allowed, as the API takes it. */
  hours: {
    min: 0,
    aboveMin: true,
    integer: false,
    max: DEADLINE_MAX_HOURS,
    message: '送达时限须大于 0 小时',
    tooLarge: `送达时限最长 ${DEADLINE_MAX_HOURS} 小时`,
  },
  /** An item's 储存年限 in months (D10). */
  storageLife: {
    min: 1,
    max: STORAGE_LIFE_MAX_MONTHS,
    message: '储存年限须为正整数（月）',
    tooLarge: `储存年限最长 ${STORAGE_LIFE_MAX_MONTHS} 个月（50 年）`,
  },
  /** An item's 轮换提前期 in months (D10): 0 rotates at the end of the storage life. */
  rotationLead: {
    min: 0,
    max: ROTATION_LEAD_MAX_MONTHS,
    message: '轮换提前期须为不小于 0 的整数（月）',
    tooLarge: `轮换提前期最长 ${ROTATION_LEAD_MAX_MONTHS} 个月`,
  },
} as const satisfies Record<string, Kind>;

export type QuantityKind = keyof typeof KINDS;

/** What is wrong with a typed number of this kind, if anything (an empty field is the `required` rule's business). */
export function quantityProblem(kind: QuantityKind, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const { min, max, message, tooLarge, integer = true, aboveMin = false }: Kind = KINDS[kind];
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) return message;
  if (value < min || (aboveMin && value === min)) return message;
  if (value > max) return tooLarge ?? `数量过大（最多 ${max.toLocaleString('zh-CN')}）`;
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
