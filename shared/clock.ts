/**
 * Time is explicit: code that needs "now" takes a Clock instead of calling Date.now() deep inside,
 * so that simulated runs and tests control time.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where it is put; `set` moves it (used by simulated runs and tests). */
export class ManualClock implements Clock {
  #now: Date;

  constructor(start: Date) {
    this.#now = new Date(start);
  }

  now(): Date {
    return new Date(this.#now);
  }

  set(to: Date): void {
    this.#now = new Date(to);
  }
}

/**
 * How a run on one machine moves through time: on a simulated timeline waiting is a jump of the clock;
 * in real time it is a wait for the wall clock to get there (`campaign run --real-time`).
 */
export interface Timeline {
  readonly clock: Clock;
  /** Returns once the clock reads `at` or later. */
  waitUntil(at: Date): Promise<void>;
}

export function simulatedTimeline(clock: ManualClock): Timeline {
  return {
    clock,
    waitUntil: async (at) => {
      if (clock.now() < at) clock.set(at);
    },
  };
}

/** Sleeps at most this long at a time, so a wait of days rechecks the clock now and then. */
const MAX_SLEEP_MS = 60_000;

export function realTimeline(
  clock: Clock = systemClock,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Timeline {
  return {
    clock,
    waitUntil: async (at) => {
      for (let left = at.getTime() - clock.now().getTime(); left > 0; ) {
        await sleep(Math.min(left, MAX_SLEEP_MS));
        left = at.getTime() - clock.now().getTime();
      }
    },
  };
}
