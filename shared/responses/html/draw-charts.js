// The HTML report's charts, run in the reader's browser with the inlined ECharts (the global `echarts`).
// Everything to draw comes computed in <script id="chart-data"> (chart-data.ts); this file only draws.
// Tooltips render as canvas text (renderMode richText), so no wave name is ever read as HTML.
(() => {
  const d = JSON.parse(document.getElementById('chart-data').textContent);
  const charts = [];
  const number = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });
  const money = (x) => (x < 0 ? '−' : '') + d.sign + Math.abs(x).toLocaleString('en-US');
  const times = (x) => `${number(x)}×`;

  // Category labels take up to 30% of the chart's width, cut with an ellipsis (the tables and tooltips
  // show the whole name): long wave names fit a phone.
  const labelWidth = (el) => Math.max(70, Math.round(el.clientWidth * 0.3));
  const draw = (id, option) => {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { renderMode: 'richText', confine: true },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      ...option(labelWidth(el)),
    });
    charts.push({ chart, el, option });
  };

  // A 95% interval as a horizontal line with end caps, from low to high, on the wave's row.
  const errorBars = (rows, key, format) => ({
    name: d.labels.interval,
    type: 'custom',
    z: 10,
    itemStyle: { color: '#222' },
    encode: { x: [1, 2], y: 0 },
    data: rows.flatMap((w, i) => (w[key] ? [[i, w[key].low, w[key].high]] : [])),
    tooltip: {
      formatter: (p) =>
        `${rows[p.value[0]].name}\n${d.labels.interval}: [${format(p.value[1])}, ${format(p.value[2])}]`,
    },
    renderItem: (_params, api) => {
      const low = api.coord([api.value(1), api.value(0)]);
      const high = api.coord([api.value(2), api.value(0)]);
      const cap = api.size([0, 1])[1] * 0.2;
      const style = { stroke: api.visual('color'), lineWidth: 2 };
      const line = (x1, y1, x2, y2) => ({ type: 'line', shape: { x1, y1, x2, y2 }, style });
      return {
        type: 'group',
        children: [
          line(low[0], low[1], high[0], high[1]),
          line(low[0], low[1] - cap, low[0], low[1] + cap),
          line(high[0], high[1] - cap, high[0], high[1] + cap),
        ],
      };
    },
  });

  const perWave = (id, key, label, format) =>
    draw(id, (labelWidth) => ({
      yAxis: {
        type: 'category',
        inverse: true,
        data: d.lift.map((w) => w.name),
        axisLabel: { width: labelWidth, overflow: 'truncate' },
      },
      xAxis: { type: 'value', axisLabel: { formatter: format } },
      series: [
        {
          name: label,
          type: 'bar',
          barMaxWidth: 28,
          // A wave whose groups are too small to read says so on its row.
          data: d.lift.map((w) =>
            w[key]
              ? w[key].estimate
              : w.readable
                ? null
                : { value: 0, label: { show: true, position: 'right', formatter: d.labels.notReadable } },
          ),
          tooltip: { formatter: (p) => `${p.name}\n${label}: ${format(p.value)}` },
        },
        errorBars(d.lift, key, format),
      ],
    }));
  perWave('lift', 'conversions', d.labels.incrementalConversions, number);
  perWave('roi', 'roi', d.labels.incrementalRoi, times);

  draw('funnel', (labelWidth) => ({
    yAxis: {
      type: 'category',
      inverse: true,
      data: d.funnel.names,
      axisLabel: { width: labelWidth, overflow: 'truncate' },
    },
    xAxis: { type: 'value', axisLabel: { formatter: number } },
    series: d.funnel.series.map((s) => ({ name: s.name, type: 'bar', data: s.data })),
  }));
  draw('regions', () => ({
    xAxis: { type: 'category', data: d.regions.days },
    yAxis: { type: 'value', axisLabel: { formatter: money } },
    series: d.regions.series.map((s) => ({ name: s.name, type: 'line', data: s.data })),
  }));

  window.addEventListener('resize', () => {
    for (const c of charts) {
      c.chart.resize();
      c.chart.setOption(c.option(labelWidth(c.el)));
    }
  });
  document.body.setAttribute('data-charts-rendered', String(charts.length));
})();
