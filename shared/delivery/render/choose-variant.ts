import type { Campaign, Wave } from '../../campaign/campaign-schema.ts';
import { stableBucket } from '../../segment/stable-bucket.ts';

/**
 * A/B variant of a wave for a customer, by a stable hash of (campaign, customer): the same customer gets
 * the same position in every wave and re-run. Salted differently from the holdout bucket, so variant and
 * holdout are independent. `only`: the variants a rollout picked (rollout-decision.ts); the others' shares
 * go to them in proportion to their splits.
 */
export function chooseVariant(
  campaign: Pick<Campaign, 'id'>,
  wave: Pick<Wave, 'variants'>,
  customerId: string,
  only?: readonly string[],
): string | null {
  const variants = (wave.variants ?? []).filter((v) => !only || only.includes(v.id));
  if (!variants.length) return null;
  const total = variants.reduce((s, v) => s + v.split, 0);
  const bucket = stableBucket(`${campaign.id}:variant:${customerId}`);
  let edge = 0;
  for (const v of variants) {
    edge += total > 0 ? (v.split / total) * 10_000 : 10_000 / variants.length;
    if (bucket < edge) return v.id;
  }
  return variants[variants.length - 1]?.id ?? null;
}
