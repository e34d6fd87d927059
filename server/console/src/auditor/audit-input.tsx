import { Descriptions, Typography } from 'antd';
import { FIELD_WORDS } from '../../../field-words.ts';
import { APPROVAL_KIND, DOCUMENT_TYPE, FUNDING_SOURCE, INCIDENT_TYPE, labelOf, OUTBOUND_PURPOSE, RECEIPT_SOURCE, ROLE, STORE_KIND } from '../common/labels';

// Sweep 16b F1: an audit entry's input said in Chinese — each field by the name the API's refusals give it, enumerated
// values by their Chinese names, ids shortened — so an auditor reads what was done (D22), not a JSON dump.

/**
 * The wrappers an entry keeps its input in say nothing themselves. Sweep 24b F3: what an edit replaced (`prior`, kept
 * beside the new values) reads 「原值 角色 调度员」, and what a creation made (`created`) 「新建 用户 …」 — not the keys.
 */
const FIELD: Readonly<Record<string, string>> = { ...FIELD_WORDS, input: '', filter: '', prior: '原值', created: '新建' };

/** Enumerated values by field: the API's codes in Chinese. */
const VALUE: Record<string, Record<string, string>> = {
  decision: { APPROVE: '批准', REJECT: '驳回' },
  purpose: OUTBOUND_PURPOSE,
  role: ROLE,
  type: { ...INCIDENT_TYPE, ...DOCUMENT_TYPE },
  kind: { ...APPROVAL_KIND, ...STORE_KIND },
  fundingSource: FUNDING_SOURCE,
  source: RECEIPT_SOURCE,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A record the entry's input names, as the API names it for this reader (AuditEntry.references). */
export interface AuditReference {
  field: string;
  id: string;
  name?: string | null;
  code?: string | null;
}

/**
 * Sweep 22c F7: a record by what a person recognises — 「卫辉市救灾物资储备库（S-410781-01）」, an incident's name, a
 * document's number; null when the API names none (unknown, or beyond the reader's scope).
 */
export const referenceLabel = (ref: AuditReference | undefined): string | null =>
  ref?.name ? (ref.code && ref.code !== ref.name ? `${ref.name}（${ref.code}）` : ref.name) : null;

/** referenceLabel, the id on hover. */
function referenceText(ref: AuditReference | undefined) {
  const label = referenceLabel(ref);
  if (!label) return null;
  return (
    <span title={ref!.id} data-testid="audit-reference">
      {label}
    </span>
  );
}

/**
 * One value in words: 是/否, a code's Chinese name, a record the API names by its name (referenceText), another id by
 * its first 8 characters (the whole on hover).
 */
function valueText(field: string, value: unknown, ref?: AuditReference) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? '是' : '否';
  const named = referenceText(ref);
  if (named) return named;
  if (typeof value === 'string' && UUID.test(value)) {
    return (
      <Typography.Text title={value} type="secondary">
        {value.slice(0, 8)}…
      </Typography.Text>
    );
  }
  if (typeof value === 'string' && VALUE[field]) return labelOf(VALUE[field], value);
  return String(value);
}

interface Row {
  label: string;
  value: React.ReactNode;
}

/**
 * The input's fields, nested objects and lists flattened: 「明细 第 1 行 数量」. `at` is the value's path in the input
 * JSON (「input.lines.0.itemId」), by which the API's references name it.
 */
function rowsOf(value: unknown, path: string[], field: string, at: string, refs: ReadonlyMap<string, AuditReference>): Row[] {
  const within = (key: string | number) => (at ? `${at}.${key}` : String(key));
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return [
        {
          label: path.join(' '),
          value: value.map((v, i) => valueText(field, v, refs.get(within(i)))).reduce<React.ReactNode[]>((all, v, i) => (i ? [...all, '、', v] : [v]), []),
        },
      ];
    }
    const unit = field === 'lines' || field === 'counts' || field === 'findings' ? '行' : field === 'destinations' ? '个安置点' : '项';
    return value.flatMap((v, i) => rowsOf(v, [...path, `第 ${i + 1} ${unit}`], field, within(i), refs));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
      const words = FIELD[key] ?? key;
      return rowsOf(v, words ? [...path, words] : path, key, within(key), refs);
    });
  }
  return [{ label: path.join(' ') || '内容', value: valueText(field, value, refs.get(at)) }];
}

/**
 * An audit entry's input (the JSON the log keeps) as a Chinese list of fields and values; the records it names by
 * their names where the API gives them (`references`, sweep 22c F7).
 */
export function AuditInput({ input, references = [] }: { input: string | null | undefined; references?: readonly AuditReference[] }) {
  if (!input) return <Typography.Text type="secondary">无输入内容</Typography.Text>;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return <Typography.Text>{input}</Typography.Text>;
  }
  const rows = rowsOf(parsed, [], '', '', new Map(references.map((r) => [r.field, r])));
  if (rows.length === 0) return <Typography.Text type="secondary">无输入内容</Typography.Text>;
  return (
    <Descriptions size="small" column={1} bordered data-testid="audit-input">
      {rows.map((r, i) => (
        <Descriptions.Item key={i} label={r.label}>
          {r.value}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

/**
 * 说明 of an entry that succeeded (the log keeps a message only for a refusal): what was decided, in a line — 审批's
 * decision with its 批准文号 or reason, a plan's emergency approval.
 */
export function auditSummary(operation: string, input: string | null | undefined): string {
  let parsed: Record<string, unknown> = {};
  try {
    const all = JSON.parse(input ?? '{}') as Record<string, unknown>;
    parsed = { ...all, ...((all.input as Record<string, unknown> | undefined) ?? {}) };
  } catch {
    return '';
  }
  const text = (v: unknown) => (typeof v === 'string' && v ? v : '');
  if (operation === 'decideApproval') {
    const decision = parsed.decision === 'APPROVE' ? '批准' : parsed.decision === 'REJECT' ? '驳回' : '';
    const ref = text(parsed.approvalRef) && `批准文号 ${text(parsed.approvalRef)}`;
    const reason = text(parsed.reason) && `意见：${text(parsed.reason)}`;
    return [decision, ref, reason].filter(Boolean).join('，');
  }
  if (operation === 'approveDispatchPlan') return parsed.emergency ? '紧急批准（D14：48 小时内补办书面审批）' : '批准';
  if (operation === 'recordWrittenApproval') return text(parsed.approvalRef) && `批准文号 ${text(parsed.approvalRef)}`;
  if (operation === 'cancelDispatchPlan' || operation === 'cancelTransfer' || operation === 'reverseDocument' || operation === 'closeOutboundOrder') {
    return text(parsed.reason) && `原因：${text(parsed.reason)}`;
  }
  return '';
}
