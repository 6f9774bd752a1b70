import { timingSafeEqual } from 'node:crypto';
import type { Channel } from '../../campaign/contact-policy-schema.ts';
import { HmacSha256 } from './hmac-sha256.ts';
import type { LinkStore } from './link-store.ts';

/**
 * Tracked short links. Each send gets a click link (to the wave's landing page), a click link per product
 * its template shows (to the product's page, carrying the sku) and, for email, a one-click unsubscribe
 * link. A link is `<base>/<code>`: the code is 10 base62 characters of an HMAC-SHA256 over (kind, send
 * id, and a product link's sku) under the shop's link secret — short enough for SMS, the same on every
 * retry of a send, and impossible to forge or enumerate without the secret. The link store maps a code to
 * its send; the redirect checks the code's signature again before it trusts the store.
 */
export type LinkKind = 'click' | 'unsubscribe';

export interface TrackedLink {
  code: string;
  kind: LinkKind;
  sendId: string;
  /** The send's channel (null on links stored before channels were recorded). */
  channel: Channel | null;
  /** Where a click redirects; null for unsubscribe links. */
  target: string | null;
  /** The product a product link shows; null for the landing page and unsubscribe links. */
  sku: string | null;
  expiresAt: Date;
}

/** A product to link: its sku and the page its link redirects to. */
export interface ProductTarget {
  sku: string;
  url: string;
}

export const CODE_LENGTH = 10;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** How long links work: clicks for the attribution horizon, unsubscribes (a legal duty) far longer. */
export const LINK_TTL_DAYS: Record<LinkKind, number> = { click: 90, unsubscribe: 730 };

/**
 * The code of a link, signed with the shop's link secret (`new HmacSha256(secret)`). A product link signs
 * its sku too, under its own first line (`click:sku`), so it can never share a landing-page link's
 * message; the campaign schema keeps line breaks out of skus, so the sku's line ends where it seems to.
 */
export function linkCode(key: HmacSha256, kind: LinkKind, sendId: string, sku: string | null = null): string {
  // The MAC's first 64 bits (big-endian) in base 62, least significant digit first: long division of
  // the two 32-bit halves (each step stays below 2^53), the same digits as BigInt arithmetic, cheaper.
  let [hi, lo] = key.first64(sku === null ? `${kind}\n${sendId}` : `${kind}:sku\n${sku}\n${sendId}`);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) {
    const r = hi % 62;
    hi = Math.floor(hi / 62);
    const rest = r * 2 ** 32 + lo;
    code += BASE62[rest % 62];
    lo = Math.floor(rest / 62);
  }
  return code;
}

export interface IssuedLinks {
  /** The landing page's tracked link; empty when the wave has no landing page. */
  click: string;
  unsubscribe: string;
  /** One short link per product asked for, in the order asked. */
  products: ProductTarget[];
  records: TrackedLink[];
}

export class LinkIssuer {
  readonly #key: HmacSha256;
  readonly #base: string;

  constructor(secret: string, baseUrl: string) {
    if (secret.length < 16) throw new RangeError('the link secret must be at least 16 characters');
    this.#key = new HmacSha256(secret);
    this.#base = baseUrl.replace(/\/+$/, '');
  }

  /**
   * The links of one send: the click link, a link for each of `products` (the caller asks only for those
   * its template shows), and the unsubscribe link when the channel carries one (email; an SMS opts out by
   * its reply keyword, a call by asking). `records` are what the link store must hold before the message
   * leaves (a click link only when there is a landing page to send it to).
   */
  issue(
    sendId: string,
    target: string | null,
    now: Date,
    channel: Channel,
    products: readonly ProductTarget[] = [],
  ): IssuedLinks {
    const withUnsubscribe = channel === 'email';
    const link = (kind: LinkKind, to: string | null, sku: string | null = null): TrackedLink => ({
      code: linkCode(this.#key, kind, sendId, sku),
      kind,
      sendId,
      channel,
      target: to,
      sku,
      expiresAt: new Date(now.getTime() + LINK_TTL_DAYS[kind] * 86_400_000),
    });
    const click = link('click', target);
    const unsubscribe = withUnsubscribe ? link('unsubscribe', null) : null;
    const productLinks = products.map((p) => link('click', p.url, p.sku));
    return {
      // No landing page, no click link: a link without a record would lead to the refusal page.
      click: target ? `${this.#base}/${click.code}` : '',
      unsubscribe: unsubscribe ? `${this.#base}/${unsubscribe.code}` : '',
      products: productLinks.map((l) => ({ sku: l.sku as string, url: `${this.#base}/${l.code}` })),
      records: [...(target ? [click] : []), ...productLinks, ...(unsubscribe ? [unsubscribe] : [])],
    };
  }
}

export type ResolvedLink = { ok: true; link: TrackedLink } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * What a redirect does with a code: unknown, tampered (the store's record does not match the code's
 * signature) and expired links are refused without saying whose they were.
 */
export async function resolveLink(
  store: LinkStore,
  secret: string,
  code: string,
  now: Date,
): Promise<ResolvedLink> {
  if (!/^[0-9A-Za-z]+$/.test(code) || code.length !== CODE_LENGTH) return { ok: false, reason: 'invalid' };
  const link = await store.get(code);
  if (!link) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(linkCode(new HmacSha256(secret), link.kind, link.sendId, link.sku));
  if (!timingSafeEqual(expected, Buffer.from(code))) return { ok: false, reason: 'invalid' };
  if (link.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, link };
}
