import {
  CAP_WINDOW_MAX_DAYS,
  type Channel,
  type FrequencyCap,
} from '../../campaign/contact-policy-schema.ts';
import { crowdedReservation, exceededCap, keptCaps } from './cap-windows.ts';

/**
 * The contact policy, as pure decisions over one customer's record. Before a message goes out, the send
 * claims its place under the customer's suppressions, frequency caps, the reservations of
 * higher-priority waves and its idempotency key (campaign/wave/customer), all together. Each store
 * applies these decisions inside one atomic conditional write per customer (see contact-store.ts), so
 * two claims can never both pass on the same state.
 */

/**
 * marketing; transactional (reminders such as unpaid orders): exempt from marketing caps; notice (service
 * notices such as shipped and delivered): also not stopped by an opt-out, only by bounces and complaints.
 */
export type Category = 'marketing' | 'transactional' | 'notice';
export type SuppressionReason = 'opt-out' | 'bounced' | 'complained';
/** Where a send stands once claimed: in progress, refused by the provider for now (retry), or final. */
export type SendState = 'claimed' | 'retrying' | 'sent' | 'failed';

export interface ClaimRequest {
  /** Idempotency key: campaign/wave/customer. At most one message per customer per wave, ever. */
  sendId: string;
  /** campaign/wave: the wave this send belongs to (its reservation, if any, is consumed). */
  wave: string;
  customerId: string;
  channel: Channel;
  category: Category;
  /** The wave's priority: reservations of higher-priority waves win over this send. */
  priority: number;
  at: Date;
  /** The caps in force for this send (the shop policy with the campaign's overrides). */
  caps: readonly FrequencyCap[];
}

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'duplicate'; state: SendState }
  | { kind: 'capped'; capId: string }
  | { kind: 'reserved'; wave: string }
  | { kind: 'suppressed'; reason: SuppressionReason };

/**
 * One claimed send in a customer's record: the idempotency memory, and the contact the caps count while
 * it is inside their windows (whatever became of it: a claim holds its place under the caps).
 */
export interface ClaimMark {
  id: string;
  at: number;
  state: SendState;
  /**
   * What the caps count. Absent on a send settled without ever being claimed (its queue message was
   * dead-lettered first) and on claims read from an older record whose contact had already left every
   * cap window: neither counts.
   */
  channel?: Channel;
  category?: Category;
  /**
   * The caps in force when it was claimed that count it, as `keptCaps` writes them (empty: none). A send
   * claimed later but dated earlier (a simulated run of earlier waves after later ones) must leave every
   * one of them kept in this contact's window. Absent on claims from before they were kept: the claiming
   * send's caps stand in.
   */
  caps?: string;
}

/** A place kept under the caps for a later, higher-priority wave (see docs/delivery.md, Reservations). */
export interface Reservation {
  wave: string;
  /** When the reserved wave is expected to send. */
  at: number;
  /** Its send-by deadline: after this the reservation is ignored and pruned. */
  until: number;
  priority: number;
  channel: Channel;
  category: Category;
}

/** What a store keeps per customer. */
export interface CustomerContacts {
  /**
   * Every send claimed, in claim order, with its time, state, channel and category, kept for
   * IDEMPOTENCY_DAYS: the idempotency memory and the contacts the caps count. A list, not an object
   * keyed by send id: a new key per send gives V8 a new hidden class each time, which cost more than
   * looking through a customer's few claims (docs/benchmarks.md).
   */
  claimed: ClaimMark[];
  /** Reservations whose deadline has not passed. */
  reserved: Reservation[];
  /** Channels (or 'any') this customer must never be messaged on, and why. */
  suppressed: Partial<Record<'email' | 'sms' | 'any', SuppressionReason>>;
}

/**
 * How long a send id is remembered (longer than any campaign runs, so re-runs never send twice), and with
 * it the contact the caps count: no cap window may be longer (the policy schema refuses one).
 */
