import type { Campaign } from '../campaign/campaign-schema.ts';
import type { ContactPolicy } from '../campaign/contact-policy-schema.ts';
import { ManualClock, simulatedTimeline, type Timeline } from '../clock.ts';
import { tookOverLine, withDataFolder } from '../data-folder-lock.ts';
import {
  InMemoryCatalog,
  recurringWaves,
  type ScheduledWave,
  scheduleCampaign,
  scheduleOccurrences,
} from '../delivery/campaign-catalog.ts';
import { ParquetLedger } from '../delivery/ledger/local/parquet-ledger.ts';
import { openLocalDelivery } from '../delivery/local/local-delivery.ts';
import { runWaveLocally } from '../delivery/local/run-wave.ts';
import { statusWaveIds, type WaveStatus, waveStatuses } from '../delivery/wave-status.ts';
import { UserError } from '../errors.ts';
import { DuckDbWarehouse } from '../lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../lake/local/staged-parquet-writer.ts';
import { EVENTS, ORDER_ITEMS, ORDERS, SUPPRESSIONS } from '../lake/tables.ts';
import { payOrdersInLake } from '../responses/local/pay-orders.ts';
import { type Payment, type ResponseModel, simulateWaveResponses } from '../responses/simulate-responses.ts';
import { instantToLocal, localToInstant } from '../time/zoned-time.ts';
import type { StepReporter } from './progress.ts';

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
  /** Real time (`--real-time`: wait for each wave's start); default a simulated clock that jumps. */
  timeline?: (firstStart: Date) => Timeline;
  /** A live step line for what takes a while (the waves, the simulation). */
  progress?: StepReporter | undefined;
}

/**
 * `campaign run` and `npm start`: the campaign's waves in order of start on a simulated clock, each
 * through the local delivery (plan, queue, send, ledger); returns every wave's status. Holds the data
 * folder throughout: nothing in it (staged ledger rows included) is touched before the lock is taken.
 */
export function runCampaign(
  campaign: Campaign,
  shopPolicy: ContactPolicy,
  opts: RunCampaignOptions,
): Promise<WaveStatus[]> {
  return withDataFolder(
    opts.dataDir,
    `campaign run ${campaign.id}`,
    () => runLocked(campaign, shopPolicy, opts),
    (from) => opts.log(tookOverLine(from)),
  );
}

async function runLocked(
  campaign: Campaign,
  shopPolicy: ContactPolicy,
  opts: RunCampaignOptions,
): Promise<WaveStatus[]> {
  const { dataDir } = opts;
  // A permanent line first erases the live step line.
  const log = (line: string) => {
    opts.progress?.clear();
    opts.log(line);
  };
  const waves = campaignRuns(campaign, shopPolicy, opts.until)
    .filter((w) => !opts.waveIds || opts.waveIds.includes(w.occurrence?.waveId ?? w.wave.id))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  await ParquetLedger.recoverStaged(dataDir);
  const firstStart = waves[0]?.start ?? new Date();
  const timeline = opts.timeline?.(firstStart) ?? simulatedTimeline(new ManualClock(firstStart));
  const local = openLocalDelivery(dataDir, timeline.clock);
  const progress = opts.progress;
  const warehouse = await DuckDbWarehouse.open(dataDir);
  const catalog = new InMemoryCatalog([campaign, ...(opts.others ?? [])], shopPolicy);
  const simulation = opts.simulate
    ? {
        ...local,
        warehouse,
        events: new StagedParquetWriter(dataDir, EVENTS),
        suppressions: new StagedParquetWriter(dataDir, SUPPRESSIONS),
        orders: new StagedParquetWriter(dataDir, ORDERS),
        orderItems: new StagedParquetWriter(dataDir, ORDER_ITEMS),
        payOrders: (payments: readonly Payment[]) => payOrdersInLake(dataDir, payments),
      }
    : null;
  try {
    for (const sw of waves) {
      const at = instantToLocal(sw.start, campaign.timeZone).replace('T', ' ');
      const wait = sw.start.getTime() - timeline.clock.now().getTime();
      if (opts.timeline && wait > 0)
        log(`… ${at}  ${sw.wave.id}: waiting ${formatWait(wait)} for its start (real time)`);
      else if (opts.timeline && wait < -60_000)
        log(`… ${at}  ${sw.wave.id}: its start passed ${formatWait(-wait)} ago; running it now`);
      await timeline.waitUntil(sw.start);
      const started = Date.now();
      let handled = 0;
      const r = await runWaveLocally(
        local,
        {
          warehouse,
          catalog,
          timeline,
          dataDir,
          onHandled: (n, planned) => {
            handled += n;
            progress?.update(
              `${at}  ${sw.wave.id}: ${handled} recipients settled${planned ? '' : ', still planning'}`,
              null,
            );
          },
        },
        sw,
      );
      if (r.recovered)
        log(
          `↻ ${at}  ${sw.wave.id}: its earlier run was cut short; ${r.recovered.recorded} message(s) found in the outbox recorded sent, ${r.recovered.reopened} open claim(s) without a message reopened`,
        );
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
      const rollout = r.plan.run.rollout;
      if (rollout) log(`  rollout from ${rollout.pilotWaveId}: ${rollout.outcome} — ${rollout.reason}`);
      if (r.deadLetters.unreadable.length)
        log(
          `  ${r.deadLetters.unreadable.length} unreadable dead letter(s): ${r.deadLetters.unreadable.join(', ')}`,
        );
      if (simulation && opts.simulate) {
        progress?.update(`${sw.wave.id}: simulating responses`, null);
        const sim = await simulateWaveResponses(simulation, campaign, sw.wave.id, opts.simulate);
        await Promise.all([simulation.events.flush(), simulation.suppressions.flush()]);
        await warehouse.refreshViews(dataDir);
        log(
          `  SIMULATED responses: ${sim.events} events, ${sim.orders} orders (${sim.unpaid} left unpaid)${sim.paid ? `, ${sim.paid} unpaid orders paid` : ''}, ${sim.suppressed} unsubscribed or bounced`,
        );
      }
    }
    return await waveStatuses(
      { warehouse, runs: local.runs },
      campaign.id,
      await statusWaveIds(campaign, local.runs),
    );
  } finally {
    await local.close();
    await warehouse.close();
  }
}

/**
 * The wave runs `campaign run` fires up to `until`: every one-off wave, and every occurrence of each
 * recurring wave from its first date up to `until` (or its own last date). A recurring wave without a
 * last date needs `--until`: it would otherwise run forever.
 */
export function campaignRuns(
  campaign: Campaign,
  shopPolicy: ContactPolicy,
  until: Date | undefined,
): ScheduledWave[] {
  const oneOff = scheduleCampaign(campaign, shopPolicy).filter((w) => !until || w.start <= until);
  const recurring = recurringWaves(campaign);
  if (recurring.length === 0) return oneOff;
  let to = until;
  if (!to) {
    const open = recurring.find((w) => w.repeat.until === undefined);
    if (open)
      throw new UserError(
        `wave ${open.id} of ${campaign.id} repeats with no last date (repeat.until): run it with --until YYYY-MM-DDTHH:mm`,
      );
    to = new Date(
      Math.max(
        ...recurring.map((w) => localToInstant(`${w.repeat.until}T23:59`, campaign.timeZone).getTime()),
      ),
    );
  }
  return [...oneOff, ...scheduleOccurrences(campaign, shopPolicy, new Date(-8.64e15), to)];
}

/** "3 d 4 h", "5 h 12 min", "42 s". */
export function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}
