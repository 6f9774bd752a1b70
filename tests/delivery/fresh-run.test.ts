import { mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { forgetCampaignLocally } from '../../shared/delivery/local/fresh-run.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';
import { queryLake } from '../helpers/lake-query.ts';

const send = (campaignId: string, customerId: string) => ({
  send_id: `${campaignId}/w1/${customerId}`,
  campaign_id: campaignId,
  wave_id: 'w1',
  customer_id: customerId,
  channel: 'email',
  status: 'sent',
  planned_at: '2026-11-10 02:00:00',
  sent_at: '2026-11-10 02:00:05',
});

/**
 * `campaign run --fresh` rewrites the sends, events, attribution and rollout tables without one
 * campaign's rows. The data folder is the user's: its path may hold a quote, a space or Chinese.
 */
describe('forgetting a campaign locally (run --fresh)', () => {
  it("keeps the other campaigns' rows in a data folder whose path holds a quote", async () => {
    const made = await writeFixtureLake({
      sends: [send('d11', 'c1'), send('d11', 'c2'), send('other', 'c1')],
      attribution: [
        { campaign_id: 'd11', order_id: 'o1' },
        { campaign_id: 'other', order_id: 'o2' },
      ],
    });
    const dataDir = join(mkdtempSync(join(tmpdir(), 'fresh-')), "o'brien 店铺");
    renameSync(made, dataDir);
    mkdirSync(join(dataDir, 'state')); // as every run leaves it

    const report = await forgetCampaignLocally(
      dataDir,
      'd11',
      new ManualClock(new Date('2026-11-20T00:00:00Z')),
    );

    expect(report.sends).toBe(2);
    expect(await queryLake(dataDir, 'SELECT send_id FROM sends ORDER BY 1')).toEqual([
      { send_id: 'other/w1/c1' },
    ]);
    expect(await queryLake(dataDir, 'SELECT order_id FROM attribution ORDER BY 1')).toEqual([
      { order_id: 'o2' },
    ]);
  });
});

describe('forgetting a campaign whose id begins another campaign’s id', () => {
  it('removes its own simulated orders only, not those of double-11-2026 when forgetting double-11', async () => {
    const order = (orderId: string) => ({
      order_id: orderId,
      customer_id: 'c1',
      status: 'paid',
      amount: 10,
      created_at: '2026-11-11 02:00:00',
      paid_at: '2026-11-11 02:05:00',
      source: 'simulated',
    });
    const dataDir = await writeFixtureLake({
      orders: [order('sim-double-11-0123456789abcdef'), order('sim-double-11-2026-0123456789abcdef')],
    });
    mkdirSync(join(dataDir, 'state'));
    const report = await forgetCampaignLocally(
      dataDir,
      'double-11',
      new ManualClock(new Date('2026-11-20T00:00:00Z')),
    );
    expect(report.orders).toBe(1);
    expect(await queryLake(dataDir, 'SELECT order_id FROM orders')).toEqual([
      { order_id: 'sim-double-11-2026-0123456789abcdef' },
    ]);
  });
});

describe('a data folder whose path holds a quote, a space and Chinese', () => {
  it('takes a generated sample shop, read back through the views', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'quoted-')), "o'brien 店铺");
    await generateShop({ dataDir, customers: 200, orders: 600, seed: 3, asOf: '2026-10-20' });
    const [row] = await queryLake(dataDir, 'SELECT count(*) AS n FROM customers');
    expect(row?.n).toBe(200);
  });
});
