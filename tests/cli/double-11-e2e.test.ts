import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { campaignCli } from '../helpers/campaign-cli.ts';
import { sampleShop } from '../helpers/delivery-harness.ts';

const campaign = campaignCli;
const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];

let dataDir: string;
beforeAll(async () => {
  const shop = await sampleShop(5_000);
  dataDir = await mkdtemp(join(tmpdir(), 'e2e-'));
  await cp(join(shop, 'lake'), join(dataDir, 'lake'), { recursive: true });
});

describe('a small Double-11 end to end through the CLI (5,000 customers, simulated responses)', () => {
  it('reconciles every wave, keeps caps, never messages the holdout, reports, and sends nothing twice', async () => {
    const run = campaign(['run', 'campaigns/double-11.yaml', '--simulate', '--data-dir', dataDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const wave of ['d11-preheat', 'd11-cashback', 'd11-afternoon', 'd11-unpaid', 'd11-follow-up'])
      expect(run.stdout).toMatch(
        new RegExp(`✔ ${wave}: audience \\d+ = \\d+ sent \\+ \\d+ suppressed \\+ \\d+ failed`),
      );
    expect(run.stdout).toMatch(/SIMULATED responses: \d+ events, \d+ orders/);

    const outbox = join(dataDir, 'outbox');
    const sent = [...lines(join(outbox, 'sms.jsonl')), ...lines(join(outbox, 'email', 'index.jsonl'))].map(
      (l) => JSON.parse(l).sendId as string,
    );
    expect(new Set(sent).size).toBe(sent.length);

    const wh = await DuckDbWarehouse.open(dataDir);
    const q = async (text: Sql) => (await wh.query(text)).rows;
    // The campaign's holdout is never messaged, in any wave; a wave's own holdout (customers an earlier
    // wave treated) is not messaged by that wave.
    expect(
      await q(sql`SELECT count(*) AS n FROM sends s JOIN sends h ON h.customer_id = s.customer_id
        AND h.arm = 'holdout' AND s.status = 'sent' AND s.campaign_id = h.campaign_id`),
    ).toEqual([{ n: 0 }]);
    expect(
      await q(sql`SELECT count(*) AS n FROM sends s JOIN sends h ON h.customer_id = s.customer_id
        AND h.arm = 'wave-holdout' AND s.status = 'sent' AND s.wave_id = h.wave_id`),
    ).toEqual([{ n: 0 }]);
    const arms = await q(
      sql`SELECT arm, count(*) AS n FROM sends WHERE reason = 'holdout' GROUP BY arm ORDER BY arm`,
    );
    expect(arms.map((r) => r.arm)).toEqual(['holdout', 'wave-holdout']);
    // No cap exceeded: at most 2 marketing messages per customer in 30 days (the campaign's cap), at most
    // one SMS a day (the shop's), counted over what was sent.
    const [marketing] =
      await q(sql`SELECT max(n) AS n FROM (SELECT customer_id, count(DISTINCT send_id) AS n FROM sends
      WHERE status = 'sent' AND category = 'marketing' GROUP BY customer_id)`);
    expect(Number(marketing?.n)).toBeLessThanOrEqual(2);
    const [smsDay] =
      await q(sql`SELECT count(*) AS n FROM sends a JOIN sends b ON a.customer_id = b.customer_id
      AND a.send_id < b.send_id AND a.channel = 'sms' AND b.channel = 'sms' AND a.status = 'sent' AND b.status = 'sent'
      AND abs(date_diff('second', a.sent_at, b.sent_at)) < 86400`);
    expect(Number(smsDay?.n)).toBe(0);
    await wh.close();

    const html = join(dataDir, 'report.html');
    const report = campaign([
      'report',
      'campaigns/double-11.yaml',
      '--data-dir',
      dataDir,
      '--json',
      '--html',
      html,
    ]);
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout) as {
      simulated: boolean;
      totals: { sent: number; revenue: number };
    };
    expect(json.simulated).toBe(true);
    expect(json.totals.sent).toBe(sent.length + (await callListCount(outbox)));
    expect(readFileSync(html, 'utf8')).toContain('class="simulated"');

    const again = campaign(['run', 'campaigns/double-11.yaml', '--simulate', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/already run/g)).toHaveLength(5);
    expect([
      ...lines(join(outbox, 'sms.jsonl')),
      ...lines(join(outbox, 'email', 'index.jsonl')),
    ]).toHaveLength(sent.length);
  });
});

async function callListCount(outbox: string): Promise<number> {
  const { readdirSync } = await import('node:fs');
  const dir = join(outbox, 'call-list');
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((n, f) => n + lines(join(dir, f)).length - 1, 0);
}
