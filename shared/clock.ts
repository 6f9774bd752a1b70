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
