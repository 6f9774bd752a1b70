import type { Clock } from '../clock.ts';
import type { LinkStore } from '../delivery/links/link-store.ts';
import { resolveLink } from '../delivery/links/short-links.ts';
import { type IngestDeps, type IngestReport, ingestEvents } from './ingest-events.ts';

/**
 * Our two link endpoints, behind one short link base (`<base>/<code>`):
 * - a click link: GET records the click (with the product's sku for a product link) and redirects (302)
 *   to the wave's landing page or the product's page;
 * - an unsubscribe link: GET shows a confirmation page (mail scanners fetch links, so a GET never
 *   unsubscribes), POST unsubscribes at once — the confirmation form and the mail client's one-click
 *   `List-Unsubscribe-Post` both POST.
 * A tampered, unknown or expired code, or the wrong method for the link, gets one refusal that says
 * nothing about whose link it was.
 */
export interface LinkDeps {
  links: LinkStore;
  /** The HMAC key the links were signed with. */
  secret: string;
  clock: Clock;
  /** Where the click or unsubscribe is recorded (events, suppressions, contact store). */
  ingest: IngestDeps;
}

export type LinkAnswer =
  /** `unrecorded`: the click could not be written; the customer is redirected all the same. */
  | { kind: 'redirect'; location: string; unrecorded?: string }
  | { kind: 'confirm-unsubscribe' }
  | { kind: 'unsubscribed' }
  | { kind: 'refused'; why: 'invalid' | 'expired' | 'wrong-method' };

export async function followLink(deps: LinkDeps, code: string, method: 'GET' | 'POST'): Promise<LinkAnswer> {
  const now = deps.clock.now();
  const resolved = await resolveLink(deps.links, deps.secret, code, now);
  if (!resolved.ok) return { kind: 'refused', why: resolved.reason };
  const { link } = resolved;
  if (link.kind === 'click') {
    if (method !== 'GET' || !link.target) return { kind: 'refused', why: 'wrong-method' };
    const event = { kind: 'click', sendId: link.sendId, channel: link.channel, at: now.toISOString() };
    try {
      await record(deps, { ...event, target: link.target, sku: link.sku });
    } catch (e) {
      return { kind: 'redirect', location: link.target, unrecorded: String(e) };
    }
    return { kind: 'redirect', location: link.target };
  }
  if (method === 'GET') return { kind: 'confirm-unsubscribe' };
  // An unsubscribe that cannot be recorded fails loudly: the customer must not be told it worked.
  await record(deps, {
    kind: 'unsubscribe',
    sendId: link.sendId,
    channel: link.channel,
    at: now.toISOString(),
  });
  return { kind: 'unsubscribed' };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
};

/** The HTTP response for an answer: the same on Lambda (API Gateway) and on the local server. */
export function linkHttpAnswer(answer: LinkAnswer): HttpAnswer {
  switch (answer.kind) {
    case 'redirect':
      return {
        status: 302,
        headers: { location: answer.location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
        body: '',
      };
    case 'confirm-unsubscribe':
      return { status: 200, headers: HTML_HEADERS, body: LINK_PAGES.confirm() };
    case 'unsubscribed':
      return { status: 200, headers: HTML_HEADERS, body: LINK_PAGES.unsubscribed() };
    case 'refused':
      return { status: 400, headers: HTML_HEADERS, body: LINK_PAGES.refused() };
  }
}

/** The event through the one ingestion path; a rejection here is our bug, so it throws. */
async function record(deps: LinkDeps, event: Record<string, unknown>): Promise<void> {
  const report: IngestReport = await ingestEvents(deps.ingest, [{ source: 'link', record: event }]);
  if (report.accepted !== 1)
    throw new Error(`link event not recorded: ${Object.keys(report.rejected).join('; ')}`);
}

/** The pages, in the shop's language and English; none names the customer or the campaign. */
export const LINK_PAGES = {
  // No action: the form posts back to the link itself.
  confirm: () =>
    page(
      '退订确认 · Unsubscribe',
      `<p>确认不再接收我们的营销邮件？<br>Stop receiving our marketing emails?</p>
<form method="post"><button type="submit">确认退订 · Unsubscribe</button></form>`,
    ),
  unsubscribed: () =>
    page('已退订 · Unsubscribed', '<p>您已退订，我们不会再发送营销邮件。<br>You are unsubscribed.</p>'),
  refused: () =>
    page(
      '链接无效 · Link not valid',
      '<p>这个链接无效或已过期。<br>This link is not valid or has expired.</p>',
    ),
} as const;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem">
<h1 style="font-size: 1.25rem">${title}</h1>
${body}
</body></html>
`;
}
