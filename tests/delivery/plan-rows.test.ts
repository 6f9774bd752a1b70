import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalDelivery } from '../../local/local-delivery.ts';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { ManualClock } from '../../shared/clock.ts';
import { scheduleCampaign } from '../../shared/delivery/campaign-catalog.ts';
import type { LocalDelivery } from '../../shared/delivery/local/local-adapters.ts';
import { campaignSpentSql } from '../../shared/delivery/plan/wave-budget.ts';
import { planningRun, planWave } from '../../shared/delivery/plan-wave.ts';
import { groupResponses } from '../../shared/delivery/rollout/group-decision.ts';
import { pilotResponses } from '../../shared/delivery/rollout/rollout-decision.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import type { Row } from '../../shared/lake/warehouse.ts';
import { loadDouble11, loadShopPolicy } from '../helpers/delivery-harness.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/**
 * The rows the delivery reads from the warehouse are decoded, not cast: a row that does not fit what its
 * query selects (the query and the code drifted apart) stops the planning or the decision, naming the
 * query and the column, before anything is queued or recorded from it.
 */
const sent = (sendId: string, cost: number, campaign = 'c') => ({
  send_id: sendId,
  campaign_id: campaign,
  wave_id: 'w',
  customer_id: sendId,
  status: 'sent',
  cost,
  planned_at: '2026-11-01 02:00:00',
});

let wh: DuckDbWarehouse;
let local: LocalDelivery;
let campaign: Campaign;
beforeAll(async () => {
  const dataDir = await writeFixtureLake({
    sends: [
      sent('a', 0.05),
      sent('a', 0.05), // the ledger is written at least once: the same send twice
      { ...sent('a', 0.05), status: 'failed', cost: null },
      sent('b', 0.1),
      { ...sent('x', 0), status: 'suppressed', reason: 'budget', cost: null },
      sent('z', 7, 'other'),
    ],
  });
  wh = await DuckDbWarehouse.open(dataDir);
  local = openLocalDelivery(dataDir, new ManualClock(new Date('2026-10-20T00:00:00Z')));
  campaign = await loadDouble11();
});
afterAll(async () => {
  await local.close();
  await wh.close();
});

async function* batches(...rows: Row[]): AsyncIterable<Row[]> {
  yield rows;
}

async function plan(...rows: Row[]) {
  const sw = scheduleCampaign(campaign, await loadShopPolicy())[0];
  if (!sw) throw new Error('no wave');
  const run = planningRun(sw, sw.start);
  const deps = { warehouse: wh, runs: local.runs, ledger: local.ledger, queues: local.queues };
  return planWave(deps, sw, { run, reservations: 0 }, batches(...rows));
}

describe('the wave audience rows', () => {
  it('stop the planning at a step the audience query does not have', async () => {
    await expect(plan({ customer_id: 'c1', step: 'maybe', channel: 'email' })).rejects.toThrow(
      'the wave audience: column step expected one of suppressed, capped, holdout, wave-holdout, eligible, got text of 5 characters',
    );
  });

  it('stop the planning at a suppression reason the ledger does not know', async () => {
    await expect(
      plan({ customer_id: 'c1', step: 'suppressed', channel: null, reason: 'spam' }),
    ).rejects.toThrow(
      'the wave audience, a suppressed row: column reason expected one of opt-out, no-address, bounced, complained, got text of 4 characters',
    );
  });

  it('stop the planning at an eligible row without the address of its channel', async () => {
    await expect(
      plan({ customer_id: 'c1', step: 'eligible', channel: 'sms', address: null }),
    ).rejects.toThrow('the wave audience, an eligible row: column address expected text, got NULL');
  });
});

describe('the rollout responses', () => {
  it('stop the decision at a row whose figures are not numbers', () => {
    expect(() =>
      pilotResponses([{ variant: 'a', recipients: 'many', converted: 1, revenue_mean: 0, revenue_var: 0 }]),
    ).toThrow('the pilot responses: column recipients expected a number, got text of 4 characters');
    const group = {
      segment: 's',
      stratum: 'new',
      customers: 3,
      converted: 1,
      revenue_mean: 0,
      revenue_var: 0,
    };
    expect(() => groupResponses([{ ...group, part: 'control' }])).toThrow(
      'the group responses: column part expected one of treated, holdout, got text of 7 characters',
    );
  });
});

describe("the campaign's spend so far", () => {
  it('counts each sent send once, however often the ledger has it, and only the campaign’s', async () => {
    const { rows } = await wh.query(campaignSpentSql('c'));
    expect(Number(rows[0]?.spent)).toBeCloseTo(0.15, 10);
  });
});
