import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { JournalContactStore } from '../../shared/delivery/contact-policy/local/journal-contact-store.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../../shared/lake/local/staged-parquet-writer.ts';
import { EVENTS, ORDERS, SUPPRESSIONS } from '../../shared/lake/tables.ts';
import { campaignReport } from '../../shared/responses/campaign-report.ts';
import { DEFAULT_RESPONSE_MODEL, simulateWaveResponses } from '../../shared/responses/simulate-responses.ts';
import { loadDouble11 } from '../helpers/delivery-harness.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

const TREATED = 3_000;
const HOLDOUT = 1_500;
const SEEDS = 50;

describe('lift against the holdout (truth test)', () => {
  it('with a planted true lift, the 95% interval of incremental conversions covers the truth in ≥ 90% of 50 seeds', async () => {
    const d11 = await loadDouble11();
    const campaign: Campaign = { ...d11, id: 'truth' };
    const at = '2026-11-11 06:00:00';
    const sends = Array.from({ length: TREATED + HOLDOUT }, (_, i) => {
      const treated = i < TREATED;
      return {
        send_id: `truth/w/u${i}`,
        campaign_id: 'truth',
        wave_id: 'w',
        customer_id: `u${i}`,
        category: 'marketing',
        channel: 'sms',
        status: treated ? 'sent' : 'suppressed',
        reason: treated ? null : 'holdout',
        cost: treated ? 0.045 : null,
        planned_at: at,
        sent_at: treated ? at : null,
      };
    });
    const lake = await writeFixtureLake({ customers: [{ customer_id: 'u0' }], sends });
    const model = { ...DEFAULT_RESPONSE_MODEL, baseConversion: 0.1, trueLift: 1.6, unpaidShare: 0 };
    // Holdout customers order at the base rate b; treated ones also on the campaign's account with
    // b × (lift − 1): P(treated) = 1 − (1 − b)(1 − b(lift − 1)), so the truth is b(lift − 1)(1 − b) each.
    const b = model.baseConversion;
    const truth = b * (model.trueLift - 1) * (1 - b) * TREATED;
    let covered = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const dir = mkdtempSync(join(tmpdir(), 'truth-'));
      cpSync(join(lake, 'lake'), join(dir, 'lake'), { recursive: true });
      const warehouse = await DuckDbWarehouse.open(dir);
      const contacts = new JournalContactStore(join(dir, 'contacts'));
      const deps = {
        warehouse,
        contacts,
        events: new StagedParquetWriter(dir, EVENTS),
        suppressions: new StagedParquetWriter(dir, SUPPRESSIONS),
        orders: new StagedParquetWriter(dir, ORDERS),
      };
      await simulateWaveResponses(deps, 'truth', 'w', { ...model, seed });
      await Promise.all([deps.events.flush(), deps.suppressions.flush(), deps.orders.flush()]);
      await warehouse.refreshViews(dir);
      const report = await campaignReport(warehouse, [campaign], campaign);
      const ci = report.lift.find((l) => l.waveId === 'w')?.incrementalConversions;
      if (ci && ci.low <= truth && truth <= ci.high) covered += 1;
      await contacts.close();
      await warehouse.close();
    }
    expect(covered / SEEDS).toBeGreaterThanOrEqual(0.9);
  });
});
