import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, CustomChart } from 'echarts/charts';
import { AriaComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, CustomChart, GridComponent, TooltipComponent, AriaComponent, SVGRenderer]);

export interface IntervalRow {
  label: string;
  estimate: number | null;
  low: number | null;
  high: number | null;
}

/**
 * Horizontal bars with their 95% intervals drawn as whiskers: an estimate is never shown without
 * how sure it is. Suppressed groups appear as an empty row (their label says why).
 */
export function IntervalChart({ rows, label, max = 100, testId }: { rows: IntervalRow[]; label: string; max?: number; testId?: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!container.current) return;
    const chart = echarts.init(container.current, undefined, { renderer: 'svg' });
    const labels = rows.map((r) => r.label);
    chart.setOption({
      aria: { enabled: true, label: { description: label } },
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', min: 0, max, axisLabel: { color: '#222' } },
      yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { color: '#222', fontSize: 13 } },
      series: [
        { type: 'bar', data: rows.map((r) => r.estimate), itemStyle: { color: '#3b6fb6' }, barMaxWidth: 18 },
        {
          type: 'custom',
          data: rows.map((r, i) => [i, r.low, r.high]),
          renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (p: [number, number]) => [number, number]; size: (p: [number, number]) => [number, number] }) => {
            const index = api.value(0);
            const low = api.value(1);
            const high = api.value(2);
            if (low === null || high === null || Number.isNaN(low) || Number.isNaN(high)) return null;
            const a = api.coord([low, index]);
            const b = api.coord([high, index]);
            const cap = api.size([0, 1])[1] * 0.25;
            const style = { stroke: '#111', lineWidth: 2 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style },
                { type: 'line', shape: { x1: a[0], y1: a[1] - cap, x2: a[0], y2: a[1] + cap }, style },
                { type: 'line', shape: { x1: b[0], y1: b[1] - cap, x2: b[0], y2: b[1] + cap }, style },
              ],
            };
          },
          z: 10,
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [rows, label, max]);
  return <div ref={container} className="chart" role="img" aria-label={label} style={{ height: `${Math.max(120, rows.length * 30 + 50)}px` }} data-testid={testId} />;
}
