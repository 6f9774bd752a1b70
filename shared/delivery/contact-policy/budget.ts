/**
 * Budget for a wave: recipients come highest value first (the audience query orders them by lifetime
 * paid spend, ties by customer id, so the split is the same on every re-run); each is admitted while its
 * planned cost still fits, else suppressed with reason budget. A cheaper recipient further down may still
 * use what is left. Money is counted in whole cents, so float error never lets a recipient past the budget.
 */
export class BudgetMeter {
  readonly #cents: number;
  readonly #maxRecipients: number;
  #spentCents = 0;
  #admitted = 0;

  constructor(budget: number = Number.POSITIVE_INFINITY, maxRecipients: number = Number.POSITIVE_INFINITY) {
    this.#cents = budget === Number.POSITIVE_INFINITY ? budget : Math.round(budget * 100);
    this.#maxRecipients = maxRecipients;
  }

  /** True when there is a limit at all (the audience then needs ordering by value). */
  get limited(): boolean {
    return this.#cents !== Number.POSITIVE_INFINITY || this.#maxRecipients !== Number.POSITIVE_INFINITY;
  }

  /** Admits a recipient whose message is planned to cost `cost`, if it fits. */
  admit(cost: number): boolean {
    const cents = Math.round(cost * 100);
    if (this.#admitted >= this.#maxRecipients || this.#spentCents + cents > this.#cents) return false;
    this.#spentCents += cents;
    this.#admitted += 1;
    return true;
  }

  get spent(): number {
    return this.#spentCents / 100;
  }
}
