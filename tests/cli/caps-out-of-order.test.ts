import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { campaignCli } from '../helpers/campaign-cli.ts';
import { sampleShop } from '../helpers/delivery-harness.ts';

const campaign = campaignCli;

const WINBACK = ['run', 'campaigns/winback.yaml'];
const DOUBLE_11 = ['run', 'campaigns/double-11.yaml', '--until', '2026-11-11T23:59'];

let shop: string;
beforeAll(async () => {
  shop = await sampleShop(3_000);
});

/**
 * Marketing messages sent, with the cap each was sent under: the winback under the shop's one per 30 days,
 * Double-11 under its own two per 30 days.
 */
async function sent(dataDir: string) {
  const wh = await DuckDbWarehouse.open(dataDir);
  try {
    const q = async (text: Sql) => (await wh.query(text)).rows;
    const sends = sql`(SELECT DISTINCT send_id, customer_id, campaign_id, sent_at FROM sends
      WHERE status = 'sent' AND category = 'marketing')`;
    const [pairs] =
      await q(sql`SELECT count(DISTINCT a.customer_id) AS customers FROM ${sends} a JOIN ${sends} b
      ON a.customer_id = b.customer_id AND a.campaign_id = 'winback-2026q4' AND b.campaign_id <> a.campaign_id
      AND abs(date_diff('second', a.sent_at, b.sent_at)) < 30 * 86400`);
    // Each message keeps its own cap in the 30 days ending at it.
    const [over] = await q(sql`SELECT count(*) AS n FROM ${sends} m WHERE (SELECT count(*) FROM ${sends} o
      WHERE o.customer_id = m.customer_id AND o.sent_at > m.sent_at - INTERVAL 30 DAY AND o.sent_at <= m.sent_at)
      > CASE m.campaign_id WHEN 'winback-2026q4' THEN 1 ELSE 2 END`);
    const [winback] = await q(sql`SELECT count(*) AS n FROM ${sends} WHERE campaign_id = 'winback-2026q4'`);
    return { pairs: Number(pairs?.customers), overCap: Number(over?.n), winback: Number(winback?.n) };
  } finally {
    await wh.close();
  }
}

describe('caps count contacts on both sides in time: campaigns run out of date order', {
  timeout: 180_000,
}, () => {
  it.each([
    ['winback (5 Dec) first, then Double-11 (25 Oct–11 Nov)', [WINBACK, DOUBLE_11]],
    ['Double-11 first, then winback', [DOUBLE_11, WINBACK]],
  ])('%s: nobody gets a winback and another marketing message within 30 days', async (_name, runs) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'caps-'));
    await cp(join(shop, 'lake'), join(dataDir, 'lake'), { recursive: true });
    for (const args of runs) {
      const r = campaign([...args, '--data-dir', dataDir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/failed: /);
    }
    const s = await sent(dataDir);
    expect(s.winback).toBeGreaterThan(0);
    expect(s.pairs, 'customers with a winback and another marketing message within 30 days').toBe(0);
    expect(s.overCap, 'messages over the cap they were sent under').toBe(0);
  });
});
