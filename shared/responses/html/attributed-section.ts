import { count, times } from '../report-format.ts';
import { chartHeight, waveLabel } from './chart-data.ts';
import type { PageContext } from './lift-sections.ts';
import { type Html, html } from './safe-html.ts';

/**
 * What attribution credits the campaign with, per wave × channel × variant in order of the waves' start:
 * secondary to the lift, and labelled so.
 */
export function attributedSection({ report, labels, cur }: PageContext): Html {
  const names = new Map(report.waves.map((w) => [w.waveId, waveLabel(w)]));
  const order = new Map(report.waves.map((w, i) => [w.waveId, i]));
  const rows = report.funnel
    .filter((f) => f.sent > 0)
    .sort((a, b) => (order.get(a.waveId) ?? 0) - (order.get(b.waveId) ?? 0));
  const cell = (v: string | number, shown: string | number = v) => html`<td data-value="${v}">${shown}</td>`;
  const text = (v: string) => html`<td data-value="${v}" class="text">${v}</td>`;
  const waves = new Set(rows.map((f) => f.waveId)).size;
  const { totals } = report;
  return html`<section id="attributed" class="secondary-section">
<h2>${labels.attributed(report.model)}</h2>
<h3>${labels.funnelChart}</h3><div class="chart" id="funnel" style="height:${chartHeight(waves) + 40 * waves}px"></div>
<div class="table-scroll"><table id="funnel-table">
<thead><tr>${labels.funnelColumns.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>
${rows.map(
  (f) =>
    html`<tr data-wave="${f.waveId}" data-channel="${f.channel}" data-variant="${f.variant}">${cell(f.waveId, names.get(f.waveId) ?? f.waveId)}${text(f.segment)}${text(f.channel)}${text(f.variant)}${cell(f.sent, count(f.sent))}${cell(f.delivered, count(f.delivered))}${cell(f.opened, count(f.opened))}${cell(f.clicked, count(f.clicked))}${cell(f.converted, count(f.converted))}${cell(f.revenue, cur(f.revenue))}${cell(f.cost, cur(f.cost))}${cell(f.attributedRoi ?? '', f.attributedRoi === null ? '-' : times(f.attributedRoi))}</tr>\n`,
)}</tbody>
</table></div>
<p id="totals" data-sent="${totals.sent}" data-revenue="${totals.attributedRevenue}" data-cost="${totals.cost}" data-roi="${totals.attributedRoi ?? ''}">${labels.totals(count(totals.sent), cur(totals.attributedRevenue), cur(totals.cost), totals.attributedRoi === null ? '-' : times(totals.attributedRoi))}</p>
<h3>${labels.regionsChart}</h3><div class="chart" id="regions" style="height:320px"></div>
</section>`;
}
