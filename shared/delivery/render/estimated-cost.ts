import type { Campaign, Wave } from '../../campaign/campaign-schema.ts';
import type { Channel } from '../../campaign/contact-policy-schema.ts';
import { SAMPLE_SHORT_LINK, sampleTemplateContext } from '../template-context.ts';
import { renderMessage } from './render-message.ts';

const cache = new WeakMap<Wave, Map<string, number>>();

/**
 * The planned cost of one message, for budgets: the wave's template rendered with the long sample
 * customer (`campaign validate` uses the same), so an SMS is priced at the segments a long name takes.
 * A template that cannot render is priced at the channel's base price; the send records the failure.
 */
export function estimatedCost(
  campaign: Campaign,
  wave: Wave,
  channel: Channel,
  variant: string | null,
): number {
  let byKey = cache.get(wave);
  if (!byKey) {
    byKey = new Map();
    cache.set(wave, byKey);
  }
  const key = `${channel}:${variant}`;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  const sample = sampleTemplateContext({
    signature: campaign.channels.sms?.signature,
    optOutText: campaign.channels.sms?.optOutText,
    offer: wave.offer,
    products: wave.products,
  });
  const out = renderMessage({
    campaign,
    wave,
    variantId: variant,
    channel,
    recipient: { ...sample.customer, memberTier: sample.customer.memberTier },
    links: { click: SAMPLE_SHORT_LINK, unsubscribe: `${SAMPLE_SHORT_LINK}/u`, products: sample.products },
  });
  const base = channel === 'sms' ? campaign.costs.smsPerSegment : campaign.costs[channel];
  const cost = out.ok ? out.message.cost : base;
  byKey.set(key, cost);
  return cost;
}
