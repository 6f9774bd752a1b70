import type { Channel } from '../../shared/campaign/contact-policy-schema.ts';
import { type ClaimResult, claimChange } from '../../shared/delivery/contact-policy/claim.ts';
import type { ContactStore } from '../../shared/delivery/contact-policy/contact-store.ts';

/**
 * A later marketing claim for the customer on a channel (no caps, wave `later/w`): what a response
 * handler's suppression is read back through — `suppressed` with its reason, or `claimed`.
 */
export async function laterClaim(
  contacts: ContactStore,
  customerId: string,
  channel: Channel,
  at: Date,
): Promise<ClaimResult> {
  const [result] = await contacts.apply([
    claimChange({
      wave: 'later/w',
      sendId: `later/w/${customerId}`,
      customerId,
      priority: 50,
      channel,
      category: 'marketing',
      at,
      caps: [],
    }),
  ]);
  return result as ClaimResult;
}
