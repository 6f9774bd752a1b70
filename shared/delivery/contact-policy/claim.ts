import type { Channel, FrequencyCap } from '../../campaign/contact-policy-schema.ts';
import { parseDuration } from '../../time/duration.ts';

/**
 * The contact-policy claim: before a message goes out, the send claims its place under the customer's
 * frequency caps and its idempotency key (campaign/wave/customer) together. The decision is this pure
 * function over the customer's recent contacts; each store applies it inside one atomic conditional
 * write, so two claims can never both pass on the same state.
 */

export interface ClaimRequest {
  /** Idempotency key: campaign/wave/customer. At most one message per customer per wave, ever. */
  sendId: string;
  customerId: string;
  channel: Channel;
  category: 'marketing' | 'transactional';
  at: Date;
  /** The caps in force for this send (the shop policy with the campaign's overrides). */
  caps: readonly FrequencyCap[];
}

export type ClaimResult = { kind: 'claimed' } | { kind: 'duplicate' } | { kind: 'capped'; capId: string };

/** One counted contact. */
export interface Contact {
  sendId: string;
  at: number;
  channel: Channel;
  category: 'marketing' | 'transactional';
}

/** What a store keeps per customer. */
export interface CustomerContacts {
  /** Contacts inside the longest cap window, oldest first. */
  recent: Contact[];
  /** Every send id claimed (with its time), kept for IDEMPOTENCY_DAYS: the idempotency memory. */
  claimed: Record<string, number>;
}

/** How long a send id is remembered: longer than any campaign runs, so re-runs never send twice. */
export const IDEMPOTENCY_DAYS = 400;
/** Contacts are kept for at least this long even if no cap window is that long (reports, audits). */
const MIN_RECENT_DAYS = 30;

export const EMPTY_CONTACTS: CustomerContacts = { recent: [], claimed: {} };

function counts(cap: FrequencyCap, contact: Pick<Contact, 'channel' | 'category'>): boolean {
  const category = cap.appliesTo === 'all' || contact.category === 'marketing';
  const channel = cap.channels === 'any' || cap.channels.includes(contact.channel);
  return category && channel;
}

/** The first cap this send would exceed, or null. */
export function exceededCap(state: CustomerContacts, req: ClaimRequest): FrequencyCap | null {
  const now = req.at.getTime();
  for (const cap of req.caps) {
    if (!counts(cap, req)) continue;
    const since = now - parseDuration(cap.window);
    const used = state.recent.filter((c) => c.at > since && c.at <= now && counts(cap, c)).length;
    if (used >= cap.max) return cap;
  }
  return null;
}

/** Decides a claim and, when it is claimed, the state to write (pruned). */
export function decideClaim(
  state: CustomerContacts,
  req: ClaimRequest,
): { result: ClaimResult; next: CustomerContacts | null } {
  if (state.claimed[req.sendId] !== undefined) return { result: { kind: 'duplicate' }, next: null };
  const cap = exceededCap(state, req);
  if (cap) return { result: { kind: 'capped', capId: cap.id }, next: null };
  const now = req.at.getTime();
  const keepRecent = Math.max(MIN_RECENT_DAYS * 86_400_000, ...req.caps.map((c) => parseDuration(c.window)));
  const recent = [
    ...state.recent.filter((c) => c.at > now - keepRecent),
    { sendId: req.sendId, at: now, channel: req.channel, category: req.category },
  ].sort((a, b) => a.at - b.at);
  const claimed = Object.fromEntries(
    Object.entries({ ...state.claimed, [req.sendId]: now }).filter(
      ([, at]) => at > now - IDEMPOTENCY_DAYS * 86_400_000,
    ),
  );
  return { result: { kind: 'claimed' }, next: { recent, claimed } };
}
