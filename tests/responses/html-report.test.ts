import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { resolveWaveSchedule } from '../../shared/campaign/wave-schedule.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import {
  type CampaignReport,
  campaignReport,
  type Interval,
} from '../../shared/responses/campaign-report.ts';
import { PAGE_LABELS } from '../../shared/responses/html/page-labels.ts';
import { escapeHtml } from '../../shared/responses/html/safe-html.ts';
import { renderHtmlReport } from '../../shared/responses/html-report.ts';
import { ROI_EXPLAINED } from '../../shared/responses/report-format.ts';
import { loadDouble11 } from '../helpers/delivery-harness.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/** Debian's chromium (`.ci/run` installs it when missing). */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** A wave name from a campaign file that would run script and break attributes if it were not escaped. */
const HOSTILE = `<script>document.title='pwned'</script>"引号" & 'x' <img src=x onerror="document.title='img'">`;

/**
 * Per wave: customers assigned to treatment and to the holdout, and every how-many-th of each converts.
 * Distinct customers per wave, so each wave compares its new customers with the campaign's holdout. The
 * unpaid reminder's holdout is too small to read. Listed in id order, which is not the waves' order in time.
 */
const WAVES = [
  { id: 'd11-afternoon', treatment: 500, holdout: 150, every: { treatment: 5, holdout: 7 } },
  { id: 'd11-cashback', treatment: 400, holdout: 120, every: { treatment: 3, holdout: 6 } },
  { id: 'd11-preheat', treatment: 300, holdout: 100, every: { treatment: 4, holdout: 8 } },
  { id: 'd11-unpaid', treatment: 40, holdout: 5, every: { treatment: 4, holdout: 4 } },
] as const;
const PROVINCES = ['浙江省', '广东省', '江苏省', '上海市', '北京市', '四川省', '山东省', '湖北省'];

const at = (d: Date, minutes = 0) =>
  new Date(d.getTime() + minutes * 60_000).toISOString().replace('T', ' ').slice(0, 19);

/** The report of a lake with these waves' ledger rows, deliveries or opens, and paid orders. */
async function fixtureReport(campaign: Campaign): Promise<CampaignReport> {
  const { times } = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  const rows = () => [] as Record<string, unknown>[];
  const [customers, sends, events, orders] = [rows(), rows(), rows(), rows()];
  for (const spec of WAVES) {
    const start = times[campaign.waves.findIndex((w) => w.id === spec.id)]?.start as Date;
    for (const arm of ['treatment', 'holdout'] as const) {
      for (let k = 0; k < spec[arm]; k += 1) {
        const customer_id = `${spec.id}-${arm}-${k}`;
        const send_id = `c/${spec.id}/${customer_id}`;
        const channel = k % 2 ? 'sms' : 'email';
        const [planned_at, occurred_at, ordered_at] = [at(start), at(start, 10), at(start, 60)];
        const [campaign_id, wave_id, source] = [campaign.id, spec.id, 'simulation'];
        customers.push({ customer_id, province: PROVINCES[customers.length % PROVINCES.length] });
        sends.push({
          ...{ send_id, campaign_id, wave_id, customer_id, arm, category: 'marketing', planned_at },
          ...(arm === 'treatment'
            ? { status: 'sent', channel, cost: 1.5, sent_at: planned_at }
            : { status: 'suppressed', reason: 'holdout' }),
        });
        const event_type = channel === 'sms' ? 'delivered' : 'opened';
        if (arm === 'treatment')
          events.push({
            event_id: `e-${send_id}`,
            campaign_id,
            send_id,
            event_type,
            channel,
            occurred_at,
            source,
          });
        const [status, amount] = ['paid', 1000 + (k % 7) * 100];
        if (k % spec.every[arm] === 0)
          orders.push({
            order_id: `o-${send_id}`,
            customer_id,
            created_at: ordered_at,
            paid_at: ordered_at,
            status,
            amount,
            source,
          });
      }
    }
  }
  const lake = await writeFixtureLake({ customers, sends, events, orders });
  const wh = await DuckDbWarehouse.open(lake);
  try {
    return await campaignReport(wh, [campaign], campaign);
  } finally {
    await wh.close();
  }
}

/**
 * Measures the page from inside, after its own scripts ran: each chart's painted pixels, categories and
 * error bars (one counts as painted when its line's pixels are dark along ≥ 90% of its length), what
 * sticks out past the window's width, and how wide each table is against its scrolling box.
 */
