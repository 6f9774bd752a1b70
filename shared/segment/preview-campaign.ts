import type { Campaign } from '../campaign/campaign-schema.ts';
import type { EffectivePolicy } from '../campaign/contact-policy.ts';
import { resolveWaveSchedule } from '../campaign/wave-schedule.ts';
import { col, rowDecoder } from '../lake/row-decoder.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { waveAudienceSql } from './audience-sql.ts';
import type { Dialect } from './dialect.ts';
import { stableBucket } from './stable-bucket.ts';

export interface WavePreview {
  waveId: string;
  name: string | null;
  /** When the audience was evaluated (the wave's start unless --at), UTC ISO. */
  runAt: string;
  /** Customers at each step: the segment, then after consent/suppression, after caps, after holdout. */
  funnel: { segment: number; reachable: number; underCaps: number; eligible: number };
  suppressed: Record<string, number>;
  capped: Record<string, number>;
  holdout: number;
  /** Eligible customers per channel and per value tier. */
  channels: Record<string, number>;
  tiers: Record<string, number>;
  sampleIds: string[];
}

export interface CampaignPreview {
  campaignId: string;
  waves: WavePreview[];
  /** Eligible customers two waves have in common. */
  overlap: { a: string; b: string; customers: number }[];
}

export interface PreviewOptions {
  policy: EffectivePolicy;
  dialect: Dialect;
  /** Evaluate every wave at this instant instead of its own start. */
  at?: Date;
  waveIds?: string[];
  sampleSize?: number;
}

/** The columns of the wave audience a preview reads (audience-sql.ts). */
const audienceRow = rowDecoder('the wave audience', {
  customer_id: col.text,
  step: col.oneOf(['suppressed', 'capped', 'holdout', 'wave-holdout', 'eligible']),
  reason: col.optionalText,
  channel: col.optionalText,
  tier: col.optionalText,
});

const bump = (m: Record<string, number>, key: string) => {
  m[key] = (m[key] ?? 0) + 1;
};

/**
 * Previews each wave's audience as it stands now: history predicates see the sends recorded so far, so a
 * later wave that excludes earlier waves' recipients shows its audience before those waves ran.
 */
export async function previewCampaign(
  warehouse: Warehouse,
  campaign: Campaign,
  opts: PreviewOptions,
): Promise<CampaignPreview> {
  const schedule = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  const eligibleSets = new Map<string, Set<string>>();
  const waves: WavePreview[] = [];
  for (const [i, wave] of campaign.waves.entries()) {
    if (opts.waveIds && !opts.waveIds.includes(wave.id)) continue;
    const runAt = opts.at ?? schedule.times[i]?.start;
    if (!runAt) throw new RangeError(`wave ${wave.id} has no start time`);
    const sql = waveAudienceSql({ campaign, wave, policy: opts.policy, runAt, dialect: opts.dialect });
    const preview: WavePreview = {
      waveId: wave.id,
      name: wave.name ?? null,
      runAt: runAt.toISOString(),
      funnel: { segment: 0, reachable: 0, underCaps: 0, eligible: 0 },
      suppressed: {},
      capped: {},
      holdout: 0,
      channels: {},
      tiers: {},
      sampleIds: [],
    };
    const eligible = new Set<string>();
    for await (const batch of warehouse.stream(sql)) {
      for (const row of batch.map(audienceRow)) {
        const step = row.step;
        preview.funnel.segment += 1;
        if (step === 'suppressed') bump(preview.suppressed, String(row.reason));
        else if (step === 'capped') bump(preview.capped, String(row.reason));
        else if (step === 'holdout' || step === 'wave-holdout') preview.holdout += 1;
        else {
          eligible.add(row.customer_id);
          bump(preview.channels, String(row.channel));
          if (row.tier !== null) bump(preview.tiers, row.tier);
        }
      }
    }
    const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
    preview.funnel.reachable = preview.funnel.segment - sum(preview.suppressed);
    preview.funnel.underCaps = preview.funnel.reachable - sum(preview.capped);
    preview.funnel.eligible = eligible.size;
    preview.sampleIds = [...eligible]
      .sort((a, b) => stableBucket(`sample:${a}`) - stableBucket(`sample:${b}`) || a.localeCompare(b))
      .slice(0, opts.sampleSize ?? 5);
    eligibleSets.set(wave.id, eligible);
    waves.push(preview);
  }
  const ids = [...eligibleSets.keys()];
  const overlap = ids.flatMap((a, i) =>
    ids.slice(i + 1).map((b) => {
      const [sa, sb] = [eligibleSets.get(a) ?? new Set<string>(), eligibleSets.get(b) ?? new Set<string>()];
      let customers = 0;
      for (const id of sa) if (sb.has(id)) customers += 1;
      return { a, b, customers };
    }),
  );
  return { campaignId: campaign.id, waves, overlap };
}
