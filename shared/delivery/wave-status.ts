import type { Campaign } from '../campaign/campaign-schema.ts';
import type { Channel } from '../campaign/contact-policy-schema.ts';
import { parseRunId } from '../campaign/wave-repeat.ts';
import { col, rowDecoder } from '../lake/row-decoder.ts';
import { type Sql, sql } from '../lake/sql.ts';
import { sqlString } from '../lake/sql-literals.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { oneSendSql } from './ledger/ledger.ts';
import type { RolloutDecision } from './rollout/rollout-decision.ts';
import type { WaveRunState, WaveRunStore } from './wave-runs/wave-run-store.ts';

/** One row per send of a campaign (see oneSendSql). */
export function ledgerRowsSql(campaignId: string): Sql {
  return oneSendSql(['wave_id', 'status', 'channel', 'reason'], sql`campaign_id = ${sqlString(campaignId)}`);
}

/** Counts per wave, state and detail (channel for sent, reason for suppressed, error kind for failed). */
export function waveStatusSql(campaignId: string): Sql {
  return sql`WITH ledger AS (
  ${ledgerRowsSql(campaignId)}
)
SELECT wave_id, status,
  CASE status WHEN 'sent' THEN channel WHEN 'suppressed' THEN reason ELSE split_part(reason, ':', 1) END AS detail,
  count(*) AS n
FROM ledger GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
}

/** A row of waveStatusSql. */
const statusRow = rowDecoder('the wave status counts', {
  wave_id: col.text,
  status: col.oneOf(['sent', 'suppressed', 'failed']),
  detail: col.optionalText,
  n: col.number,
});

export interface WaveStatus {
  waveId: string;
  state: WaveRunState | 'not-run';
  /** Recipients the audience query returned (null until planned). */
  audience: number | null;
  sent: Partial<Record<Channel, number>>;
  suppressed: Record<string, number>;
  failed: Record<string, number>;
  /** Recipients with a ledger row. */
  recorded: number;
  /** Planned recipients without a ledger row yet (queued, deferred or being sent). */
  inFlight: number | null;
  /** Drained (every planned recipient has its final ledger row) and audience = sent + suppressed + failed. */
  reconciles: boolean;
  /** A rollout wave's decision at its start (what it sends, and why); null for other waves. */
  rollout: RolloutDecision | null;
}

/**
 * The wave runs a campaign's status lists, in the campaign's order: each one-off wave (run or not), and
 * for a recurring or triggered wave each run so far, in order of its start.
 */
export async function statusWaveIds(campaign: Campaign, runs: WaveRunStore): Promise<string[]> {
  const known = (await runs.list(campaign.id)).sort((a, b) => a.runAt.localeCompare(b.runAt));
  return campaign.waves.flatMap((w) =>
    w.repeat || w.trigger
      ? known.filter((r) => parseRunId(r.waveId)?.waveId === w.id).map((r) => r.waveId)
      : [w.id],
  );
}

export async function waveStatuses(
  deps: { warehouse: Warehouse; runs: WaveRunStore },
  campaignId: string,
  waveIds: readonly string[],
): Promise<WaveStatus[]> {
  const runs = new Map((await deps.runs.list(campaignId)).map((r) => [r.waveId, r]));
  const rows = (await deps.warehouse.query(waveStatusSql(campaignId))).rows.map(statusRow);
  return waveIds.map((waveId) => {
    const run = runs.get(waveId);
    const s: WaveStatus = {
      waveId,
      state: run?.state ?? 'not-run',
      audience: run?.audience ?? null,
      sent: {},
      suppressed: {},
      failed: {},
      recorded: 0,
      inFlight: null,
      reconciles: false,
      rollout: run?.rollout ?? null,
    };
    for (const row of rows.filter((r) => r.wave_id === waveId)) {
      const detail = row.detail ?? 'unknown';
      const bucket: Record<string, number> =
        row.status === 'sent' ? s.sent : row.status === 'suppressed' ? s.suppressed : s.failed;
      bucket[detail] = (bucket[detail] ?? 0) + row.n;
      s.recorded += row.n;
    }
    if (s.audience !== null) s.inFlight = s.audience - s.recorded;
    // On AWS nothing sees the queues empty: a sending wave whose every recipient has its final ledger row
    // is drained in fact (a redelivered batch can only repeat a row, never add one).
    if (s.state === 'sending' && s.inFlight === 0) s.state = 'drained';
    s.reconciles = s.state === 'drained' && s.inFlight === 0;
    return s;
  });
}
