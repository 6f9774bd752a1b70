import { Context, Drop, type Emitter, Liquid, type Template, toValueSync } from 'liquidjs';

/**
 * The one way templates are parsed and rendered, at `campaign validate` and at send time: Liquid with no
 * file system and with limits, since a template is written by whoever can edit a campaign and rendered
 * once per recipient. liquidjs's DoS options (https://liquidjs.com/tutorials/dos.html) bound the parse,
 * the items loops and filters handle and, as a backstop, the wall time; the output is bounded as it is
 * written. The items and output limits are exact; the time limit is generous, since a loaded machine or
 * a GC pause can stall even a trivial render (what was seen: docs/benchmarks.md).
 */
export const TEMPLATE_LIMITS = {
  /** Characters of one template (liquidjs parseLimit); the config's string limit is the same. */
  sourceChars: 100_000,
  /** Wall time one render may take, in ms (liquidjs renderLimit, checked between template nodes). */
  renderMs: 1_000,
  /** Loop range items and characters or items handled by filters, per render (liquidjs memoryLimit). */
  items: 100_000,
  /** Characters one render may produce (an email body; SMS are held to their segments besides). */
  outputChars: 256 * 1024,
} as const;

/** Tags that read other templates: with no file system they could only fail, so they fail at parse. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

export interface SandboxOptions {
  /** HTML-escape every inserted value (email HTML). */
  escapeHtml?: boolean;
  /** A misspelt variable is an error, not an empty string (validation). */
  strictVariables?: boolean;
}

export function sandboxedLiquid(opts: SandboxOptions = {}): Liquid {
  const liquid = new Liquid({
    // An in-memory template set with nothing in it: no include, render or layout can reach a file.
    templates: {},
    strictFilters: true,
    strictVariables: opts.strictVariables === true,
    ownPropertyOnly: true,
    ...(opts.escapeHtml ? { outputEscape: 'escape' as const } : {}),
    parseLimit: TEMPLATE_LIMITS.sourceChars,
    renderLimit: TEMPLATE_LIMITS.renderMs,
    memoryLimit: TEMPLATE_LIMITS.items,
  });
  for (const tag of FILE_TAGS) {
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not available: templates cannot read files`);
      },
      render() {
        return '';
      },
    });
  }
  return liquid;
}

/** A template over the limits; its message says which. */
export class TemplateLimitError extends Error {
  override name = 'TemplateLimitError';
}

/** liquidjs's own conversion of an output value to text (its `stringify`, which it does not export). */
function text(value: unknown): string {
  const v = value instanceof Drop && typeof value.valueOf === 'function' ? value.valueOf() : value;
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(text).join('');
  return String(v);
}

/** Collects a render's output and stops it as soon as the output is over the limit. */
class BoundedEmitter implements Emitter {
  buffer = '';
  write(html: unknown): void {
    this.buffer += text(html);
    if (this.buffer.length > TEMPLATE_LIMITS.outputChars) throw tooLong(this.buffer.length);
  }
}

const tooLong = (chars: number) =>
  new TemplateLimitError(
    `over the template limits (a message may be at most ${TEMPLATE_LIMITS.outputChars} characters, got ${chars} or more)`,
  );

/** Renders a parsed template, as liquidjs's renderSync does, with its output held to the limit. */
export function renderWithinLimits(liquid: Liquid, tpl: Template[], scope: object): string {
  const emitter = new BoundedEmitter();
  const ctx = new Context(scope, liquid.options, { sync: true }, { liquid });
  toValueSync(liquid.renderer.renderTemplates(tpl, ctx, emitter));
  return emitter.buffer;
}

/** The same limit for output made without liquidjs (render-message.ts's simple templates). */
export function withinOutputLimit(out: string): string {
  if (out.length > TEMPLATE_LIMITS.outputChars) throw tooLong(out.length);
  return out;
}

const LIMIT_MESSAGES: Record<string, string> = {
  'memory alloc limit exceeded': `loops and filters may handle at most ${TEMPLATE_LIMITS.items} items per message`,
  'template render limit exceeded': `a message may take at most ${TEMPLATE_LIMITS.renderMs} ms to render`,
  'parse length limit exceeded': `a template may be at most ${TEMPLATE_LIMITS.sourceChars} characters`,
};

/** One line saying why a template did not parse or render, in the words of the limits where one was hit. */
export function templateErrorMessage(e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] as string;
  for (const [liquidSays, weSay] of Object.entries(LIMIT_MESSAGES))
    if (message.startsWith(liquidSays))
      return `over the template limits (${weSay})${message.slice(liquidSays.length)}`;
  return message;
}

/**
 * Whether a template reads a variable of the message context (`link`, `products`): liquidjs's static
 * analysis, so `{% if link %}`, `link | upcase` and `products[0].url` count, while a variable the template
 * assigns itself, the word in copy ("link") or an HTML `<link>` tag do not.
 */
export function readsVariable(liquid: Liquid, tpl: Template[], name: string): boolean {
  return liquid.globalVariableSegmentsSync(tpl).some((segments) => segments[0] === name);
}
