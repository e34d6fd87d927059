import { Table } from 'antd';
import { formatQuantity } from '../common/format';

/** One spot check as the agreements query gives it. */
export interface Check {
  id: string;
  checkedOn: string;
  findings?: string | null;
  recordedBy: { displayName: string };
  lines: { item: { name: string; unit: string }; countedQuantity: number }[];
}

/** 抽查记录 (D6): an agreement's spot checks, newest first, with what was counted and found. */
export function AgreementChecks({ checks }: { checks: readonly Check[] }) {
  return (
    <Table<Check>
      size="small"
      pagination={false}
      rowKey="id"
      dataSource={[...checks]}
      locale={{ emptyText: '尚无抽查记录' }}
      columns={[
        { title: '抽查日期', width: 110, render: (_, c) => c.checkedOn },
        { title: '实存', render: (_, c) => c.lines.map((l) => `${l.item.name} ${formatQuantity(l.countedQuantity, l.item.unit)}`).join('；') },
        { title: '抽查结果', render: (_, c) => c.findings ?? '—' },
        { title: '记录人', width: 140, render: (_, c) => c.recordedBy.displayName },
      ]}
    />
  );
}
