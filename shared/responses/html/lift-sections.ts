import { instantToLocal } from '../../time/zoned-time.ts';
import type { CampaignReport, Group, Interval, Lift } from '../campaign-report.ts';
import { count, type Locale, liftNote, money, pct, ROI_EXPLAINED, times } from '../report-format.ts';
import { chartHeight, waveLabel } from './chart-data.ts';
import type { PageLabels } from './page-labels.ts';
import { type Html, html } from './safe-html.ts';

/** How a figure is shown; its exact value goes in `data-value` (an interval's ends in `data-low`, `data-high`). */
type Show = (x: number) => string;

export interface PageContext {
  report: CampaignReport;
  labels: PageLabels;
  locale: Locale;
  timeZone: string;
  cur: Show;
}

export const moneyIn =
  (currency: string): Show =>
  (x) =>
    money(x, currency);

const intervalAttrs = (i: Interval) =>
  html`data-value="${i.estimate}" data-low="${i.low}" data-high="${i.high}"`;
const intervalText = (i: Interval, show: Show) => `${show(i.estimate)} [${show(i.low)}, ${show(i.high)}]`;

function intervalCell(field: string, i: Interval | null, show: Show): Html {
  return i
    ? html`<td data-field="${field}" ${intervalAttrs(i)}>${intervalText(i, show)}</td>`
    : html`<td data-field="${field}" data-value="">-</td>`;
}

const groupText = (g: Group, labels: PageLabels) => labels.group(pct(g.rate), count(g.customers));

/** The headline: what the campaign as a whole caused, or why that cannot be read yet; attributed ROI below, smaller. */
export function headlineSection({ report, labels, locale, cur }: PageContext): Html {
  const l = report.campaign;
  const figure = (field: string, label: string, i: Interval | null, show: Show) =>
    i
      ? html`<div class="figure" data-field="${field}" ${intervalAttrs(i)}><span class="label">${label}</span>
<span class="big">${show(i.estimate)}</span><span class="range">${labels.interval} [${show(i.low)}, ${show(i.high)}]</span></div>`
      : null;
  const note = l ? liftNote(l, locale) : null;
  const body = !l
    ? html`<p class="unreadable">${labels.nothingToCompare}</p>`
    : html`${
        l.readable
          ? html`<div class="figures">
${figure('incrementalRevenue', labels.incrementalRevenue, l.incrementalRevenue, cur)}
${figure('incrementalRoi', labels.incrementalRoi, l.incrementalRoi, times)}
${figure('incrementalConversions', labels.incrementalConversions, l.incrementalConversions, count)}
<div class="figure" data-field="cost" data-value="${l.cost}"><span class="label">${labels.cost}</span><span class="big">${cur(l.cost)}</span></div>
</div>`
          : html`<p class="unreadable"><strong>${labels.notReadable}</strong></p>`
      }
<p class="groups">${labels.treated} ${groupText(l.treated, labels)} · ${labels.holdout} ${groupText(l.holdout, labels)}</p>
${note ? html`<p class="note" data-field="note">${note}</p>` : null}`;
  const { attributedRoi, attributedRevenue, cost } = report.totals;
  return html`<section id="headline">
<h2>${labels.headline}</h2>
${body}
<p class="secondary" id="attributed-headline" data-value="${attributedRoi ?? ''}">${labels.attributedHeadline(report.model, attributedRoi === null ? '-' : times(attributedRoi), cur(attributedRevenue), cur(cost))}</p>
</section>
<section id="meaning">
<h2>${labels.meaning}</h2>
<p>${ROI_EXPLAINED[locale].incremental}</p>
<p class="secondary">${ROI_EXPLAINED[locale].attributed}</p>
<p>${ROI_EXPLAINED[locale].intervals}</p>
</section>`;
}

/** Each wave's comparison, in order of its start: two charts with error bars, then a table with notes. */
export function wavesSection({ report, labels, locale, timeZone, cur }: PageContext): Html {
  const compared = report.waves.filter((w) => w.lift);
  const columns = [
    labels.wave,
    labels.start,
    labels.treated,
    labels.holdout,
    labels.incrementalConversions,
    labels.incrementalRevenue,
    labels.cost,
    labels.incrementalRoi,
    labels.attributedRoi(report.model),
  ];
  const rows = compared.map((w) => {
    const l = w.lift as Lift;
    const start = w.start ? instantToLocal(new Date(w.start), timeZone).replace('T', ' ') : '-';
    return html`<tr data-wave="${w.waveId}">
<td data-field="name" data-value="${waveLabel(w)}" title="${w.waveId}">${waveLabel(w)}</td>
<td data-field="start" data-value="${w.start ?? ''}">${start}</td>
<td data-field="treatedRate" data-value="${l.treated.rate}" data-customers="${l.treated.customers}">${groupText(l.treated, labels)}</td>
<td data-field="holdoutRate" data-value="${l.holdout.rate}" data-customers="${l.holdout.customers}">${groupText(l.holdout, labels)}</td>
${
  l.readable
    ? html`${intervalCell('incrementalConversions', l.incrementalConversions, count)}
${intervalCell('incrementalRevenue', l.incrementalRevenue, cur)}`
    : html`<td data-field="incrementalConversions" data-value="" colspan="2" class="unreadable">${labels.notReadable}</td>`
}
<td data-field="cost" data-value="${l.cost}">${cur(l.cost)}</td>
${intervalCell('incrementalRoi', l.incrementalRoi, times)}
<td data-field="attributedRoi" data-value="${w.attributed.roi ?? ''}" class="secondary">${w.attributed.roi === null ? '-' : times(w.attributed.roi)}</td>
</tr>`;
  });
  // Notes under the table, not in it: they wrap at the page's width even where the table scrolls.
  const notes = compared.flatMap((w) => {
    const note = liftNote(w.lift as Lift, locale);
    return note
      ? [html`<li data-note-for="${w.waveId}"><strong>${waveLabel(w)}</strong>${labels.colon}${note}</li>`]
      : [];
  });
  const height = chartHeight(compared.length);
  return html`<section id="waves">
<h2>${labels.waves}</h2>
<h3>${labels.liftChart}</h3><div class="chart" id="lift" style="height:${height}px"></div>
<h3>${labels.roiChart}</h3><div class="chart" id="roi" style="height:${height}px"></div>
<div class="table-scroll"><table id="lift-table">
<thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>
${rows.map((r) => html`${r}\n`)}</tbody>
</table></div>
${notes.length ? html`<ul class="notes">${notes}</ul>` : null}
</section>`;
}
