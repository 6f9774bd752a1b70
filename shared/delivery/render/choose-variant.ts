import type { Campaign, Wave } from '../../campaign/campaign-schema.ts';
import { stableBucket } from '../../segment/stable-bucket.ts';

/**
 * A/B variant of a wave for a customer, by a stable hash of (campaign, customer): the same customer gets
 * the same position in every wave and re-run. Salted differently from the holdout bucket, so variant and
 * holdout are independent.
 */
export function chooseVariant(
  campaign: Pick<Campaign, 'id'>,
  wave: Pick<Wave, 'variants'>,
  customerId: string,
): string | null {
  if (!wave.variants?.length) return null;
  const bucket = stableBucket(`${campaign.id}:variant:${customerId}`);
  let edge = 0;
  for (const v of wave.variants) {
    edge += v.split * 100;
    if (bucket < edge) return v.id;
  }
  return wave.variants[wave.variants.length - 1]?.id ?? null;
}
