import type { Liquid, Template } from 'liquidjs';
import type { Campaign, Wave } from '../../campaign/campaign-schema.ts';
import type { Channel } from '../../campaign/contact-policy-schema.ts';
import type { ProductTarget } from '../links/short-links.ts';
import { type SmsEncoding, smsLength } from '../sms-segments.ts';
import type { TemplateContext } from '../template-context.ts';
import {
  readsVariable,
  renderWithinLimits,
  sandboxedLiquid,
  templateErrorMessage,
  withinOutputLimit,
} from './sandboxed-liquid.ts';

/** Output escaping on: whatever a template inserts into email HTML is HTML-escaped. */
const html = sandboxedLiquid({ escapeHtml: true });
/** Plain text (SMS, subjects, text parts, talking points): inserted as it is. */
const plain = sandboxedLiquid();

/** A template compiled: liquidjs's parse, or for a simple template its text and output parts. */
type Compiled = { kind: 'liquid'; tpl: Template[] } | { kind: 'simple'; parts: (string | string[])[] };

const compiled = new Map<string, Compiled>();
/** Renders a template: for email HTML (`engine` html) every inserted value is HTML-escaped. */
export function renderTemplate(engine: 'html' | 'plain', source: string, ctx: TemplateContext): string {
  return render(engine === 'html' ? html : plain, source, ctx);
}

function render(engine: Liquid, source: string, ctx: TemplateContext): string {
  const key = `${engine === html ? 'h' : 'p'}:${source}`;
  let c = compiled.get(key);
  if (!c) {
    const parts = simpleParts(source);
    c = parts ? { kind: 'simple', parts } : { kind: 'liquid', tpl: engine.parse(source) };
    compiled.set(key, c);
  }
  if (c.kind === 'simple') {
    const out = renderSimple(c.parts, ctx, engine === html);
    if (out !== null) return withinOutputLimit(out);
    c = { kind: 'liquid', tpl: engine.parse(source) };
    compiled.set(key, c);
  }
  return renderWithinLimits(engine, c.tpl, ctx);
}

const OUTPUT = /\{\{\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\}\}/g;

/**
 * A template that is only text and `{{ path }}` outputs — no tags, no filters, no whitespace control, as
 * every example template is — as its parts (text, or a variable's path), else null. Rendering such a
 * template is a concatenation with the output liquidjs gives (tests/unit/render-message.test.ts compares
 * them on hostile values), far cheaper than liquidjs on the send path (figures: docs/benchmarks.md).
 */
export function simpleParts(source: string): (string | string[])[] | null {
  const parts: (string | string[])[] = [];
  let last = 0;
  for (const m of source.matchAll(OUTPUT)) {
    parts.push(source.slice(last, m.index), (m[1] as string).split('.'));
    last = m.index + m[0].length;
  }
  parts.push(source.slice(last));
  const text = parts.filter((p) => typeof p === 'string').join('');
  return text.includes('{{') || text.includes('{%') ? null : parts;
}

/** Renders simple parts; null when a value is not a plain string or number (liquidjs then decides). */
function renderSimple(parts: (string | string[])[], ctx: TemplateContext, isHtml: boolean): string | null {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    let value: unknown = ctx;
    for (const key of part) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return null;
      value = (value as Record<string, unknown>)[key];
    }
    if (typeof value !== 'string' && typeof value !== 'number') return null;
    out += isHtml ? escapeHtml(String(value)) : String(value);
  }
  return out;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};
/** liquidjs's `escape` filter, which outputEscape applies. */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

export interface Recipient {
  name: string | null;
  /** Optional: recipients planned before nicknames were carried have none. */
  nickname?: string | null | undefined;
  province: string | null;
  city: string | null;
  memberTier: string | null;
  /** Points balance at the run; optional: recipients planned before points were carried have none. */
  points?: number | null | undefined;
}

export interface RenderInput {
  campaign: Campaign;
  wave: Wave;
  variantId: string | null;
  channel: Channel;
  recipient: Recipient;
  /** This send's tracked link, one-click unsubscribe URL and, where the template lists them, product links. */
  links: { click: string; unsubscribe: string; products?: readonly ProductTarget[] };
}

export type Rendered =
  | { channel: 'sms'; text: string; encoding: SmsEncoding; segments: number; cost: number }
  | {
      channel: 'email';
      subject: string;
      html: string;
      text: string | null;
      headers: Record<string, string>;
      cost: number;
    }
  | { channel: 'call-list'; talkingPoints: string; cost: number };

export type RenderResult = { ok: true; message: Rendered } | { ok: false; error: string };

/** The templates a wave (or one of its variants) renders for a channel. */
function templateSources(wave: Wave, variantId: string | null, channel: Channel): string[] {
  const t = variantId ? wave.variants?.find((v) => v.id === variantId)?.templates : wave.templates;
  if (channel === 'sms') return t?.sms ? [t.sms] : [];
  if (channel === 'email') return t?.email ? [t.email.subject, t.email.html, t.email.text ?? ''] : [];
  return t?.['call-list'] ? [t['call-list'].talkingPoints] : [];
}

const uses = new WeakMap<Wave, Map<string, boolean>>();
/**
 * Whether the template of this wave, variant and channel reads a variable (`link`, `products`), by
 * liquidjs's static analysis (sandboxed-liquid.ts `readsVariable`).
 */
