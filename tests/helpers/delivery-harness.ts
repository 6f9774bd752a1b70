import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDelivery } from '../../local/local-delivery.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { ManualClock, simulatedTimeline } from '../../shared/clock.ts';
import {
  InMemoryCatalog,
  type ScheduledWave,
  scheduleCampaign,
} from '../../shared/delivery/campaign-catalog.ts';
import { type LocalDelivery, statePaths } from '../../shared/delivery/local/local-adapters.ts';
import { runWaveLocally } from '../../shared/delivery/local/run-wave.ts';
import type { LocalQueueOptions } from '../../shared/delivery/queue/local/local-queue.ts';
import { waveStatuses } from '../../shared/delivery/wave-status.ts';
import { lakeRoot } from '../../shared/lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';

/** A generated shop shared by the delivery tests of one file (history up to 20 Oct 2026). */
export async function sampleShop(customers = 4_000): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-'));
  await generateShop({ dataDir: dir, customers, orders: customers * 10, seed: 7, asOf: '2026-10-20' });
  return dir;
}

export const loadDouble11 = () => loadConfigFile(Campaign, 'campaigns/double-11.yaml');
export const loadShopPolicy = () => loadConfigFile(ContactPolicy, 'campaigns/contact-policy.yaml');

export interface Harness {
  dataDir: string;
  local: LocalDelivery;
  warehouse: DuckDbWarehouse;
  catalog: InMemoryCatalog;
  clock: ManualClock;
  waves: (campaign: Campaign) => ScheduledWave[];
  run: (sw: ScheduledWave) => ReturnType<typeof runWaveLocally>;
  status: (campaign: Campaign) => ReturnType<typeof waveStatuses>;
  ledger: (campaignId: string) => Promise<Record<string, unknown>[]>;
  outboxSendIds: () => Promise<string[]>;
  close: () => Promise<void>;
}

/** A fresh delivery state over a copy of the shop's lake: the same use cases and adapters as `npm start`. */
export async function deliveryHarness(
  shopDir: string,
  campaigns: Campaign[],
  opts: { policy?: ContactPolicy; queue?: LocalQueueOptions; start?: Date } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'delivery-'));
  cpSync(lakeRoot(shopDir), lakeRoot(dataDir), { recursive: true });
  const policy = opts.policy ?? (await loadShopPolicy());
  const catalog = new InMemoryCatalog(campaigns, policy);
  const clock = new ManualClock(opts.start ?? new Date('2026-10-20T00:00:00Z'));
  const local = openLocalDelivery(dataDir, clock, opts.queue);
  const warehouse = await DuckDbWarehouse.open(dataDir);
  return {
    dataDir,
    local,
    warehouse,
    catalog,
    clock,
    waves: (c) => scheduleCampaign(c, policy),
    run: (sw) =>
      runWaveLocally(local, { warehouse, catalog, timeline: simulatedTimeline(clock), dataDir }, sw),
    status: (c) =>
      waveStatuses(
        { warehouse, runs: local.runs },
        c.id,
        c.waves.map((w) => w.id),
      ),
    ledger: async (campaignId) =>
      (
        await warehouse.query(
          sql`SELECT * FROM sends WHERE campaign_id = ${sqlString(campaignId)} ORDER BY send_id`,
        )
      ).rows,
    outboxSendIds: async () => {
      const out = statePaths(dataDir).outbox;
      const lines = async (f: string) =>
        existsSync(f)
          ? (await readFile(f, 'utf8'))
              .split('\n')
              .filter(Boolean)
              .map((l) => String(JSON.parse(l).sendId))
          : [];
      const csv = async (dir: string) => {
        if (!existsSync(dir)) return [];
        const { readdirSync } = await import('node:fs');
        const ids: string[] = [];
        for (const f of readdirSync(dir)) {
          const rows = (await readFile(join(dir, f), 'utf8')).split('\n').slice(1).filter(Boolean);
          ids.push(...rows.map((r) => (r.split(',')[0] ?? '').replaceAll('"', '')));
        }
        return ids;
      };
      return [
        ...(await lines(join(out, 'email', 'index.jsonl'))),
        ...(await lines(join(out, 'sms.jsonl'))),
        ...(await csv(join(out, 'call-list'))),
      ];
    },
    close: async () => {
      await local.close();
      await warehouse.close();
    },
  };
}
