import { describe, expect, it } from 'vitest';
import { RowShapeError } from '../../shared/lake/row-decoder.ts';
import type { Row, Warehouse } from '../../shared/lake/warehouse.ts';
import { analysesSummary } from '../../shared/shop/analyses-summary.ts';
import { shopProfile } from '../../shared/shop/shop-profile.ts';

/** A warehouse that answers every query with the same rows, as Athena returns them (text). */
const answering = (rows: Row[]): Warehouse => ({
  query: async () => ({ columns: Object.keys(rows[0] ?? {}), rows }),
  stream: async function* () {
    yield rows;
  },
  close: async () => {},
});

describe('the shop profile and the analyses summary read their rows by column', () => {
  it('reads numbers Athena returns as text, and NULL figures as 0', async () => {
    const profile = await shopProfile(
      answering([
        {
          customers: '12',
          orders: '30',
          paid_orders: '25',
          buyers: '10',
          revenue: '999.5',
          one_time_pct: null,
        },
      ]),
    );
    expect(profile).toMatchObject({
      customers: 12,
      orders: 30,
      paidOrders: 25,
      revenue: 999.5,
      oneTimePct: 0,
      from: null,
    });
  });

  it('stops, naming the query and the column, when a row does not fit (and never prints the value)', async () => {
    await expect(shopProfile(answering([{ customers: 'thirteen' }]))).rejects.toThrow(
      new RowShapeError(
        'the shop profile: column customers expected a number or NULL, got text of 8 characters',
      ),
    );
    await expect(
      analysesSummary(
        answering([{ window_days: 365, day: '2026-01-31', month: '2026-01-01', member_group: 'vip' }]),
      ),
    ).rejects.toThrow(
      /member_repurchase_30d, latest complete month: column member_group expected one of member, non-member/,
    );
  });
});
