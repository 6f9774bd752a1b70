import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Campaign } from '../campaign/campaign-schema.ts';
import type { CampaignReport } from './campaign-report.ts';
import { attributedSection } from './html/attributed-section.ts';
import { chartData } from './html/chart-data.ts';
import { headlineSection, moneyIn, type PageContext, wavesSection } from './html/lift-sections.ts';
import { PAGE_LABELS } from './html/page-labels.ts';
import { html, jsonScript, trustedHtml } from './html/safe-html.ts';

/** Apache ECharts, inlined so the report works offline. */
function echartsSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
}

const drawChartsSource = () => readFileSync(new URL('./html/draw-charts.js', import.meta.url), 'utf8');

// Phone first: the page never scrolls sideways; wide tables scroll inside their box, charts take the
// page's width and are redrawn when it changes.
const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0 auto;padding:1em;max-width:1100px;color:#222}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .4em}h3{font-size:1em;margin:1em 0 .3em}
h1,h2,h3,p,td{overflow-wrap:anywhere}
.figures{display:flex;flex-wrap:wrap;gap:.6em}
.figure{flex:1 1 14em;border:1px solid #ccd;border-radius:6px;padding:.5em .8em;background:#f6f8ff}
.figure .label{display:block;color:#555}.figure .big{display:block;font-size:1.6em;font-weight:600}
.figure .range{display:block;color:#555;font-size:.9em}
.secondary,.secondary-section{color:#666}.secondary-section h2{font-size:1.05em}
.unreadable{font-weight:600}.note{color:#7a4b00}
.chart{width:100%;min-height:200px}
.table-scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right;white-space:nowrap}
td:first-child,th:first-child,td.text{text-align:left}
td:first-child{white-space:normal;min-width:8em}
.notes{padding-left:1.2em}.notes li{color:#7a4b00;overflow-wrap:anywhere}
.simulated{background:#fff3cd;border:1px solid #e0b400;padding:.6em;font-weight:bold}
`;

/**
 * The campaign report as one self-contained HTML page in the campaign's language: first what the
 * campaign caused (incremental revenue, ROI and conversions against its holdout, with 95% intervals, or
 * why they cannot be read yet) and what incremental and attributed ROI mean; then each wave in order of
 * its start (charts with error bars, a table with notes); then, secondary, what attribution credits.
 * Every figure carries its exact value in `data-value` (intervals also `data-low`, `data-high`); the
 * report's JSON is embedded; the charts are drawn with ECharts, inlined, so nothing loads from the
 * network. `<body data-charts-rendered>` says how many charts were drawn.
 */
export function renderHtmlReport(
  report: CampaignReport,
  campaign: Pick<Campaign, 'currency' | 'locale' | 'timeZone'>,
): string {
  const locale = campaign.locale;
  const labels = PAGE_LABELS[locale];
  const page: PageContext = {
    report,
    labels,
    locale,
    timeZone: campaign.timeZone,
    cur: moneyIn(campaign.currency),
  };
  return html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${report.name} — ${labels.report}</title>
<style>${trustedHtml(STYLE)}</style></head>
<body data-charts-rendered="0">
<h1>${report.name}</h1>
<p class="secondary">${report.campaignId}</p>
${report.simulated ? html`<p class="simulated">${labels.simulated}</p>` : null}
${headlineSection(page)}
${wavesSection(page)}
${attributedSection(page)}
${jsonScript('report-data', report)}
${jsonScript('chart-data', chartData(report, labels))}
<script>${trustedHtml(echartsSource())}</script>
<script>${trustedHtml(drawChartsSource())}</script>
</body></html>
`.text;
}
