import { parseDuration } from '../time/duration.ts';
import { localToInstant } from '../time/zoned-time.ts';
import { firstOccurrence, type Repeat } from './wave-repeat.ts';
import { type Trigger, tickAtOrAfter } from './wave-trigger.ts';

/** The part of a wave the schedule needs; kept structural so checks can run before defaults apply. */
export interface SchedulableWave {
  id: string;
  /** Absent on a recurring wave (`repeat`). */
  start?: string | { after: string; offset: string } | undefined;
  repeat?: Repeat | undefined;
  /** Absent on a wave that is not triggered (`trigger`). */
  trigger?: Trigger | undefined;
  sendBy?: string | undefined;
}

export interface WaveTimes {
  start: Date;
  sendBy?: Date;
}

export type ScheduleProblem =
  | { kind: 'unknown-wave'; waveIndex: number; ref: string }
  | { kind: 'cycle'; waveIndex: number; cycle: string[] }
  | { kind: 'after-recurring'; waveIndex: number; ref: string };

export interface WaveSchedule {
  /** By wave index; null where the start cannot be resolved (see problems). */
  times: (WaveTimes | null)[];
  problems: ScheduleProblem[];
}

/**
 * Resolves every wave's start (a local date-time, or an offset after another wave) to an instant,
 * reporting references to unknown waves and cycles of offsets instead of throwing. A recurring wave's
 * times are its first occurrence's (each occurrence has its own: campaign-catalog.ts); a wave cannot be
 * offset from a recurring one (which occurrence?).
 */
export function resolveWaveSchedule(waves: readonly SchedulableWave[], timeZone: string): WaveSchedule {
  const byId = new Map(waves.map((w, i) => [w.id, { wave: w, index: i }]));
  const starts = new Map<string, Date | null>();
  const problems: ScheduleProblem[] = [];

  const startOf = (id: string, trail: string[]): Date | null => {
    if (starts.has(id)) return starts.get(id) ?? null;
    const entry = byId.get(id);
    if (!entry) return null;
    const { wave, index } = entry;
    if (wave.start === undefined) {
      const at = wave.repeat
        ? (firstOccurrence(wave.id, wave.repeat, timeZone)?.start ?? null)
        : wave.trigger
          ? tickAtOrAfter(wave.trigger, timeZone, new Date(-8.64e15))
          : null;
      starts.set(id, at);
      return at;
    }
    if (typeof wave.start === 'string') {
      const at = localToInstant(wave.start, timeZone);
      starts.set(id, at);
      return at;
    }
    const ref = wave.start.after;
    if (!byId.has(ref)) {
      problems.push({ kind: 'unknown-wave', waveIndex: index, ref });
      starts.set(id, null);
      return null;
    }
    if (byId.get(ref)?.wave.start === undefined) {
      problems.push({ kind: 'after-recurring', waveIndex: index, ref });
      starts.set(id, null);
      return null;
    }
    if (trail.includes(ref)) {
      const cycle = [...trail.slice(trail.indexOf(ref)), ref];
      problems.push({ kind: 'cycle', waveIndex: index, cycle });
      for (const member of cycle) starts.set(member, null);
      return null;
    }
    const base = startOf(ref, [...trail, ref]);
    const at = base ? new Date(base.getTime() + parseDuration(wave.start.offset)) : null;
    if (!starts.has(id)) starts.set(id, at);
    return starts.get(id) ?? null;
  };

  const times = waves.map((wave): WaveTimes | null => {
    const start =
      typeof wave.start === 'string' ? localToInstant(wave.start, timeZone) : startOf(wave.id, [wave.id]);
    if (!start) return null;
    const sendBy =
      wave.sendBy === undefined
        ? undefined
        : /^\d+[mhdw]$/.test(wave.sendBy)
          ? new Date(start.getTime() + parseDuration(wave.sendBy))
          : localToInstant(wave.sendBy, timeZone);
    return sendBy ? { start, sendBy } : { start };
  });
  return { times, problems };
}
