import { z } from 'zod';
import {
  checkMoney,
  type ImportedOrder,
  MAX_ID_CHARS,
  orderTimesProblem,
  parseTimestamp,
  type RowResult,
  reject,
  shippingTimesProblem,
} from './imported-order.ts';

/**
 * Order events as an order feed (a platform webhook, a message queue) delivers them, one JSON object per
 * line: what happened (`created`, `paid`, `shipped`, `delivered`, `closed`, `refunded`), when, and the
 * order as it now stands. Events of one order may come in any order and more than once: the one with the
 * latest `at` wins. A shipped or delivered order is a paid one (status paid, its shipped_at/delivered_at set).
 */
const Money = z.number().superRefine((n, ctx) => {
  const m = checkMoney(n);
  if (!m.ok) ctx.addIssue({ code: 'custom', message: m.problem });
});
const Id = z.string().min(1).max(MAX_ID_CHARS);
/** A time with its offset from UTC, on the calendar: 2026-02-30 is refused with why, not rolled over. */
const Instant = z.string().superRefine((v, ctx) => {
  if (!/^\S+T\S+(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a time with its offset like 2026-11-11T00:05:00+08:00, got "${v}"`,
    });
    return;
  }
  const t = parseTimestamp(v, 'UTC');
  if (!t.ok) ctx.addIssue({ code: 'custom', message: t.problem });
});
const Text = z.string().max(500);
export const OrderEvent = z.strictObject({
  event: z.enum(['created', 'paid', 'shipped', 'delivered', 'closed', 'refunded']),
  at: Instant,
  order: z.strictObject({
    orderId: Id,
    customerId: Id,
    createdAt: Instant,
    paidAt: Instant.nullable().optional(),
    shippedAt: Instant.nullable().optional(),
    deliveredAt: Instant.nullable().optional(),
    amount: Money,
    discount: Money.default(0),
    channel: z.string().min(1).max(100).default('organic'),
    customer: z
      .strictObject({
        name: Text.nullable().optional(),
        province: Text.nullable().optional(),
        city: Text.nullable().optional(),
        email: Text.nullable().optional(),
        emailConsent: z.boolean().optional(),
        phone: Text.nullable().optional(),
        smsConsent: z.boolean().optional(),
      })
      .default({}),
    items: z
      .array(
        z.strictObject({
          sku: z.string().min(1),
          name: Text.nullable().optional(),
          category: z.string().nullable().optional(),
          quantity: z.int().positive(),
          unitPrice: Money,
        }),
      )
      .min(1)
      .max(1000),
  }),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

const STATUS: Record<OrderEvent['event'], ImportedOrder['status']> = {
  created: 'unpaid',
  paid: 'paid',
  shipped: 'paid',
  delivered: 'paid',
  closed: 'closed',
  refunded: 'refunded',
};

/** A time the schema has checked, as the Date parseTimestamp reads it (never `new Date`'s own reading). */
function instant(text: string): Date {
  const t = parseTimestamp(text, 'UTC');
  if (!t.ok) throw new RangeError(`unchecked time ${text}`);
  return t.value;
}

function orderOf(line: number, e: OrderEvent): ImportedOrder {
  const o = e.order;
  const c = o.customer;
  const paidAt = o.paidAt ?? (e.event === 'paid' || e.event === 'refunded' ? e.at : null);
  const shippedAt = o.shippedAt ?? (e.event === 'shipped' ? e.at : null);
  const deliveredAt = o.deliveredAt ?? (e.event === 'delivered' ? e.at : null);
  return {
    line,
    orderId: o.orderId,
    customer: {
      customerId: o.customerId,
      name: c.name ?? null,
      nickname: null,
      province: c.province ?? null,
      city: c.city ?? null,
      email: c.email ?? null,
      emailConsent: c.emailConsent ?? false,
      phone: c.phone ?? null,
      smsConsent: c.smsConsent ?? false,
    },
    createdAt: instant(o.createdAt),
    paidAt: paidAt ? instant(paidAt) : null,
    shippedAt: shippedAt ? instant(shippedAt) : null,
    deliveredAt: deliveredAt ? instant(deliveredAt) : null,
    status: STATUS[e.event],
    amount: o.amount,
    discount: o.discount,
    channel: o.channel,
    items: o.items.map((i) => ({
      sku: i.sku,
      name: i.name ?? null,
      category: i.category ?? null,
      quantity: i.quantity,
      unitPrice: i.unitPrice,
    })),
  };
}

const issue = (e: z.ZodError) =>
  e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`)
    .join('; ');

/**
 * The first string of a parsed line that is no text — a lone surrogate (JSON's `\ud800` escape) or a NUL
 * (`\u0000`), which neither the lake's files nor the rejects file can hold — as the field and what it holds.
 */
function unreadableString(value: unknown, path: readonly string[] = []): string | null {
  if (typeof value === 'string') {
    const field = path.join('.') || '(line)';
    const lone = value.isWellFormed()
      ? undefined
      : [...value].find((ch) => ch.length === 1 && /[\uD800-\uDFFF]/.test(ch));
    if (lone)
      return `${field}: not text: a lone surrogate (\\u${lone.charCodeAt(0).toString(16)} without its pair)`;
    return value.includes('\0') ? `${field}: holds a NUL character (\\u0000)` : null;
  }
  if (value !== null && typeof value === 'object')
    for (const [key, v] of Object.entries(value)) {
      const problem = unreadableString(v, [...path, key]);
      if (problem) return problem;
    }
  return null;
}

/** A line of an order feed longer than this is no order event. */
export const MAX_EVENT_CHARS = 1 << 20;

/**
 * One line of an order feed: the order it leaves (with the event's time, so the latest event of an order
 * wins), or why it is rejected — not JSON, a field that does not match (path and what was expected), a
 * time that does not exist or cannot be an order's.
 */
export function orderEventLine(line: number, text: string, tooLong: boolean, now: Date): RowResult {
  const row = { line, cells: [tooLong ? `${text.slice(0, 200)}…` : text] };
  if (tooLong)
    return reject(row, `longer than ${MAX_EVENT_CHARS.toLocaleString('en')} characters: not an order event`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reject(row, 'not a JSON object');
  }
  const unreadable = unreadableString(json);
  if (unreadable) return reject(row, unreadable);
  const parsed = OrderEvent.safeParse(json);
  if (!parsed.success) return reject(row, issue(parsed.error));
  const e = parsed.data;
  const order = orderOf(line, e);
  const problem = orderTimesProblem(order.createdAt, order.paidAt, now);
  if (problem) return reject(row, `order.createdAt/paidAt: ${problem}`);
  if ((e.event === 'shipped' || e.event === 'delivered') && !order.paidAt)
    return reject(
      row,
      `order.paidAt: a ${e.event} order is a paid one: expected its paidAt, like 2026-11-11T00:06:00+08:00`,
    );
  const shipping = shippingTimesProblem(
    order,
    { shippedAt: 'order.shippedAt', deliveredAt: 'order.deliveredAt' },
    now,
  );
  if (shipping) return reject(row, shipping);
  return { ok: true, order, rows: [row], at: instant(e.at).getTime() };
}