export const IDEMPOTENCY_DAYS = CAP_WINDOW_MAX_DAYS;
const DAY = 86_400_000;

export const EMPTY_CONTACTS: CustomerContacts = { claimed: [], reserved: [], suppressed: {} };

/** The mark of a send in a record, if it was claimed. */
export function claimMark(state: CustomerContacts, sendId: string): ClaimMark | undefined {
  for (const m of state.claimed) if (m.id === sendId) return m;
  return undefined;
}

/**
 * The record's marks with `sendId` set to `state`, in claim order; added if missing (a send settled
 * without a claim, which counts under no cap).
 */
function withMark(state: CustomerContacts, sendId: string, to: SendState, at: number): ClaimMark[] {
  const found = claimMark(state, sendId);
  if (!found) return [...state.claimed, { id: sendId, at, state: to }];
  return state.claimed.map((m) =>
    m === found
      ? { id: m.id, at: m.at, state: to, channel: m.channel, category: m.category, caps: m.caps }
      : m,
  );
}

/** A decision over one customer's record: the result, and the record to write (null: write nothing). */
export interface ContactChange<T> {
  customerId: string;
  at: Date;
  decide(state: CustomerContacts): { result: T; next: CustomerContacts | null };
}

/**
 * When a record may be forgotten (DynamoDB's TTL): IDEMPOTENCY_DAYS after its latest contact, or after
 * the change that writes it if that is later. Not after the change alone: a run of earlier-dated waves
 * writes records whose latest contact is weeks after the change.
 */
export function recordExpiry(state: CustomerContacts, at: Date): Date {
  let latest = at.getTime();
  for (const m of state.claimed) if (m.at > latest) latest = m.at;
  return new Date(latest + IDEMPOTENCY_DAYS * DAY);
}

/** The call list dials the number SMS goes to: an SMS opt-out (or bounce, complaint) stops the call too. */
function suppression(
  state: CustomerContacts,
  channel: Channel,
  category: Category,
): SuppressionReason | undefined {
  const reasons = [state.suppressed.any, state.suppressed[channel === 'call-list' ? 'sms' : channel]];
  // A service notice reaches a customer who opted out of marketing, never a bounced or complaining one.
  return category === 'notice' ? reasons.find((r) => r && r !== 'opt-out') : (reasons[0] ?? reasons[1]);
}

/** Decides a claim and, when it is claimed, the record to write (pruned). */
export function decideClaim(
  state: CustomerContacts,
  req: ClaimRequest,
): { result: ClaimResult; next: CustomerContacts | null } {
  const mark = claimMark(state, req.sendId);
  if (mark) return { result: { kind: 'duplicate', state: mark.state }, next: null };
  // Opt-out, bounces and complaints bind every category, transactional included; a notice only the last two.
  const reason = suppression(state, req.channel, req.category);
  if (reason) return { result: { kind: 'suppressed', reason }, next: null };
  const cap = exceededCap(state, req);
  if (cap) return { result: { kind: 'capped', capId: cap.id }, next: null };
  const reserved = crowdedReservation(state, req);
  if (reserved) return { result: { kind: 'reserved', wave: reserved.wave }, next: null };
  const now = req.at.getTime();
  const claim: ClaimMark = {
    id: req.sendId,
    at: now,
    state: 'claimed',
    channel: req.channel,
    category: req.category,
    caps: keptCaps(req),
  };
  // Copies only what changes (this runs once per recipient).
  const next = prune(
    {
      ...state,
      claimed: [...state.claimed, claim],
      // The wave's own reservation is used up by its send.
      reserved: state.reserved.some((r) => r.wave === req.wave)
        ? state.reserved.filter((r) => r.wave !== req.wave)
        : state.reserved,
    },
    now,
  );
  return { result: { kind: 'claimed' }, next };
}