const PROBE = `(() => {
  const out = { innerWidth, scrollWidth: document.documentElement.scrollWidth, title: document.title,
    images: document.images.length, scripts: document.scripts.length, charts: {}, overflowing: [], scrollers: {} };
  for (const el of document.querySelectorAll('.chart')) {
    const chart = echarts.getInstanceByDom(el);
    chart.getZr().refreshImmediately();
    const canvas = el.querySelector('canvas');
    const scale = canvas.width / canvas.clientWidth;
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted += 1;
    const dark = (x, y) => [-2, -1, 0, 1, 2].some((dy) => {
      const i = (Math.round((y + dy) * scale) * canvas.width + Math.round(x * scale)) * 4;
      return px[i + 3] > 200 && px[i] < 60 && px[i + 1] < 60 && px[i + 2] < 60;
    });
    const option = chart.getOption();
    const errorBars = { drawn: 0, painted: 0 };
    option.series.forEach((s, seriesIndex) => {
      if (s.type !== 'custom') return;
      for (const [row, low, high] of s.data) {
        errorBars.drawn += 1;
        const [a, b] = [low, high].map((v) => chart.convertToPixel({ seriesIndex }, [v, row]));
        let hits = 0, all = 0;
        for (let x = Math.ceil(Math.min(a[0], b[0])); x <= Math.floor(Math.max(a[0], b[0])); x += 1) {
          all += 1;
          if (dark(x, a[1])) hits += 1;
        }
        if (all > 0 && hits >= 0.9 * all) errorBars.painted += 1;
      }
    });
    const axis = option.yAxis[0].type === 'category' ? option.yAxis[0] : option.xAxis[0];
    out.charts[el.id] = { painted, width: el.getBoundingClientRect().width, canvasWidth: canvas.clientWidth,
      categories: axis.data, errorBars };
  }
  for (const el of document.body.querySelectorAll('*'))
    if (el.getBoundingClientRect().right > innerWidth + 0.5 && !el.closest('.table-scroll'))
      out.overflowing.push(el.tagName + '#' + el.id + '.' + el.className);
  for (const el of document.querySelectorAll('.table-scroll'))
    out.scrollers[el.firstElementChild.id] = { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth };
  return out;
})()`;

/** Each chart's box and canvas width, a frame after the window changed size. */
const CHART_WIDTHS = `new Promise((done) => requestAnimationFrame(() => setTimeout(() => done(Object.fromEntries(
  [...document.querySelectorAll('.chart')].map((el) =>
    [el.id, { width: el.getBoundingClientRect().width, canvasWidth: el.querySelector('canvas').clientWidth }]))), 50)))`;

type Widths = Record<string, { width: number; canvasWidth: number }>;
interface Probe {
  innerWidth: number;
  scrollWidth: number;
  title: string;
  images: number;
  scripts: number;
  charts: Record<string, { painted: number; categories: string[]; errorBars: object } & Widths[string]>;
  overflowing: string[];
  scrollers: Record<string, { scrollWidth: number; clientWidth: number }>;
}
type Screen = { width: number; height: number; mobile: boolean };
type Message = {
  id?: number;
  method?: string;
  params?: unknown;
  result?: Reply;
  error?: { message: string };
};
type Reply = { result?: { value?: unknown }; exceptionDetails?: unknown } & Record<string, unknown>;

/**
 * Opens the page in headless Chromium driven over the DevTools protocol (a pipe on fds 3 and 4) with the
 * screen emulated: a phone's is narrower than a headless window can be (500 px), and honours the viewport
 * meta as a phone does. Probes the page, narrows the window by 70 px and measures the charts again.
 */
