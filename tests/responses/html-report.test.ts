import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { campaignReport } from '../../shared/responses/campaign-report.ts';
import { renderHtmlReport } from '../../shared/responses/html-report.ts';
import { loadDouble11 } from '../helpers/delivery-harness.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/** Debian's chromium (`.ci/run` installs it when missing). */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

describe('the HTML report in headless Chromium', () => {
  it('renders its four charts offline, and its figures are the JSON report’s', async () => {
    expect(CHROMIUM, 'chromium is not installed (apt-get install chromium)').toBeDefined();
    const d11 = await loadDouble11();
    const campaign = { ...d11, id: 'c' };
    const at = '2026-11-11 00:00:00';
    const lake = await writeFixtureLake({
      customers: [{ customer_id: 'u1', province: '浙江省' }],
      sends: ['u1', 'u2', 'u3', 'u4'].map((u, i) => ({
        send_id: `c/w1/${u}`,
        campaign_id: 'c',
        wave_id: 'w1',
        customer_id: u,
        category: 'marketing',
        channel: i % 2 ? 'sms' : 'email',
        status: i < 3 ? 'sent' : 'suppressed',
        reason: i < 3 ? null : 'holdout',
        cost: i < 3 ? 0.05 : null,
        planned_at: at,
        sent_at: i < 3 ? at : null,
      })),
      events: [
        {
          event_id: 'e1',
          event_type: 'opened',
          campaign_id: 'c',
          send_id: 'c/w1/u1',
          channel: 'email',
          occurred_at: '2026-11-11 01:00:00',
          source: 'simulation',
        },
      ],
      orders: [
        {
          order_id: 'o1',
          customer_id: 'u1',
          created_at: '2026-11-11 05:00:00',
          paid_at: '2026-11-11 05:00:00',
          status: 'paid',
          amount: 88.8,
          discount: 0,
          source: 'simulation',
        },
      ],
    });
    const wh = await DuckDbWarehouse.open(lake);
    const report = await campaignReport(wh, [campaign], campaign);
    await wh.close();
    const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html');
    const html = renderHtmlReport(report, campaign);
    writeFileSync(file, html);
    // Offline: no element loads anything (the chart library is inlined).
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '<script></script>');
    expect(markup).not.toMatch(/<(script|link|img|iframe)\b[^>]*\b(src|href)=/i);
    expect(markup.match(/<script>/g)).toHaveLength(3); // the report's JSON, ECharts, the drawing

    const dom = execFileSync(
      CHROMIUM as string,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--virtual-time-budget=10000',
        '--dump-dom',
        `file://${file}`,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 },
    );
    expect(dom).toContain('data-charts-rendered="4"');
    for (const id of ['funnel', 'roi', 'lift', 'regions']) {
      const painted = new RegExp(`id="${id}"[^>]*data-painted-pixels="(\\d+)"`).exec(dom);
      expect(Number(painted?.[1]), `${id} painted`).toBeGreaterThan(1000);
    }
    expect(dom).toContain('SIMULATED responses');
    for (const f of report.funnel.filter((x) => x.sent > 0)) {
      const row =
        new RegExp(
          `<tr data-wave="${f.waveId}" data-channel="${f.channel}" data-variant="${f.variant}">(.*?)</tr>`,
        ).exec(dom)?.[1] ?? '';
      const values = [...row.matchAll(/data-value="([^"]*)"/g)].map((m) => m[1]);
      expect(values).toEqual([
        f.waveId,
        f.segment,
        f.channel,
        f.variant,
        String(f.sent),
        String(f.delivered),
        String(f.opened),
        String(f.clicked),
        String(f.converted),
        f.revenue.toFixed(2),
        f.cost.toFixed(2),
        f.attributedRoi === null ? '' : String(f.attributedRoi),
      ]);
    }
    expect(dom).toContain(`data-revenue="${report.totals.attributedRevenue.toFixed(2)}"`);
    expect(report.totals.attributedRevenue).toBe(88.8);
    expect(report.regions).toEqual([{ province: '浙江省', day: '2026-11-11', orders: 1, revenue: 88.8 }]);
  });
});
