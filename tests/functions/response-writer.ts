import { FUNCTION_ENV } from '../../functions/environment.ts';
import type { Channel } from '../../shared/campaign/contact-policy-schema.ts';
import { type ClaimResult, claimChange } from '../../shared/delivery/contact-policy/claim.ts';
import type { ContactStore } from '../../shared/delivery/contact-policy/contact-store.ts';

/** The settings of a function that writes responses: the contact store and the events and suppressions streams. */
export const RESPONSE_WRITER_ENV = {
  [FUNCTION_ENV.contactsTable]: 'contacts',
  [FUNCTION_ENV.eventsStream]: 'events',
  [FUNCTION_ENV.suppressionsStream]: 'suppressions',
};

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