/** Drops send ids older than the idempotency period and reservations whose deadline has passed. */
function prune(state: CustomerContacts, now: number): CustomerContacts {
  const since = now - IDEMPOTENCY_DAYS * DAY;
  const claimed = state.claimed.some((m) => m.at <= since)
    ? state.claimed.filter((m) => m.at > since)
    : state.claimed;
  const reserved = state.reserved.some((r) => r.until <= now)
    ? state.reserved.filter((r) => r.until > now)
    : state.reserved;
  return claimed === state.claimed && reserved === state.reserved ? state : { ...state, claimed, reserved };
}

export function claimChange(req: ClaimRequest): ContactChange<ClaimResult> {
  return { customerId: req.customerId, at: req.at, decide: (s) => decideClaim(s, req) };
}

/** Records what became of a claimed send (sent, failed, or retrying after a provider's refusal). */
export function markChange(
  customerId: string,
  sendId: string,
  state: SendState,
  at: Date,
): ContactChange<void> {
  return {
    customerId,
    at,
    decide: (s) => {
      if (claimMark(s, sendId)?.state === state) return { result: undefined, next: null };
      return { result: undefined, next: { ...s, claimed: withMark(s, sendId, state, at.getTime()) } };
    },
  };
}

/** Keeps a place for a later wave; replaces an earlier reservation of the same wave. */
export function reserveChange(customerId: string, reservation: Reservation, at: Date): ContactChange<void> {
  return {
    customerId,
    at,
    decide: (s) => ({
      result: undefined,
      next: prune(
        { ...s, reserved: [...s.reserved.filter((r) => r.wave !== reservation.wave), reservation] },
        at.getTime(),
      ),
    }),
  };
}

/** Gives up a wave's reservation (the wave was cancelled or its plan no longer includes the customer). */
export function releaseChange(customerId: string, wave: string, at: Date): ContactChange<void> {
  return {
    customerId,
    at,
    decide: (s) =>
      s.reserved.some((r) => r.wave === wave)
        ? { result: undefined, next: { ...s, reserved: s.reserved.filter((r) => r.wave !== wave) } }
        : { result: undefined, next: null },
  };
}

/** Suppresses a channel (or every channel) for good: unsubscribes, hard bounces, complaints. */
export function suppressChange(
  customerId: string,
  channel: 'email' | 'sms' | 'any',
  reason: SuppressionReason,
  at: Date,
): ContactChange<void> {
  return {
    customerId,
    at,
    // A bounce or complaint after an opt-out is kept: it stops notices too.
    decide: (s) =>
      s.suppressed[channel] && !(s.suppressed[channel] === 'opt-out' && reason !== 'opt-out')
        ? { result: undefined, next: null }
        : { result: undefined, next: { ...s, suppressed: { ...s.suppressed, [channel]: reason } } },
  };
}

/**
 * Closes a send that will not be attempted again (its queue message was dead-lettered): marks it failed
 * unless it already reached a final state. Returns the state it had, so the caller records only sends
 * that were still open (and the wave can never send it later).
 */
export function settleChange(customerId: string, sendId: string, at: Date): ContactChange<SendState | null> {
  return {
    customerId,
    at,
    decide: (s) => {
      const mark = claimMark(s, sendId);
      if (mark?.state === 'sent' || mark?.state === 'failed') return { result: mark.state, next: null };
      return {
        result: mark?.state ?? null,
        next: { ...s, claimed: withMark(s, sendId, 'failed', at.getTime()) },
      };
    },
  };
}

/** Forgets everything a campaign did to this record (its claims, contacts and reservations): a fresh run. */
export function forgetCampaignChange(
  customerId: string,
  campaignId: string,
  at: Date,
): ContactChange<boolean> {
  const ours = (id: string) => id.startsWith(`${campaignId}/`);
  return {
    customerId,
    at,
    decide: (s) => {
      const claimed = s.claimed.filter((m) => !ours(m.id));
      const reserved = s.reserved.filter((r) => !ours(`${r.wave}/`));
      const changed = reserved.length !== s.reserved.length || claimed.length !== s.claimed.length;
      return { result: changed, next: changed ? { ...s, claimed, reserved } : null };
    },
  };
}