async function openInChromium(page: string, screen: Screen) {
  const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html');
  writeFileSync(file, page);
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--remote-debugging-pipe',
  ];
  const child = spawn(CHROMIUM as string, flags, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const [input, output] = [child.stdio[3] as Writable, child.stdio[4] as Readable];
  const replies = new Map<number, (m: Message) => void>();
  const events: Message[] = [];
  let buffered = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    const parts = (buffered + chunk).split('\0');
    buffered = parts.pop() ?? '';
    for (const m of parts.map((p) => JSON.parse(p) as Message))
      m.id ? replies.get(m.id)?.(m) : events.push(m);
  });
  child.on('exit', () => {
    for (const reply of replies.values()) reply({ error: { message: 'chromium exited' } });
  });
  let sessionId: string | undefined;
  const send = (method: string, params: object = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const id = replies.size + 1;
      replies.set(id, (m) =>
        m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result ?? {}),
      );
      input.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    });
  const evaluate = async (expression: string) => {
    const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails));
    return r.result?.value;
  };
  const emulate = (width: number) =>
    send('Emulation.setDeviceMetricsOverride', {
      ...screen,
      width,
      deviceScaleFactor: screen.mobile ? 3 : 1,
    });
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    sessionId = (await send('Target.attachToTarget', { targetId, flatten: true })).sessionId as string;
    await emulate(screen.width);
    await send('Runtime.enable');
    await send('Page.enable');
    await send('Page.navigate', { url: `file://${file}` });
    for (let waited = 0; !events.some((e) => e.method === 'Page.loadEventFired'); waited += 50) {
      if (waited > 30_000) throw new Error('the page did not load in 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const probe = (await evaluate(PROBE)) as Probe;
    const dom = (await evaluate('document.documentElement.outerHTML')) as string;
    await emulate(screen.width - 70);
    const resized = (await evaluate(CHART_WIDTHS)) as Widths;
    const errors = events
      .filter((e) => e.method === 'Runtime.exceptionThrown')
      .map((e) => JSON.stringify(e.params));
    return { dom, probe, resized, errors };
  } finally {
    child.kill();
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' };
const decode = (s: string) => s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ENTITIES[e] ?? '');
type Field = { value: string; low?: string; high?: string; text: string };

/** Each `data-field` element of some markup: its value, for intervals its ends, and its text. */
function fields(markup: string): Record<string, Field> {
  const out: Record<string, Field> = {};
  for (const [, , attrs = '', name = '', body = ''] of markup.matchAll(
    /<(td|div|p)\b([^>]*\bdata-field="([^"]*)"[^>]*)>([\s\S]*?)<\/\1>/g,
  )) {
    const attr = (a: string) => new RegExp(`\\b${a}="([^"]*)"`).exec(attrs)?.[1];
    const [value, low, high] = ['data-value', 'data-low', 'data-high'].map(
      (a) => attr(a) && decode(attr(a) ?? ''),
    );
    out[name] = { value: value ?? '', low, high, text: decode(body.replace(/<[^>]*>/g, ' ')) };
  }
  return out;
}

const asInterval = (i: Interval | null) =>
  i ? { value: String(i.estimate), low: String(i.low), high: String(i.high) } : { value: '' };
/** The page's text as a reader sees it: no scripts, styles, tags or attributes. */
const visibleText = (dom: string) =>
  decode(dom.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, '').replace(/<[^>]*>/g, ' '));
const section = (dom: string, tag: string, id: string) =>
  new RegExp(`<${tag} id="${id}">([\\s\\S]*?)</${tag}>`).exec(dom)?.[1] ?? '';