export function templateNames(
  wave: Wave,
  variantId: string | null,
  channel: Channel,
  variable: 'link' | 'products',
): boolean {
  let byKey = uses.get(wave);
  if (!byKey) {
    byKey = new Map();
    uses.set(wave, byKey);
  }
  const key = `${variantId}:${channel}:${variable}`;
  let named = byKey.get(key);
  if (named === undefined) {
    named = templateSources(wave, variantId, channel).some((s) => sourceReads(s, variable));
    byKey.set(key, named);
  }
  return named;
}

/** A template that does not parse reads nothing here: rendering it fails on its own. */
function sourceReads(source: string, variable: string): boolean {
  try {
    return readsVariable(plain, plain.parse(source), variable);
  } catch {
    return false;
  }
}

/**
 * Whether a send of this wave, variant and channel shows the wave's products: only then does it get a
 * link per product (each a signed code and a link-store record), so an SMS that shows none carries none.
 * Any way to reach the list (`{% for p in products %}`, `products[0].url`, `products.first`) names it.
 */
export function templateUsesProducts(wave: Wave, variantId: string | null, channel: Channel): boolean {
  return Boolean(wave.products?.length) && templateNames(wave, variantId, channel, 'products');
}

/**
 * Renders one message. SMS always carries the shop signature and the opt-out text (added if a template
 * lost them) and is priced per billed segment; a message longer than the channel's maxSegments fails
 * rather than being cut. Email carries List-Unsubscribe and one-click List-Unsubscribe-Post headers.
 */
export function renderMessage(input: RenderInput): RenderResult {
  const { campaign, wave, channel } = input;
  const templates = input.variantId
    ? wave.variants?.find((v) => v.id === input.variantId)?.templates
    : wave.templates;
  if (!templates)
    return { ok: false, error: `wave ${wave.id} has no templates for variant ${input.variantId}` };
  // A template that shows {{ link }} needs a landing page: without one its link would lead nowhere
  // (validate refuses such a wave; this holds for configs stored before it did).
  if (!wave.link && templateNames(wave, input.variantId, channel, 'link'))
    return { ok: false, error: 'no-link: the template uses {{ link }} but the wave has no link' };
  const ctx = context(input);
  try {
    if (channel === 'sms') {
      const sms = campaign.channels.sms;
      if (!sms || templates.sms === undefined) return { ok: false, error: 'no SMS channel or template' };
      let text = render(plain, templates.sms, ctx).trim();
      if (!text.includes(sms.signature)) text = `${sms.signature}${text}`;
      if (wave.category !== 'notice' && !text.includes(sms.optOutText)) text = `${text} ${sms.optOutText}`;
      const len = smsLength(text);
      if (len.segments > sms.maxSegments) {
        return { ok: false, error: `sms-too-long: ${len.segments} segments, max ${sms.maxSegments}` };
      }
      return {
        ok: true,
        message: {
          channel,
          text,
          encoding: len.encoding,
          segments: len.segments,
          cost: len.segments * campaign.costs.smsPerSegment,
        },
      };
    }
    if (channel === 'email') {
      const t = templates.email;
      if (!campaign.channels.email || !t) return { ok: false, error: 'no email channel or template' };
      return {
        ok: true,
        message: {
          channel,
          subject: render(plain, t.subject, ctx)
            .replace(/[\r\n]+/g, ' ')
            .trim(),
          html: render(html, t.html, ctx),
          text: t.text ? render(plain, t.text, ctx) : null,
          headers: {
            // https://www.rfc-editor.org/rfc/rfc8058 (one-click unsubscribe)
            'List-Unsubscribe': `<${input.links.unsubscribe}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
          cost: campaign.costs.email,
        },
      };
    }
    const t = templates['call-list'];
    if (!t) return { ok: false, error: 'no call-list template' };
    return {
      ok: true,
      message: {
        channel,
        talkingPoints: render(plain, t.talkingPoints, ctx),
        cost: campaign.costs['call-list'],
      },
    };
  } catch (e) {
    return { ok: false, error: `render: ${templateErrorMessage(e)}` };
  }
}

function context(input: RenderInput): TemplateContext {
  const { campaign, wave, recipient } = input;
  const sms = campaign.channels.sms;
  const offer = wave.offer;
  return {
    customer: {
      name: recipient.name ?? '',
      nickname: recipient.nickname ?? '',
      province: recipient.province ?? '',
      city: recipient.city ?? '',
      memberTier: recipient.memberTier ?? '',
      points: recipient.points ?? 0,
    },
    offer: {
      title: offer?.title ?? '',
      code: offer?.code ?? '',
      value: offer?.value ?? '',
      minSpend: offer?.minSpend ?? '',
      validUntil: offer?.validUntil?.replace('T', ' ') ?? '',
    },
    shop: { name: sms?.signature.replace(/[【】]/g, '') ?? '' },
    link: input.links.click,
    products: (wave.products ?? []).map((p) => ({
      sku: p.sku,
      name: p.name ?? p.sku,
      url: input.links.products?.find((l) => l.sku === p.sku)?.url ?? '',
    })),
    unsubscribeUrl: input.links.unsubscribe,
    signature: sms?.signature ?? '',
    optOut: sms?.optOutText ?? '',
  };
}
