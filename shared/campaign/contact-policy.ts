import type { Campaign } from './campaign-schema.ts';
import type { ContactPolicy, FrequencyCap, QuietHours } from './contact-policy-schema.ts';
import type { ShopCalendar } from './shop-calendar-schema.ts';

export interface EffectivePolicy {
  caps: FrequencyCap[];
  quietHours: QuietHours;
  /** The shop's promotions, seasons and age bands: what segment rules name. */
  calendar: ShopCalendar;
}

/**
 * The shop-wide policy with the campaign's overrides applied: a campaign cap replaces the shop cap with
 * the same id and adds the others; quiet hours are overridden per channel. The calendar is the shop's.
 */
export function effectivePolicy(
  shop: ContactPolicy,
  campaign: Pick<Campaign, 'contactPolicy'>,
): EffectivePolicy {
  const overrides = campaign.contactPolicy?.caps ?? [];
  const replaced = new Set(overrides.map((c) => c.id));
  return {
    caps: [...shop.caps.filter((c) => !replaced.has(c.id)), ...overrides],
    quietHours: { ...shop.quietHours, ...(campaign.contactPolicy?.quietHours ?? {}) },
    calendar: {
      promotions: shop.promotions,
      seasons: shop.seasons,
      ageBands: shop.ageBands,
      memberTiers: shop.memberTiers,
    },
  };
}
