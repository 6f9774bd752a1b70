import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Campaign } from '../campaign/campaign-schema.ts';
import type { CampaignReport } from './campaign-report.ts';

const esc = (s: string | number) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Apache ECharts, inlined so the report works offline. */
function echartsSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
}

const money = (x: number) => x.toFixed(2);

/**
 * The campaign report as one self-contained HTML file: the figures as tables (each cell carries its
 * value in `data-value`), four charts drawn by ECharts (funnel per wave, ROI per wave and channel,
 * incremental conversions per wave with their 95% intervals, attributed revenue by region over time),
 * the report's JSON embedded, no network.
 * When the charts have rendered, `<body data-charts-rendered>` holds how many, and each chart's
 * container how many pixels it painted.
 */
export function renderHtmlReport(
  report: CampaignReport,
  campaign: Pick<Campaign, 'currency' | 'locale' | 'timeZone'>,
): string {
  const { currency } = campaign;
  const data = JSON.stringify(report).replaceAll('<', '\\u003c');
  const cell = (v: string | number, shown = String(v)) => `<td data-value="${esc(v)}">${esc(shown)}</td>`;
  const funnelRows = report.funnel
    .filter((f) => f.sent > 0)
    .map(
      (f) =>
        `<tr data-wave="${esc(f.waveId)}" data-channel="${esc(f.channel)}" data-variant="${esc(f.variant)}">${cell(f.waveId)}${cell(f.segment)}${cell(f.channel)}${cell(f.variant)}${cell(f.sent)}${cell(f.delivered)}${cell(f.opened)}${cell(f.clicked)}${cell(f.converted)}${cell(money(f.revenue))}${cell(money(f.cost))}${cell(f.attributedRoi === null ? '' : f.attributedRoi, f.attributedRoi === null ? '-' : `${f.attributedRoi.toFixed(1)}×`)}</tr>`,
    )
    .join('\n');
  const liftRows = report.waves
    .flatMap((w) => (w.lift ? [{ waveId: w.waveId, ...w.lift }] : []))
    .map((l) => {
      const c = l.incrementalConversions;
      const r = l.incrementalRevenue;
      return `<tr data-wave="${esc(l.waveId)}">${cell(l.waveId)}${cell(l.treated.rate.toFixed(4), `${(l.treated.rate * 100).toFixed(1)}% of ${l.treated.customers}`)}${cell(l.holdout.rate.toFixed(4), `${(l.holdout.rate * 100).toFixed(1)}% of ${l.holdout.customers}`)}${cell(c ? c.estimate : '', c ? `${c.estimate} [${c.low}, ${c.high}]` : 'holdout too small')}${cell(r ? money(r.estimate) : '', r ? `${money(r.estimate)} [${money(r.low)}, ${money(r.high)}]` : '-')}</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>${esc(report.campaignId)} — campaign report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}.chart{width:900px;height:320px}
.simulated{background:#fff3cd;border:1px solid #e0b400;padding:.6em;font-weight:bold}
</style></head>
<body data-charts-rendered="0">
<h1>${esc(report.campaignId)}</h1>
<p>${esc(report.model)} attribution; amounts in ${esc(currency)}.</p>
${report.simulated ? '<p class="simulated">SIMULATED responses: these figures come from the simulated audience of a run on one machine, not from real customers.</p>' : ''}
<h2>Funnel per wave</h2><div class="chart" id="funnel"></div>
<h2>ROI per wave and channel</h2><div class="chart" id="roi"></div>
<table id="funnel-table"><tr><th>wave</th><th>segment</th><th>channel</th><th>variant</th><th>sent</th><th>delivered</th><th>opened</th><th>clicked</th><th>converted</th><th>revenue</th><th>cost</th><th>ROI</th></tr>
${funnelRows}
</table>
<p id="totals" data-revenue="${money(report.totals.attributedRevenue)}" data-cost="${money(report.totals.cost)}">Total: ${report.totals.sent} sent, attributed revenue ${money(report.totals.attributedRevenue)}, cost ${money(report.totals.cost)}.</p>
<h2>Lift against the holdout (95% intervals)</h2><div class="chart" id="lift"></div>
<h2>Attributed revenue by region over time (top provinces)</h2><div class="chart" id="regions"></div>
<table id="lift-table"><tr><th>wave</th><th>treated conversion</th><th>holdout conversion</th><th>incremental conversions</th><th>incremental revenue</th></tr>
${liftRows}
</table>
<script id="report-data" type="application/json">${data}</script>
<script>${echartsSource()}</script>
<script>
(function () {
  var r = JSON.parse(document.getElementById('report-data').textContent);
  var waves = Array.from(new Set(r.funnel.map(function (f) { return f.waveId; })));
  var sum = function (w, k) { return r.funnel.filter(function (f) { return f.waveId === w; }).reduce(function (n, f) { return n + f[k]; }, 0); };
  var charts = 0;
  var draw = function (id, option) {
    var el = document.getElementById(id);
    var c = echarts.init(el);
    c.setOption(Object.assign({ animation: false, tooltip: {}, legend: {} }, option));
    c.getZr().refreshImmediately();
    // How many pixels the chart painted: a chart that failed to draw paints none.
    var canvas = el.querySelector('canvas');
    var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    var painted = 0;
    for (var i = 3; i < px.length; i += 4) if (px[i] > 0) painted += 1;
    el.setAttribute('data-painted-pixels', String(painted));
    charts += 1;
  };
  draw('funnel', {
    xAxis: { type: 'category', data: waves }, yAxis: { type: 'value' },
    series: ['sent', 'delivered', 'clicked', 'converted'].map(function (k) {
      return { name: k, type: 'bar', data: waves.map(function (w) { return sum(w, k); }) };
    }),
  });
  var sent = r.funnel.filter(function (f) { return f.sent > 0; });
  draw('roi', {
    xAxis: { type: 'category', data: sent.map(function (f) { return f.waveId + ' ' + f.channel + (f.variant === '-' ? '' : ' ' + f.variant); }), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', name: 'ROI' },
    series: [{ name: 'ROI', type: 'bar', data: sent.map(function (f) { return f.attributedRoi; }) }],
  });
  var lifted = r.waves.filter(function (w) { return w.lift && w.lift.incrementalConversions; }).map(function (w) { return Object.assign({ waveId: w.waveId }, w.lift); });
  draw('lift', {
    xAxis: { type: 'category', data: lifted.map(function (l) { return l.waveId; }) }, yAxis: { type: 'value' },
    series: [
      { name: 'incremental conversions', type: 'bar', data: lifted.map(function (l) { return l.incrementalConversions.estimate; }) },
      { name: '95% low', type: 'line', data: lifted.map(function (l) { return l.incrementalConversions.low; }) },
      { name: '95% high', type: 'line', data: lifted.map(function (l) { return l.incrementalConversions.high; }) },
    ],
  });
  var totals = {};
  r.regions.forEach(function (x) { totals[x.province] = (totals[x.province] || 0) + x.revenue; });
  var top = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; }).slice(0, 6);
  var days = Array.from(new Set(r.regions.map(function (x) { return x.day; }))).sort();
  draw('regions', {
    xAxis: { type: 'category', data: days }, yAxis: { type: 'value', name: 'revenue' },
    series: top.map(function (p) {
      return { name: p, type: 'line', data: days.map(function (d) {
        var hit = r.regions.find(function (x) { return x.province === p && x.day === d; });
        return hit ? hit.revenue : 0;
      }) };
    }),
  });
  document.body.setAttribute('data-charts-rendered', String(charts));
})();
</script>
</body></html>
`;
}
