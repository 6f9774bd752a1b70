/**
 * Budget allocation for a wave: when the planned cost exceeds what is left of the budget, the
 * highest-value recipients are served first and the rest are suppressed (reason budget). Ties in value
 * go to the smaller customer id, so the split is the same on every re-run.
 */
export interface PlannedRecipient {
  customerId: string;
  /** Lifetime paid spend (or another value score): higher is served first. */
  value: number;
  /** Planned cost of this recipient's message (SMS: segments × price). */
  cost: number;
}

export interface BudgetSplit {
  served: PlannedRecipient[];
  overBudget: PlannedRecipient[];
  plannedCost: number;
}

export function allocateBudget(
  recipients: readonly PlannedRecipient[],
  budget: number | undefined,
): BudgetSplit {
  const total = recipients.reduce((s, r) => s + r.cost, 0);
  if (budget === undefined || Math.round(total * 100) <= Math.round(budget * 100))
    return { served: [...recipients], overBudget: [], plannedCost: round(total) };
  const ordered = [...recipients].sort((a, b) => b.value - a.value || (a.customerId < b.customerId ? -1 : 1));
  const served: PlannedRecipient[] = [];
  const overBudget: PlannedRecipient[] = [];
  let spent = 0;
  for (const r of ordered) {
    // Whole cents, so float error never lets a recipient past the budget.
    if (Math.round((spent + r.cost) * 100) <= Math.round(budget * 100)) {
      served.push(r);
      spent += r.cost;
    } else overBudget.push(r);
  }
  return { served, overBudget, plannedCost: round(spent) };
}

const round = (x: number) => Math.round(x * 100) / 100;
