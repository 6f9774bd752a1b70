import type { Channel, FrequencyCap } from '../../campaign/contact-policy-schema.ts';
import { parseDuration } from '../../time/duration.ts';
import type { Category, ClaimMark, ClaimRequest, CustomerContacts, Reservation } from './claim.ts';

/**
 * Frequency caps over a customer's record, for the claim (claim.ts): what a cap counts, in which window,
 * the caps a claim keeps on its mark, and the reservations a send would crowd out. Pure functions.
 */

export function counts(cap: FrequencyCap, contact: { channel?: Channel; category?: Category }): boolean {
  if (!contact.channel || !contact.category) return false;
  const category = cap.appliesTo === 'all' || contact.category === 'marketing';
  const channel = cap.channels === 'any' || cap.channels.includes(contact.channel);
  return category && channel;
}

/** Contacts (claims and reserved contacts) that a cap counts in the window ending at `end`. */
function used(cap: FrequencyCap, end: number, items: readonly (ClaimMark | Reservation)[]): number {
  const since = end - parseDuration(cap.window);
  let n = 0;
  for (const c of items) if (c.at > since && c.at <= end && counts(cap, c)) n += 1;
  return n;
}

/**
 * The first cap this send would exceed, or null. A cap's window rolls both ways: the send must fit its
 * own caps in the window ending at it, and fit the window ending at each contact already recorded at or
 * after it (a run of earlier-dated waves after later ones), under the caps that contact was claimed with.
 * So every contact keeps its caps in the window ending at it, whatever order the claims came in (of two
 * that conflict, the one recorded first stands: it cannot be unsent).
 */
export function exceededCap(state: CustomerContacts, req: ClaimRequest): FrequencyCap | null {
  const now = req.at.getTime();
  const own = req.caps.find((cap) => counts(cap, req) && used(cap, now, state.claimed) >= cap.max);
  if (own) return own;
  for (const later of state.claimed) {
    if (later.at < now) continue;
    for (const cap of capsOf(later, req)) {
      if (!counts(cap, req) || later.at - parseDuration(cap.window) >= now) continue;
      if (used(cap, later.at, state.claimed) >= cap.max) return cap;
    }
  }
  return null;
}

/**
 * The caps a claim keeps on its mark: those in force that count it, as one short string
 * (`id:max:window:appliesTo:channels`, comma-separated; channels `any` or joined by `+`). A list of
 * objects on every mark doubled the record's JSON and the time to read and write it on the send path.
 */
export function keptCaps(req: Pick<ClaimRequest, 'caps' | 'channel' | 'category'>): string {
  let byKind = encoded.get(req.caps);
  if (!byKind) {
    byKind = new Map();
    encoded.set(req.caps, byKind);
  }
  const kind = `${req.channel}:${req.category}`;
  let text = byKind.get(kind);
  if (text === undefined) {
    text = req.caps
      .filter((cap) => counts(cap, req))
      .map((c) =>
        [c.id, c.max, c.window, c.appliesTo, c.channels === 'any' ? 'any' : c.channels.join('+')].join(':'),
      )
      .join(',');
    byKind.set(kind, text);
  }
  return text;
}

const encoded = new WeakMap<readonly FrequencyCap[], Map<string, string>>();
const decoded = new Map<string, FrequencyCap[]>();

/** The caps a recorded contact keeps (see ClaimMark.caps). */
function capsOf(mark: ClaimMark, req: ClaimRequest): readonly FrequencyCap[] {
  if (mark.caps === undefined) return req.caps.filter((cap) => counts(cap, mark));
  let caps = decoded.get(mark.caps);
  if (!caps) {
    caps = mark.caps
      .split(',')
      .filter(Boolean)
      .map((text): FrequencyCap => {
        const [id = '', max = '0', window = '0m', appliesTo, channels = 'any'] = text.split(':');
        return {
          id,
          max: Number(max),
          window,
          appliesTo: appliesTo === 'all' ? 'all' : 'marketing',
          channels: channels === 'any' ? 'any' : (channels.split('+') as Channel[]),
        };
      });
    if (decoded.size >= 1_000) decoded.clear();
    decoded.set(mark.caps, caps);
  }
  return caps;
}

/**
 * The higher-priority reservation this send would crowd out, or null: adding this send must leave
 * every cap satisfied in the window ending at each later reservation of a higher-priority wave,
 * counting the contacts already made and those reservations themselves.
 */
export function crowdedReservation(state: CustomerContacts, req: ClaimRequest): Reservation | null {
  if (state.reserved.length === 0) return null;
  const now = req.at.getTime();
  const ahead = state.reserved.filter(
    (r) => r.wave !== req.wave && r.priority > req.priority && r.until > now,
  );
  for (const r of ahead) {
    for (const cap of req.caps) {
      const end = Math.max(r.at, now);
      if (!counts(cap, req) || !counts(cap, r) || end - parseDuration(cap.window) >= now) continue;
      if (used(cap, end, [...state.claimed, ...ahead]) + 1 > cap.max) return r;
    }
  }
  return null;
}
