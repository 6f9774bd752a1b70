import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { statusOf } from '../../shared/api/campaign-api.ts';
import { JournalCampaignStore } from '../../shared/api/local/journal-campaign-store.ts';
import { ManualClock } from '../../shared/clock.ts';
import { JournalWaveRunStore } from '../../shared/delivery/wave-runs/local/journal-wave-run-store.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { loadShopPolicy } from '../helpers/delivery-harness.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

describe('campaign status through the API', () => {
  it('records a running wave as done once every planned recipient has its ledger row (as on AWS)', async () => {
    const config = parse(readFileSync('campaigns/double-11.yaml', 'utf8'));
    const send = (customer: string, status: string) => ({
      send_id: `double-11-2026/d11-preheat/${customer}`,
      campaign_id: 'double-11-2026',
      wave_id: 'd11-preheat',
      customer_id: customer,
      status,
      channel: 'sms',
      planned_at: '2026-10-25 02:00:00',
    });
    const dir = await writeFixtureLake({ sends: [send('c1', 'sent'), send('c2', 'suppressed')] });
    const state = mkdtempSync(join(tmpdir(), 'api-state-'));
    const store = new JournalCampaignStore(join(state, 'campaigns'));
    const runs = new JournalWaveRunStore(join(state, 'runs'));
    const waves = Object.fromEntries(
      (config.waves as { id: string }[]).map((w) => [w.id, w.id === 'd11-preheat' ? 'running' : 'scheduled']),
    );
    await store.create({
      id: 'double-11-2026',
      config,
      state: 'running',
      waves: waves as never,
      version: 1,
      createdAt: '',
      updatedAt: '',
    });
    const run = {
      campaignId: 'double-11-2026',
      waveId: 'd11-preheat',
      state: 'sending' as const,
      runAt: '2026-10-25T02:00:00.000Z',
      batches: 1,
      reservations: 0,
      error: null,
      startedAt: '',
      drainedAt: null,
    };
    const warehouse = await DuckDbWarehouse.open(dir);
    const deps = {
      store,
      runs,
      warehouse,
      dialect: 'duckdb' as const,
      policy: await loadShopPolicy(),
      clock: new ManualClock(new Date('2026-10-26T00:00:00Z')),
      scheduler: { schedule: async () => {}, unschedule: async () => {} },
    };
    // One recipient still in flight: still running.
    await runs.put({ ...run, audience: 3 });
    const busy = await statusOf(deps, 'double-11-2026');
    expect(busy.waves[0]).toMatchObject({ state: 'sending', inFlight: 1, lifecycle: 'running' });
    // Every recipient settled: drained, reconciled, and the wave is done in the store.
    await runs.put({ ...run, audience: 2 });
    const done = await statusOf(deps, 'double-11-2026');
    expect(done.waves[0]).toMatchObject({ state: 'drained', reconciles: true, lifecycle: 'done' });
    expect((await store.get('double-11-2026'))?.waves['d11-preheat']).toBe('done');
    await warehouse.close();
  });
});
