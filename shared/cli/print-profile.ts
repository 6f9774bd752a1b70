import type { ShopProfile } from '../shop/shop-profile.ts';
import { formatTable } from './output.ts';

const pct = (n: number) => `${n.toFixed(1)}%`;

export function printProfile(p: ShopProfile): void {
  console.log(`Shop profile (${p.from ?? '–'} … ${p.to ?? '–'})`);
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
      ],
    ),
  );
}
