import { useState } from 'react';
import { Alert, Form, Select, Table } from 'antd';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { FormDialog } from '../common/FormDialog';
import { formatQuantity, newIdempotencyKey } from '../common/format';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import type { RecoverablePlan, RecoveryLine } from './recovery';

const Recover = graphql(`
  mutation RecoverIncidentStock($input: RecoveryInput!) {
    recoverIncidentStock(input: $input) {
      id
      status
    }
  }
`);

interface LineValues {
  good?: number | null;
  damaged?: number | null;
  lost?: number | null;
}

interface Values {
  toStoreId?: string;
  lines: LineValues[];
}

const CONDITIONS = [
  ['good', '完好'],
  ['damaged', '破损'],
  ['lost', '丢失'],
] as const;

const sumOf = (l: LineValues | undefined) => (l?.good ?? 0) + (l?.damaged ?? 0) + (l?.lost ?? 0);

/**
 * 回收清点 (D12, D30) under one plan: per 安置点 and batch, how many came back good, damaged or lost. Good stock is booked back
 * into the store it was shipped from (or the store chosen); damaged goes to scrap and lost to write-off, both waiting
 * for a second person's approval (D27). The API refuses more than the 安置点 still hold, next to the line.
 */
export function RecoverStockModal({ plan, onClose }: { plan: RecoverablePlan; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [key] = useState(newIdempotencyKey);
  const [, recover] = useMutation(Recover);
  // The lines whose good stock the chosen store takes: those counted good so far, else every line (before counting).
  const counts = Form.useWatch('lines', form) as LineValues[] | undefined;
  const countedGood = plan.lines.filter((_, i) => (counts?.[i]?.good ?? 0) > 0);
  const goodLines = countedGood.length ? countedGood : plan.lines;
  const defaults = new Set(plan.lines.flatMap((l) => (l.shippedFrom ? [l.shippedFrom] : [])));
  // Sweep 19a F11: the stores the server takes every such line's good stock into (OutstandingRecoveryLine.recoveryStores).
  const takes = (storeId: string, l: RecoveryLine) => l.recoveryStores.some((st) => st.id === storeId);
  const stores = [...new Map(plan.lines.flatMap((l) => l.recoveryStores.map((st) => [st.id, st] as const))).values()];
  const choices = stores.filter((st) => goodLines.every((l) => takes(st.id, l))).sort((a, b) => Number(defaults.has(b.id)) - Number(defaults.has(a.id)));

  const submit = async (v: Values) => {
    const counted = plan.lines.map((l, i) => ({ l, i, values: v.lines[i] })).filter(({ values }) => sumOf(values) > 0);
    if (!counted.length) {
      form.setFields([{ name: ['lines', 0, 'good'], errors: ['请至少登记一件（完好、破损或丢失）'] }]);
      return undefined;
    }
    const { error } = await recover({
      input: {
        planId: plan.planId,
        toStoreId: v.toStoreId ?? null,
        idempotencyKey: key,
        lines: counted.map(({ l, values }) => ({
          batchId: l.batchId,
          storeId: l.storeId,
          fromHouseholds: l.fromHouseholds,
          good: values.good ?? 0,
          damaged: values.damaged ?? 0,
          lost: values.lost ?? 0,
        })),
      },
    });
    const total = (c: keyof LineValues) => counted.reduce((n, { values }) => n + (values[c] ?? 0), 0);
    const parts = [`完好 ${total('good')} 已入库`];
    if (total('damaged')) parts.push(`破损 ${total('damaged')} 待报废审批`);
    if (total('lost')) parts.push(`丢失 ${total('lost')} 待核销审批`);
    return { error, mapping: { rows: { list: 'lines', keys: counted.map(({ i }) => i) } }, success: `回收已登记：${parts.join('，')}` };
  };

  // Each line's count cannot exceed what is outstanding of its batch at its 安置点 (D30); the error sits on the 完好 field, where the
  // API puts its own refusal of the line.
  const withinOutstanding = (line: RecoveryLine, i: number) => ({
    validator: async () => {
      const sum = sumOf(form.getFieldValue(['lines', i]) as LineValues | undefined);
      if (sum > line.outstanding) throw new Error(`合计 ${sum} 超过待回收数量 ${line.outstanding}`);
    },
  });

  return (
    <FormDialog
      form={form}
      name="recover"
      width={900}
      title={`回收清点：${plan.label}`}
      okText="登记回收"
      intro={
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message="完好的物资回收入库（默认回到原发出仓库）；破损的转报废、丢失的转核销，均须另一位有权限的人员审批后过账。"
          description="发放到户、尚未收回的物资另列一行（所在：群众处），按群众交回或丢失的情况登记；此前登记破损或丢失、尚待审批的数量已不在其中。超出现存或发放数量时系统会拒绝。"
        />
      }
      initialValues={{ lines: plan.lines.map(() => ({})) }}
      submit={submit}
      onClose={onClose}
    >
      <Table<RecoveryLine>
        size="small"
        pagination={false}
        rowKey={(l) => `${l.storeId}|${l.batchId}|${l.fromHouseholds}`}
        dataSource={plan.lines}
        columns={[
          { title: '安置点', render: (_, l) => l.point },
          { title: '物资', render: (_, l) => l.item.name },
          { title: '批次', render: (_, l) => l.batchNo },
          { title: '所在', width: 80, render: (_, l) => (l.fromHouseholds ? '群众处' : '安置点') },
          { title: '待回收', align: 'right', width: 80, render: (_, l) => formatQuantity(l.outstanding, l.item.unit) },
          ...CONDITIONS.map(([condition, title]) => ({
            title,
            width: 110,
            render: (_: unknown, l: RecoveryLine, i: number) => (
              <Form.Item
                name={['lines', i, condition]}
                style={{ margin: 0 }}
                dependencies={
                  condition === 'good'
                    ? [
                        ['lines', i, 'damaged'],
                        ['lines', i, 'lost'],
                      ]
                    : undefined
                }
                rules={[...quantityRules('atLeastZero'), ...(condition === 'good' ? [withinOutstanding(l, i)] : [])]}
              >
                <QuantityInput placeholder="0" style={{ width: 90 }} />
              </Form.Item>
            ),
          })),
        ]}
      />
      {/* Sweep 19a F11: only the stores the server takes the good stock into — the old select listed every store, 安置点
          first, and the choice was refused on 登记回收. */}
      <Form.Item
        name="toStoreId"
        label="完好物资入库仓库"
        extra="不选则回到各批次的原发出仓库；另选只能是批次产权单位所在地的政府储备库或代储库（欠款已结清的，也可入欠方的储备库）"
        style={{ marginTop: 12 }}
        dependencies={plan.lines.map((_, i) => ['lines', i, 'good'])}
        rules={[
          {
            validator: async (_, id?: string) => {
              const store = stores.find((st) => st.id === id);
              if (!store) return;
              const refused = countedGood.filter((l) => !takes(store.id, l));
              if (refused.length)
                throw new Error(
                  `${store.name}不能接收${refused.map((l) => `${l.item.name}（批次 ${l.batchNo}）`).join('、')}的完好物资：请分次登记，或不选仓库`,
                );
            },
          },
        ]}
      >
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder="原发出仓库（默认）"
          style={{ width: 320 }}
          notFoundContent="没有能接收所清点批次的仓库：不选则回到原发出仓库"
          options={choices.map((st) => ({ value: st.id, label: `${st.name}（${st.code}）${defaults.has(st.id) ? ' · 原发出仓库' : ''}` }))}
        />
      </Form.Item>
    </FormDialog>
  );
}
