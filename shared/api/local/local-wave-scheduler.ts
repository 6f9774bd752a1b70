import type { Campaign } from '../../campaign/campaign-schema.ts';
import type { ContactPolicy } from '../../campaign/contact-policy-schema.ts';
import type { ManualClock, Timeline } from '../../clock.ts';
import { InMemoryCatalog, scheduleCampaign } from '../../delivery/campaign-catalog.ts';
import type { LocalDelivery } from '../../delivery/local/local-adapters.ts';
import { runWaveLocally } from '../../delivery/local/run-wave.ts';
import { UserError } from '../../errors.ts';
import type { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import { configOf } from '../campaign-api.ts';
import { type CampaignStore, listAll } from '../campaign-store.ts';
import { waveProgress } from '../lifecycle.ts';
import type { WaveScheduler } from '../wave-scheduler.ts';

/** setTimeout takes at most 2^31 − 1 ms (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LocalSchedulerDeps {
  store: CampaignStore;
  local: LocalDelivery;
  warehouse: DuckDbWarehouse;
  dataDir: string;
  policy: ContactPolicy;
  log: (line: string) => void;
  /** The local delivery's timeline: real (waves wait for their start) or simulated. */
  timeline: Timeline;
  /**
   * Simulated (the timeline's clock): launched waves run at once, in order of start, each on its own
   * timeline — the clock is set to the wave's start before it runs, back in time too. Null: real time.
   */
  simulated: ManualClock | null;
}

/**
 * The local clock's scheduler (`campaign serve`): a timer per launched wave; at its start (at once if
 * the start has passed) the wave runs through the local delivery, one wave at a time, if it is still
 * scheduled then. Its lifecycle follows: running, then done. On a simulated clock (`serve --simulated`)
 * launched waves run at once, in order of start, each at its own start: a campaign dated before one
 * that ran already runs at its own dates, not after the other's (its waves would all have missed their
 * send-by). Caps count contacts on both sides in time, so no order breaks a cap (docs/delivery.md);
 * one wave runs at a time, so no two share the clock.
 */
export class LocalWaveScheduler implements WaveScheduler {
  readonly #deps: LocalSchedulerDeps;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #chain: Promise<void> = Promise.resolve();

  constructor(deps: LocalSchedulerDeps) {
    this.#deps = deps;
  }

  /**
   * Recurring and triggered waves are run by `campaign run` (which fires their occurrences and ticks), not
   * by this scheduler: launching one is refused, naming the wave, rather than leaving it scheduled forever.
   */
  refuse(campaign: Campaign, waveIds: readonly string[]): void {
    const wave = campaign.waves.find((w) => waveIds.includes(w.id) && (w.repeat || w.trigger));
    if (!wave) return;
    const kind = wave.repeat ? 'a recurring wave (repeat:)' : 'a triggered wave (trigger:)';
    throw new UserError(
      `campaign ${campaign.id}: wave ${wave.id} is ${kind}, which campaign serve does not run; run the campaign with \`npx campaign run <file>\` (it fires every occurrence or tick), or launch only its one-off waves`,
    );
  }

  async schedule(campaign: Campaign, waveIds: readonly string[]): Promise<void> {
    const waves = scheduleCampaign(campaign, this.#deps.policy)
      .filter((sw) => waveIds.includes(sw.wave.id))
      .sort((a, b) => a.start.getTime() - b.start.getTime());
    for (const sw of waves) {
      if (this.#deps.simulated) this.#chain = this.#chain.then(() => this.#run(campaign.id, sw.wave.id));
      else this.#arm(campaign.id, sw.wave.id, sw.start);
    }
  }

  async unschedule(campaignId: string, waveIds: readonly string[]): Promise<void> {
    for (const waveId of waveIds) {
      const key = `${campaignId}/${waveId}`;
      clearTimeout(this.#timers.get(key));
      this.#timers.delete(key);
    }
  }

  /** Resolves when every wave started so far has finished (for tests and shutdown). */
  idle(): Promise<void> {
    return this.#chain;
  }

  close(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #arm(campaignId: string, waveId: string, start: Date): void {
    const key = `${campaignId}/${waveId}`;
    clearTimeout(this.#timers.get(key));
    const wait = start.getTime() - this.#deps.timeline.clock.now().getTime();
    const timer = setTimeout(
      () => {
        this.#timers.delete(key);
        if (wait > MAX_TIMER_MS) this.#arm(campaignId, waveId, start);
        else this.#chain = this.#chain.then(() => this.#run(campaignId, waveId));
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    timer.unref();
    this.#timers.set(key, timer);
  }

  async #run(campaignId: string, waveId: string): Promise<void> {
    const { store, local, warehouse, dataDir, policy, log, timeline } = this.#deps;
    try {
      const stored = await store.get(campaignId);
      if (stored?.waves[waveId] !== 'scheduled') return; // paused or cancelled meanwhile
      await store.put(waveProgress(stored, waveId, 'running'), stored.version);
      const catalog = new InMemoryCatalog((await listAll(store)).map(configOf), policy);
      const sw = await catalog.wave(campaignId, waveId);
      this.#deps.simulated?.set(sw.start);
      const r = await runWaveLocally(local, { warehouse, catalog, timeline, dataDir }, sw);
      const audience = r.plan.kind === 'already-run' ? 'already run' : `audience ${r.plan.run.audience}`;
      log(`✔ ${campaignId}/${waveId}: ${audience}`);
      const after = await store.get(campaignId);
      if (after) await store.put(waveProgress(after, waveId, 'done'), after.version);
    } catch (e) {
      log(`✖ ${campaignId}/${waveId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
