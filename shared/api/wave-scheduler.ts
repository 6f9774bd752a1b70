import type { Campaign } from '../campaign/campaign-schema.ts';

/** Launching a wave arranges for it to start on time: EventBridge Scheduler on AWS, a timer locally. */
export interface WaveScheduler {
  schedule(campaign: Campaign, waveIds: readonly string[]): Promise<void>;
  /**
   * Throws a UserError saying why the scheduler cannot run these waves (checked before a launch or resume
   * changes any state); absent: it runs every kind of wave.
   */
  refuse?(campaign: Campaign, waveIds: readonly string[]): void;
  /** Waves that must not start after all (paused, cancelled); running waves finish. */
  unschedule(campaignId: string, waveIds: readonly string[]): Promise<void>;
}
