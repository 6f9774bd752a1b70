/**
 * HTML built from a tagged template that escapes every value it inserts, so a wave name from a campaign
 * file can never become markup. Markup passes through only as `Html` — from `html` itself, or from the
 * explicit, greppable `trustedHtml` for text this code wrote (the inlined chart library).
 */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for element content and quoted attribute values. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

export type HtmlValue = Html | string | number | null | undefined | readonly HtmlValue[];

function insert(v: HtmlValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(insert).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? insert(values[i]) : ''), ''));
}

/** Markup or script this code wrote itself, inserted as it is. */
export const trustedHtml = (text: string) => new Html(text);

/**
 * A value as JSON in `<script type="application/json">`: `<` is written `\u003c`, so no string in it can
 * close the script element (`</script>`) or open a comment.
 */
export const jsonScript = (id: string, value: unknown) =>
  html`<script id="${id}" type="application/json">${trustedHtml(JSON.stringify(value).replaceAll('<', '\\u003c'))}</script>`;
