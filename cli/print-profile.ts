import type { AnalysesSummary } from '../shared/shop/analyses-summary.ts';
import type { ShopProfile } from '../shared/shop/shop-profile.ts';
import { formatTable } from './output.ts';

const pct = (n: number) => `${n.toFixed(1)}%`;
/** A rate (0–1) as a percentage, or – when there is none. */
const rate = (n: number | null) => (n === null ? '–' : pct(100 * n));

/** The rows of the shop analyses (docs/analyses.md) under the profile's. */
function analysesRows(a: AnalysesSummary): string[][] {
  const rows: string[][] = [];
  const r = a.repurchase;
  if (r) {
    const label = `second purchase within ${r.windowDays} days vs industry`;
    if (r.industryRate === null || r.shopRate === null)
      rows.push([label, 'no figure entered (benchmarks.repurchaseRate in contact-policy.yaml)']);
    else {
      const diff = 100 * (r.shopRate - r.industryRate);
      rows.push([
        label,
        `${rate(r.shopRate)} vs ${rate(r.industryRate)} (${diff >= 0 ? '+' : '−'}${Math.abs(diff).toFixed(1)} pts)`,
      ]);
    }
  }
  if (a.returning7d)
    rows.push([
      `returning customers' share, 7 days to ${a.returning7d.day} (orders / revenue)`,
      `${rate(a.returning7d.orderShare)} / ${rate(a.returning7d.revenueShare)}`,
    ]);
  if (a.memberRepurchase30d)
    rows.push([
      `30-day repurchase, members / non-members (${a.memberRepurchase30d.month})`,
      `${rate(a.memberRepurchase30d.member)} / ${rate(a.memberRepurchase30d.nonMember)}`,
    ]);
  return rows;
}

/**
 * Prints the profile; `simulated` says whether the response simulation's orders are counted (`data profile
 * --include-simulated`) or left out (the default).
 */
export function printProfile(
  p: ShopProfile,
  analyses?: AnalysesSummary,
  simulated: 'include' | 'exclude' = 'exclude',
): void {
  const note =
    simulated === 'exclude'
      ? 'simulated orders left out; --include-simulated counts them'
      : 'simulated orders included';
  console.log(`Shop profile (${p.from ?? '–'} … ${p.to ?? '–'}; ${note})`);
  console.log(
    formatTable(
      ['measure', 'value'],
      [
        ['customers', p.customers.toLocaleString('en-US')],
        ['orders (paid)', `${p.orders.toLocaleString('en-US')} (${p.paidOrders.toLocaleString('en-US')})`],
        ['buyers', p.buyers.toLocaleString('en-US')],
        ['revenue', p.revenue.toLocaleString('en-US', { maximumFractionDigits: 0 })],
        ['one-time buyers', pct(p.oneTimePct)],
        ['buyers with 2 / 3+ orders', `${pct(p.twoOrdersPct)} / ${pct(p.threePlusPct)}`],
        ['dormant > 365 days', pct(p.dormantPct)],
        [
          'second purchase within 180 / 365 days',
          `${pct(p.secondPurchase180dPct)} / ${pct(p.secondPurchase365dPct)}`,
        ],
        ...(analyses ? analysesRows(analyses) : []),
      ],
    ),
  );
}
