/**
 * The SES message tags that name a send, and reading them back from SES's events. A tag name or value
 * may hold only ASCII letters, digits, `_` and `-`, 256 characters at most
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageTag.html), but a customer id may
 * hold anything the import accepts (`:`, `/`, Chinese). So the send id travels as base64url of its UTF-8
 * bytes — whose alphabet is exactly those 64 characters — split over `send-id`, `send-id-2`, … and
 * decodes to the very same id. The campaign and wave tags are their ids (slugs) as they are: the
 * EventBridge rule forwards events by the campaign tag, and people read them in the SES console.
 */
export interface SesTag {
  Name: string;
  Value: string;
}

export const SES_TAG_TEXT = /^[A-Za-z0-9_-]{1,256}$/;
const VALUE_CHARS = 256;
const SEND_ID_PARTS = 4;
/** The longest send id (campaign/wave/customer) the tags carry, in UTF-8 bytes: 4 × 256 × 6/8. */
export const MAX_TAGGED_SEND_ID_BYTES = (SEND_ID_PARTS * VALUE_CHARS * 3) / 4;

const partName = (i: number) => (i === 0 ? 'send-id' : `send-id-${i + 1}`);

/** The tags of one message, or why it cannot be tagged (then it must not be sent: its events would be lost). */
export function sesSendTags(tags: {
  campaign: string;
  wave: string;
  send: string;
}): { ok: true; tags: SesTag[] } | { ok: false; error: string } {
  for (const [name, value] of [
    ['campaign', tags.campaign],
    ['wave', tags.wave],
  ] as const)
    if (!SES_TAG_TEXT.test(value))
      return { ok: false, error: `the ${name} id is not an SES tag value (letters, digits, _ and -)` };
  // A lone surrogate has no UTF-8 form: it would come back as U+FFFD, naming another customer.
  if (!tags.send.isWellFormed()) return { ok: false, error: 'send id is not well-formed Unicode' };
  const bytes = Buffer.byteLength(tags.send, 'utf8');
  if (bytes > MAX_TAGGED_SEND_ID_BYTES)
    return {
      ok: false,
      error: `send id is ${bytes} UTF-8 bytes; SES tags carry ${MAX_TAGGED_SEND_ID_BYTES} at most (shorten the customer id)`,
    };
  const encoded = Buffer.from(tags.send, 'utf8').toString('base64url');
  const parts: SesTag[] = [];
  for (let i = 0; i * VALUE_CHARS < encoded.length; i++)
    parts.push({ Name: partName(i), Value: encoded.slice(i * VALUE_CHARS, (i + 1) * VALUE_CHARS) });
  return {
    ok: true,
    tags: [{ Name: 'campaign', Value: tags.campaign }, { Name: 'wave', Value: tags.wave }, ...parts],
  };
}

export type TaggedSend =
  | { ok: true; campaignId: string; waveId: string; customerId: string }
  | { ok: false; reason: string };

/**
 * The send an SES event answers, from the tags it carries (SES publishes each as `name: [value]`, along
 * with its own `ses:` tags). Null when the event carries none of ours. Events of emails sent before the
 * send-id tag carry `send` = campaign_wave_customer with every other character made `_`: read when the
 * customer part has no `_`, refused otherwise, since `_` may then stand for any character and the
 * suppression could name another customer.
 */
export function sendOfSesTags(tags: Record<string, string[]> | undefined): TaggedSend | null {
  if (!tags) return null;
  const campaignId = tags.campaign?.[0];
  const waveId = tags.wave?.[0];
  if (!campaignId || !waveId) return null;
  const prefix = `${campaignId}/${waveId}/`;
  const first = tags['send-id']?.[0];
  if (first) {
    let encoded = first;
    for (let i = 1; tags[partName(i)]?.[0]; i++) encoded += tags[partName(i)]?.[0];
    const sendId = decodeUtf8(encoded);
    if (sendId === null) return { ok: false, reason: 'ses: send-id tag is not base64url of UTF-8 text' };
    if (!sendId.startsWith(prefix) || sendId.length === prefix.length)
      return { ok: false, reason: 'ses: send-id tag does not name a send of the tagged campaign and wave' };
    return { ok: true, campaignId, waveId, customerId: sendId.slice(prefix.length) };
  }
  const legacy = tags.send?.[0];
  if (!legacy) return null;
  const legacyPrefix = `${campaignId}_${waveId}_`;
  if (!legacy.startsWith(legacyPrefix) || legacy.length === legacyPrefix.length)
    return { ok: false, reason: 'ses: send tag does not name a send of the tagged campaign and wave' };
  const customerId = legacy.slice(legacyPrefix.length);
  if (customerId.includes('_'))
    return {
      ok: false,
      reason:
        'ses: send tag from before send-id tags with "_" in the customer part: the customer is ambiguous',
    };
  return { ok: true, campaignId, waveId, customerId };
}

/** The text whose base64url this is, or null if it is not exactly that (no padding, no other characters). */
function decodeUtf8(encoded: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return null;
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.toString('base64url') !== encoded) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
