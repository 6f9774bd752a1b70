/**
 * A wave run: the record of one wave's launch, created when the wave starts and closed when its queues
 * have drained. `audience` is set once planning has read the whole audience; `status` then compares it
 * with the ledger. One run per wave, ever (re-launching a drained wave sends nothing).
 */
export type WaveRunState = 'planning' | 'sending' | 'drained' | 'failed';

export interface WaveRun {
  campaignId: string;
  waveId: string;
  state: WaveRunState;
  /** The wave's scheduled start: the time its audience is computed for. */
  runAt: string;
  /** Recipients the audience query returned; null until planning finished. */
  audience: number | null;
  /** Queue messages planned. */
  batches: number;
  /** Reservations made for higher-priority waves when this one launched. */
  reservations: number;
  /** Why the run failed (its audience query failed or was cancelled); null otherwise. */
  error: string | null;
  startedAt: string;
  drainedAt: string | null;
}

export interface WaveRunStore {
  get(campaignId: string, waveId: string): Promise<WaveRun | null>;
  list(campaignId: string): Promise<WaveRun[]>;
  put(run: WaveRun): Promise<void>;
  /** Forgets a campaign's runs (campaign run --fresh). */
  clear(campaignId: string): Promise<void>;
  close(): Promise<void>;
}
