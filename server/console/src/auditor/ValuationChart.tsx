import { Chart } from '../common/Chart';

/**
 * The largest groups by value as a bar chart (ECharts): each group's stock on hand and, stacked beside it in its own
 * colour, what is on its way to it — stock in transit is a series of its own, never drawn as if it were a group.
 */
export function ValuationChart({ rows }: { rows: { name: string; onHand: number; inTransit: number }[] }) {
  const top = [...rows].sort((a, b) => b.onHand + b.inTransit - (a.onHand + a.inTransit)).slice(0, 15);
  const withTransit = top.some((r) => r.inTransit !== 0);
  return (
    <Chart
      option={{
        tooltip: { trigger: 'axis' },
        legend: withTransit ? { top: 0 } : undefined,
        grid: { left: 140, right: 24, top: withTransit ? 32 : 16, bottom: 24 },
        xAxis: { type: 'value', name: '元' },
        yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name) },
        series: [
          { name: '在库', type: 'bar', stack: 'value', data: top.map((r) => r.onHand), itemStyle: { color: '#c0392b' } },
          ...(withTransit ? [{ name: '在途', type: 'bar' as const, stack: 'value', data: top.map((r) => r.inTransit), itemStyle: { color: '#faad14' } }] : []),
        ],
      }}
    />
  );
}
