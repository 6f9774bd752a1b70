import type { Campaign } from '../campaign/campaign-schema.ts';
import type { ContactPolicy } from '../campaign/contact-policy-schema.ts';
import { ManualClock } from '../clock.ts';
import { InMemoryCatalog, scheduleCampaign } from '../delivery/campaign-catalog.ts';
import { ParquetLedger } from '../delivery/ledger/local/parquet-ledger.ts';
import { openLocalDelivery } from '../delivery/local/local-delivery.ts';
import { runWaveLocally } from '../delivery/local/run-wave.ts';
import { type WaveStatus, waveStatuses } from '../delivery/wave-status.ts';
import { DuckDbWarehouse } from '../lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../lake/local/staged-parquet-writer.ts';
import { EVENTS, ORDERS, SUPPRESSIONS } from '../lake/tables.ts';
import { type ResponseModel, simulateWaveResponses } from '../responses/simulate-responses.ts';
import { instantToLocal } from '../time/zoned-time.ts';

export interface RunCampaignOptions {
  dataDir: string;
  /** Other campaigns whose waves compete for the same customers (their reservations count). */
  others?: Campaign[];
  waveIds?: string[] | undefined;
  until?: Date | undefined;
  /** Where the per-wave progress lines go. */
  log: (line: string) => void;
  /** Simulate the audience's responses after each wave (runs on one machine only). */
  simulate?: ResponseModel | undefined;
}

/**
 * `campaign run` and `npm start`: the campaign's waves in order of start on a simulated clock, each
 * through the local delivery (plan, queue, send, ledger); returns every wave's status.
 */
export async function runCampaign(
  campaign: Campaign,
  shopPolicy: ContactPolicy,
  opts: RunCampaignOptions,
): Promise<WaveStatus[]> {
  const { dataDir, log } = opts;
  const waves = scheduleCampaign(campaign, shopPolicy)
    .filter((w) => !opts.waveIds || opts.waveIds.includes(w.wave.id))
    .filter((w) => !opts.until || w.start <= opts.until)
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  await ParquetLedger.recoverStaged(dataDir);
  const clock = new ManualClock(waves[0]?.start ?? new Date());
  const local = openLocalDelivery(dataDir, clock);
  const warehouse = await DuckDbWarehouse.open(dataDir);
  const catalog = new InMemoryCatalog([campaign, ...(opts.others ?? [])], shopPolicy);
  const simulation = opts.simulate
    ? {
        ...local,
        warehouse,
        events: new StagedParquetWriter(dataDir, EVENTS),
        suppressions: new StagedParquetWriter(dataDir, SUPPRESSIONS),
        orders: new StagedParquetWriter(dataDir, ORDERS),
      }
    : null;
  try {
    for (const sw of waves) {
      const started = Date.now();
      const at = instantToLocal(sw.start, campaign.timeZone).replace('T', ' ');
      const r = await runWaveLocally(local, { warehouse, catalog, clock, dataDir }, sw);
      if (r.plan.kind === 'already-run') {
        log(`· ${at}  ${sw.wave.id}: already run (drained ${r.plan.run.drainedAt}); nothing sent again`);
        continue;
      }
      const dead = r.deadLetters.failed + r.deadLetters.unreadable.length;
      const reservations = r.plan.reservations ? `, ${r.plan.reservations} reservations for later waves` : '';
      log(
        `✔ ${at}  ${sw.wave.id}: audience ${r.plan.run.audience}, queued ${r.plan.queued}, left out at planning ${r.plan.suppressed}` +
          `${reservations}${dead ? `, ${dead} dead-lettered` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      if (r.deadLetters.unreadable.length)
        log(
          `  ${r.deadLetters.unreadable.length} unreadable dead letter(s): ${r.deadLetters.unreadable.join(', ')}`,
        );
      if (simulation && opts.simulate) {
        const sim = await simulateWaveResponses(simulation, campaign.id, sw.wave.id, opts.simulate);
        await Promise.all([
          simulation.events.flush(),
          simulation.suppressions.flush(),
          simulation.orders.flush(),
        ]);
        await warehouse.refreshViews(dataDir);
        log(
          `  SIMULATED responses: ${sim.events} events, ${sim.orders} orders (${sim.unpaid} left unpaid), ${sim.suppressed} unsubscribed or bounced`,
        );
      }
    }
    return await waveStatuses(
      { warehouse, runs: local.runs },
      campaign.id,
      campaign.waves.map((w) => w.id),
    );
  } finally {
    await local.close();
    await warehouse.close();
  }
}