describe('the HTML report in headless Chromium', () => {
  let campaign: (locale: 'zh-CN' | 'en') => Campaign;
  let report: CampaignReport;
  let order: string[];
  beforeAll(async () => {
    expect(CHROMIUM, 'chromium is not installed (apt-get install chromium)').toBeDefined();
    const d11 = await loadDouble11();
    const waves = d11.waves.map((w) => (w.id === 'd11-cashback' ? { ...w, name: HOSTILE } : w));
    campaign = (locale) => ({ ...d11, id: 'c', locale, waves });
    report = await fixtureReport(campaign('zh-CN'));
    const { times } = resolveWaveSchedule(d11.waves, d11.timeZone);
    const start = (id: string) => times[d11.waves.findIndex((w) => w.id === id)]?.start.getTime() ?? 0;
    order = WAVES.map((w) => w.id).sort((a, b) => start(a) - start(b));
    // The order in time is not the ids' order, so a page that sorted by id would fail.
    expect(order).not.toEqual(WAVES.map((w) => w.id));
  });

  it('on a phone, in Chinese: the campaign’s lift first, error bars, waves by date, the JSON’s figures', async () => {
    const html = renderHtmlReport(report, campaign('zh-CN'));
    // Offline: no element loads anything (the chart library is inlined).
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '<script></script>');
    expect(markup).not.toMatch(/<(script|link|img|iframe)\b[^>]*\b(src|href)=/i);
    expect(markup.match(/<script>/g)).toHaveLength(4); // the report's JSON, the charts' data, ECharts, the drawing
    // The hostile wave name is inserted as text, never as markup.
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain(`>${escapeHtml(HOSTILE)}</td>`);

    const { dom, probe, resized, errors } = await openInChromium(html, {
      width: 390,
      height: 844,
      mobile: true,
    });
    expect(errors).toEqual([]);
    expect(dom).toContain('data-charts-rendered="4"');
    expect([probe.title, probe.images, probe.scripts]).toEqual([`${report.name} — 活动报告`, 0, 4]);

    // A phone's width (the viewport meta at work), nothing sticking out; wide tables scroll in their box.
    expect(probe.innerWidth).toBe(390);
    expect(probe.overflowing).toEqual([]);
    expect(probe.scrollWidth).toBe(390);
    const funnelBox = probe.scrollers['funnel-table'];
    expect(funnelBox?.scrollWidth).toBeGreaterThan(funnelBox?.clientWidth ?? Infinity);
    for (const id of ['lift', 'roi', 'funnel', 'regions']) {
      const chart = probe.charts[id];
      expect(chart?.painted, `${id} painted`).toBeGreaterThan(1000);
      expect(chart?.canvasWidth).toBe(chart?.width);
      expect(chart?.width).toBeLessThanOrEqual(390);
      // A narrower window redraws the chart at the new width.
      expect(resized[id]).toEqual({ width: (chart?.width ?? 0) - 70, canvasWidth: (chart?.width ?? 0) - 70 });
    }

    // Error bars: one painted per wave with an interval; the unreadable reminder has none.
    const compared = report.waves.filter((w) => w.lift);
    const withIntervals = (k: 'incrementalConversions' | 'incrementalRoi') =>
      compared.filter((w) => w.lift?.[k]).length;
    expect(withIntervals('incrementalConversions')).toBe(3);
    expect(probe.charts.lift?.errorBars).toEqual({ drawn: 3, painted: 3 });
    expect(withIntervals('incrementalRoi')).toBe(3);
    expect(probe.charts.roi?.errorBars).toEqual({ drawn: 3, painted: 3 });

    // Waves by date, by name: the charts' rows, the lift table and the attributed table.
    const names = order.map((id) => report.waves.find((w) => w.waveId === id)?.name);
    expect(names).toContain(HOSTILE);
    for (const id of ['lift', 'roi', 'funnel']) expect(probe.charts[id]?.categories).toEqual(names);
    const liftTable = section(dom, 'table', 'lift-table');
    expect([...liftTable.matchAll(/<tr data-wave="([^"]*)">/g)].map((m) => m[1])).toEqual(order);
    const funnelWaves = [...section(dom, 'table', 'funnel-table').matchAll(/<tr data-wave="([^"]*)"/g)];
    expect([...new Set(funnelWaves.map((m) => m[1]))]).toEqual(order);

    // The headline comes first and holds the campaign's lift; attributed ROI after it, labelled.
    const text = visibleText(dom);
    const l = PAGE_LABELS['zh-CN'];
    expect(text.indexOf(l.headline)).toBeLessThan(text.indexOf(l.incrementalRoi));
    expect(text.indexOf(l.incrementalRoi)).toBeLessThan(text.indexOf(l.attributedRoi('last-touch')));
    expect(text.indexOf(l.attributedRoi('last-touch'))).toBeLessThan(text.indexOf(l.waves));
    const headline = fields(section(dom, 'section', 'headline'));
    const c = report.campaign;
    expect(c?.readable).toBe(true);
    expect(headline.incrementalRevenue).toMatchObject(asInterval(c?.incrementalRevenue ?? null));
    expect(headline.incrementalRoi).toMatchObject(asInterval(c?.incrementalRoi ?? null));
    expect(headline.incrementalConversions).toMatchObject(asInterval(c?.incrementalConversions ?? null));
    expect(headline.cost?.value).toBe(String(c?.cost));
    expect(dom).toContain(`id="attributed-headline" data-value="${report.totals.attributedRoi}"`);

    // Each wave's row: the JSON's figures, money as ¥ with thousands separators, a note where unreadable.
    for (const w of compared) {
      const f = fields(
        new RegExp(`<tr data-wave="${w.waveId}">([\\s\\S]*?)</tr>`).exec(liftTable)?.[1] ?? '',
      );
      const lift = w.lift as NonNullable<typeof w.lift>;
      expect([f.name?.value, f.start?.value]).toEqual([w.name, w.start]);
      expect([f.treatedRate?.value, f.holdoutRate?.value, f.cost?.value, f.attributedRoi?.value]).toEqual(
        [lift.treated.rate, lift.holdout.rate, lift.cost, w.attributed.roi].map(String),
      );
      expect(f.incrementalRoi).toMatchObject(asInterval(lift.incrementalRoi));
      const note = new RegExp(`data-note-for="${w.waveId}">([\\s\\S]*?)</li>`).exec(dom)?.[1];
      if (lift.readable) {
        expect(f.incrementalConversions).toMatchObject(asInterval(lift.incrementalConversions));
        expect(f.incrementalRevenue).toMatchObject(asInterval(lift.incrementalRevenue));
        const [, sign, digits] =
          f.incrementalRevenue?.text.match(/^(−?)¥(\d{1,3}(?:,\d{3})+\.\d\d) \[/) ?? [];
        expect(Number(`${sign ? '-' : ''}${digits?.replaceAll(',', '')}`)).toBe(
          lift.incrementalRevenue?.estimate,
        );
        expect(note).toBeUndefined();
      } else {
        expect(f.incrementalConversions?.text).toBe(l.notReadable);
        expect(note).toContain(`对照组只有 ${lift.holdout.customers} 人`);
        expect(note).toContain('每组约需');
        expect(note).toContain(`能检测到的最小增量约为 ${lift.minimumDetectable} 次转化`);
      }
    }
    expect(compared.filter((w) => !w.lift?.readable).map((w) => w.waveId)).toEqual(['d11-unpaid']);

    // The attributed funnel: every figure the JSON's.
    const columns = ['waveId', 'segment', 'channel', 'variant', 'sent', 'delivered', 'opened'] as const;
    const more = ['clicked', 'converted', 'revenue', 'cost', 'attributedRoi'] as const;
    for (const f of report.funnel.filter((x) => x.sent > 0)) {
      const row = new RegExp(
        `<tr data-wave="${f.waveId}" data-channel="${f.channel}" data-variant="${f.variant}">(.*?)</tr>`,
      );
      const values = [...(row.exec(dom)?.[1] ?? '').matchAll(/data-value="([^"]*)"/g)].map((m) => m[1]);
      expect(values).toEqual([...columns, ...more].map((k) => String(f[k] ?? '')));
    }
    expect(dom).toContain(`data-revenue="${report.totals.attributedRevenue}"`);
    expect(report.totals.attributedRevenue).toBeGreaterThan(1000);

    // In Chinese, and only Chinese.
    expect(dom).toContain('<html lang="zh-CN">');
    for (const s of [...Object.values(ROI_EXPLAINED['zh-CN']), l.simulated]) expect(text).toContain(s);
    for (const s of [ROI_EXPLAINED.en.incremental, 'Incremental', 'Holdout', 'Attributed', 'SIMULATED'])
      expect(text).not.toContain(s);
  });

  it('in English when the campaign says so, at a desktop width', async () => {
    const html = renderHtmlReport(report, campaign('en'));
    const { dom, probe, errors } = await openInChromium(html, { width: 1280, height: 900, mobile: false });
    expect(errors).toEqual([]);
    expect(dom).toContain('data-charts-rendered="4"');
    expect(dom).toContain('<html lang="en">');
    expect(probe.overflowing).toEqual([]);
    expect(probe.charts.lift?.errorBars).toEqual({ drawn: 3, painted: 3 });
    const text = visibleText(dom);
    const l = PAGE_LABELS.en;
    for (const s of [
      ...Object.values(ROI_EXPLAINED.en),
      l.headline,
      l.attributedRoi('last-touch'),
      'SIMULATED',
    ])
      expect(text).toContain(s);
    for (const s of [ROI_EXPLAINED['zh-CN'].incremental, '增量', '对照组', '模拟'])
      expect(text).not.toContain(s);
    // The unreadable reminder's note: the report's own words, with what it could detect.
    const unpaid = report.waves.find((w) => w.waveId === 'd11-unpaid')?.lift;
    const note = decode(/data-note-for="d11-unpaid">([\s\S]*?)<\/li>/.exec(dom)?.[1] ?? '');
    expect(note).toContain(unpaid?.note);
    expect(note).toContain(`about ${unpaid?.minimumDetectable} conversions`);
  });

  it('says when the campaign as a whole is too small to read, and what it could detect', () => {
    // The reminder's comparison, too small to read, standing in for the campaign's.
    const small = report.waves.find((w) => w.waveId === 'd11-unpaid')?.lift ?? null;
    expect(small?.readable).toBe(false);
    const detect = {
      'zh-CN': `约为 ${small?.minimumDetectable} 次转化`,
      en: `about ${small?.minimumDetectable} conversions`,
    };
    for (const locale of ['zh-CN', 'en'] as const) {
      const page = renderHtmlReport({ ...report, campaign: small }, campaign(locale));
      const headline = section(page, 'section', 'headline');
      expect(headline).toContain(PAGE_LABELS[locale].notReadable);
      expect(headline).toContain(detect[locale]);
      expect(headline).not.toContain('data-field="incrementalRevenue"');
    }
  });
});
