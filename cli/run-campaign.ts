import { openLocalDelivery } from '../local/local-delivery.ts';
import type { Campaign, Wave } from '../shared/campaign/campaign-schema.ts';
import { effectivePolicy } from '../shared/campaign/contact-policy.ts';
import type { ContactPolicy } from '../shared/campaign/contact-policy-schema.ts';
import {
  type Trigger,
  tickAtOrAfter,
  tickFor,
  tickOccurrence,
  triggerWindow,
} from '../shared/campaign/wave-trigger.ts';
import { ManualClock, simulatedTimeline, type Timeline } from '../shared/clock.ts';
import { tookOverLine, withDataFolder } from '../shared/data-folder-lock.ts';
import {
  InMemoryCatalog,
  occurrenceWave,
  recurringWaves,
  type ScheduledWave,
  scheduleCampaign,
  scheduleOccurrences,
  triggeredWaves,
} from '../shared/delivery/campaign-catalog.ts';
import { ParquetLedger } from '../shared/delivery/ledger/local/parquet-ledger.ts';
import { runWaveLocally } from '../shared/delivery/local/run-wave.ts';
import { statusWaveIds, type WaveStatus, waveStatuses } from '../shared/delivery/wave-status.ts';
import { UserError } from '../shared/errors.ts';
import { DuckDbWarehouse } from '../shared/lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../shared/lake/local/staged-parquet-writer.ts';
import { EVENTS, ORDER_ITEMS, ORDERS, SUPPRESSIONS } from '../shared/lake/tables.ts';
import type { Warehouse } from '../shared/lake/warehouse.ts';
import { payOrdersInLake } from '../shared/responses/local/pay-orders.ts';
import {
  type Payment,
  type ResponseModel,
  simulateWaveResponses,
} from '../shared/responses/simulate-responses.ts';
import { nextTriggerEventSql } from '../shared/segment/trigger-sql.ts';
import { parseDuration } from '../shared/time/duration.ts';
import { instantToLocal, localToInstant } from '../shared/time/zoned-time.ts';
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
  const triggered = new TriggeredRuns(campaign, shopPolicy, opts.until, opts.waveIds);
  await ParquetLedger.recoverStaged(dataDir);
  const firstTick = triggeredWaves(campaign)
    .map((w) => tickAtOrAfter(w.trigger, campaign.timeZone, new Date(-8.64e15)))
    .filter((t): t is Date => t !== null);
  const firstStart =
    [...waves.map((w) => w.start), ...firstTick].sort((a, b) => a.getTime() - b.getTime())[0] ?? new Date();
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
    for (;;) {
      // The next run: the next one-off wave or occurrence, or a triggered wave's tick due before it.
      const tick = await triggered.next(warehouse, waves[0]?.start);
      const sw = tick ?? waves.shift();
      if (!sw) break;
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
  const to = until ?? lastDate(campaign, recurring);
  return [...oneOff, ...scheduleOccurrences(campaign, shopPolicy, new Date(-8.64e15), to)];
}

/** The end of the last date of waves that run more than once; without one, --until is needed. */
function lastDate(campaign: Campaign, waves: readonly Wave[]): Date {
  const open = waves.find((w) => (w.repeat ?? w.trigger)?.until === undefined);
  if (open)
    throw new UserError(
      `wave ${open.id} of ${campaign.id} ${open.repeat ? 'repeats' : 'is triggered'} with no last date (${open.repeat ? 'repeat' : 'trigger'}.until): run it with --until YYYY-MM-DDTHH:mm`,
    );
  return new Date(
    Math.max(
      ...waves.map((w) =>
        localToInstant(`${(w.repeat ?? w.trigger)?.until}T23:59`, campaign.timeZone).getTime(),
      ),
    ),
  );
}

/**
 * The runs of a campaign's triggered waves, found as the clock goes: after each run the lake may hold new
 * events (a simulated response's order or click), so the next tick is asked for each time. Only ticks
 * whose window holds an event are fired (any other tick's audience is empty); a tick's run id is the same
 * whichever run finds it, so a second `campaign run` finds every one already run.
 */
interface TriggeredEntry {
  wave: Wave & { trigger: Trigger };
  /** Events up to here have had their tick. */
  covered: Date;
  until: Date;
}

class TriggeredRuns {
  readonly #waves: TriggeredEntry[];
  readonly #campaign: Campaign;
  readonly #policy: ContactPolicy;

  constructor(campaign: Campaign, shopPolicy: ContactPolicy, until: Date | undefined, waveIds?: string[]) {
    this.#campaign = campaign;
    this.#policy = shopPolicy;
    const waves = triggeredWaves(campaign).filter((w) => !waveIds || waveIds.includes(w.id));
    const to = waves.length > 0 ? (until ?? lastDate(campaign, waves)) : new Date(0);
    this.#waves = waves.flatMap((wave) => {
      const first = tickAtOrAfter(wave.trigger, campaign.timeZone, new Date(-8.64e15));
      return first ? [{ wave, covered: triggerWindow(wave.trigger, first).after, until: to }] : [];
    });
  }

  /** The earliest tick with an event in its window, not after `before` (the next one-off wave). */
  async next(warehouse: Warehouse, before: Date | undefined): Promise<ScheduledWave | null> {
    let best: { sw: ScheduledWave; entry: TriggeredEntry } | null = null;
    for (const entry of this.#waves) {
      const { trigger } = entry.wave;
      const last = new Date(entry.until.getTime() - parseDuration(trigger.after));
      if (entry.covered >= last) continue;
      const { rows } = await warehouse.query(
        nextTriggerEventSql(this.#campaign.id, trigger, entry.covered, last),
      );
      const at = rows[0]?.at;
      if (at === null || at === undefined) {
        entry.covered = last;
        continue;
      }
      const tick = tickFor(trigger, this.#campaign.timeZone, new Date(String(at)));
      if (!tick || tick > entry.until) {
        entry.covered = last;
        continue;
      }
      if (before && tick > before) continue;
      if (best && tick >= best.sw.start) continue;
      const o = tickOccurrence(entry.wave.id, this.#campaign.timeZone, tick);
      best = {
        sw: occurrenceWave(this.#campaign, effectivePolicy(this.#policy, this.#campaign), entry.wave, o),
        entry,
      };
    }
    if (best) best.entry.covered = triggerWindow(best.entry.wave.trigger, best.sw.start).to;
    return best?.sw ?? null;
  }
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
