import { Chart } from '../common/Chart';

/** The largest groups by value as a bar chart (ECharts). */
export function ValuationChart({ rows }: { rows: { name: string; value: number }[] }) {
  const top = [...rows].sort((a, b) => b.value - a.value).slice(0, 15);
  return (
    <Chart
      option={{
        tooltip: { trigger: 'axis' },
        grid: { left: 140, right: 24, top: 16, bottom: 24 },
        xAxis: { type: 'value', name: '元' },
        yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name) },
        series: [{ type: 'bar', data: top.map((r) => r.value), itemStyle: { color: '#c0392b' } }],
      }}
    />
  );
}
