/**
 * The truth oracle of the truth tests: written apart from lift-sql.ts, in plain TypeScript over the
 * ledger's assignments and the paid orders, it counts each comparison's customers and conversions (to
 * check the lift table's) and the incremental conversions planted orders caused.
 *
 * A customer converts in a window when one of their orders was paid in it and created before it ended.
 * A planted order "flips" a customer when they convert with it and would not have without it. A scope's
 * true incremental conversions: per stratum, the treated group's flips minus what the control group's
 * flips (orders planted for them by other waves) make of the same number of customers — summed over
 * the strata the estimator reads.
 */

export interface Assignment {
  waveId: string;
  customerId: string;
  arm: 'treatment' | 'holdout' | 'wave-holdout';
  plannedAt: number;
  sentAt: number | null;
}

export interface PaidOrder {
  orderId: string;
  customerId: string;
  createdAt: number;
  paidAt: number;
  amount: number;
  planted: boolean;
}

export interface StratumCount {
  scope: string;
  stratum: string;
  grp: 'treated' | 'control';
  customers: number;
  converted: number;
  flips: number;
}

interface Unit {
  scope: string;
  stratum: string;
  grp: 'treated' | 'control';
  customerId: string;
  since: number;
  until: number;
}

export const CAMPAIGN = '*';

export function liftTruth(
  assignments: readonly Assignment[],
  windowMs: ReadonlyMap<string, number>,
  orders: readonly PaidOrder[],
  minExpected: number,
): { truth: Map<string, number>; counts: StratumCount[] } {
  const first = new Map<string, number>();
  for (const a of assignments)
    first.set(a.customerId, Math.min(first.get(a.customerId) ?? a.plannedAt, a.plannedAt));
  const until = (a: Assignment) => {
    const w = windowMs.get(a.waveId);
    if (w === undefined) throw new Error(`no window for wave ${a.waveId}`);
    return a.plannedAt + w;
  };
  const units: Unit[] = [];
  for (const a of assignments) {
    const isNew = a.plannedAt === first.get(a.customerId);
    if (a.arm === 'holdout' && !isNew) continue;
    units.push({
      scope: a.waveId,
      stratum: isNew ? 'new' : 'returning',
      grp: a.arm === 'treatment' ? 'treated' : 'control',
      customerId: a.customerId,
      since: a.plannedAt,
      until: until(a),
    });
  }
  const campaignEnd = Math.max(...assignments.map(until));
  const heldOut = new Set(assignments.filter((a) => a.arm === 'holdout').map((a) => a.customerId));
  for (const [customerId, since] of first)
    units.push({
      scope: CAMPAIGN,
      stratum: 'all',
      grp: heldOut.has(customerId) ? 'control' : 'treated',
      customerId,
      since,
      until: campaignEnd,
    });

  const byCustomer = new Map<string, PaidOrder[]>();
  for (const o of orders) {
    const list = byCustomer.get(o.customerId);
    if (list) list.push(o);
    else byCustomer.set(o.customerId, [o]);
  }
  const counts = new Map<string, StratumCount>();
  for (const u of units) {
    const inWindow = (byCustomer.get(u.customerId) ?? []).filter(
      (o) => o.paidAt >= u.since && o.createdAt < u.until,
    );
    const converted = inWindow.length > 0;
    const organically = inWindow.some((o) => !o.planted);
    const key = `${u.scope}/${u.stratum}/${u.grp}`;
    const c = counts.get(key) ?? {
      scope: u.scope,
      stratum: u.stratum,
      grp: u.grp,
      customers: 0,
      converted: 0,
      flips: 0,
    };
    c.customers += 1;
    c.converted += converted ? 1 : 0;
    c.flips += converted && !organically ? 1 : 0;
    counts.set(key, c);
  }

  const truth = new Map<string, number>();
  const all = [...counts.values()];
  for (const scope of new Set(all.map((c) => c.scope))) {
    let t = 0;
    for (const stratum of new Set(all.filter((c) => c.scope === scope).map((c) => c.stratum))) {
      const treated = counts.get(`${scope}/${stratum}/treated`);
      const control = counts.get(`${scope}/${stratum}/control`);
      if (!treated || !control) continue;
      const pooled = (treated.converted + control.converted) / (treated.customers + control.customers);
      const smaller = Math.min(treated.customers, control.customers);
      // The estimator reads a stratum only when both groups expect enough conversions and non-conversions.
      if (smaller * pooled < minExpected || smaller * (1 - pooled) < minExpected) continue;
      t += treated.flips - (treated.customers * control.flips) / control.customers;
    }
    truth.set(scope, t);
  }
  return { truth, counts: all };
}
