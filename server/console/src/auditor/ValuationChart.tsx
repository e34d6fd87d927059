import { Chart } from '../common/Chart';
import { formatMoney } from '../common/format';

/** Axis figures in 万元: a full 元 figure (5,000,000) did not fit at the axis' end and was cut (sweep 13c W2). */
const inWan = (v: number) => (v / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 2 });

/**
 * The largest groups by value as a bar chart (ECharts), in the order given (the table's, by value): each group's stock
 * on hand and, stacked beside it in its own colour, what is on its way to it — stock in transit is a series of its own,
 * never drawn as if it were a group. A long name is cut at its end with an ellipsis (...); the tooltip names it in full.
 */
export function ValuationChart({ rows }: { rows: { name: string; onHand: number; inTransit: number }[] }) {
  const top = rows.slice(0, 15);
  const withTransit = top.some((r) => r.inTransit !== 0);
  return (
    <Chart
      option={{
        tooltip: { trigger: 'axis', valueFormatter: (v) => formatMoney(String(v)) },
        legend: withTransit ? { top: 0 } : undefined,
        grid: { left: 8, right: 32, top: withTransit ? 32 : 16, bottom: 40, containLabel: true },
        xAxis: { type: 'value', name: '万元', nameLocation: 'middle', nameGap: 28, axisLabel: { formatter: inWan } },
        yAxis: {
          type: 'category',
          inverse: true,
          data: top.map((r) => r.name),
          axisLabel: { width: 160, overflow: 'truncate' },
        },
        series: [
          { name: '在库', type: 'bar', stack: 'value', data: top.map((r) => r.onHand), itemStyle: { color: '#c0392b' } },
          ...(withTransit ? [{ name: '在途', type: 'bar' as const, stack: 'value', data: top.map((r) => r.inTransit), itemStyle: { color: '#faad14' } }] : []),
        ],
      }}
    />
  );
}
