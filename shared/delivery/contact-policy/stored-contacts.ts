import type { Channel } from '../../campaign/contact-policy-schema.ts';
import {
  type Category,
  type ClaimMark,
  type CustomerContacts,
  EMPTY_CONTACTS,
  type SendState,
} from './claim.ts';

/**
 * Decoding a customer's stored contact record (both stores keep it as JSON), including the shapes older
 * versions wrote, so the decisions in claim.ts only ever see the current shape.
 */

/** A contact as older records kept it apart from its claim, in `recent`. */
interface OldContact {
  sendId: string;
  at: number;
  channel: Channel;
  category: Category;
}

/**
 * A stored record, with the fields older records lack. Older records held `claimed` as an object by send
 * id, or kept each claim's contact apart, in `recent` (for the longest cap window): both are read as the
 * list of claims, each with its contact.
 */
export function parseContacts(json: string | undefined | null): CustomerContacts {
  if (!json) return EMPTY_CONTACTS;
  const stored = JSON.parse(json) as Omit<Partial<CustomerContacts>, 'claimed'> & {
    claimed?: ClaimMark[] | Record<string, { at: number; state: SendState }>;
    recent?: OldContact[];
  };
  const { recent, claimed: old = [], ...rest } = stored;
  let claimed = Array.isArray(old)
    ? old
    : Object.entries(old).map(([id, m]): ClaimMark => ({ id, at: m.at, state: m.state }));
  if (recent?.length) {
    const contacts = new Map(recent.map((c) => [c.sendId, c]));
    claimed = claimed.map((m) => {
      const c = contacts.get(m.id);
      contacts.delete(m.id);
      return c ? { id: m.id, at: m.at, state: m.state, channel: c.channel, category: c.category } : m;
    });
    // A contact without its claim cannot happen (claims outlive contacts); counted all the same.
    for (const c of contacts.values())
      claimed.push({ id: c.sendId, at: c.at, state: 'sent', channel: c.channel, category: c.category });
  }
  return { ...EMPTY_CONTACTS, ...rest, claimed };
}
