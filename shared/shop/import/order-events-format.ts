import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ImportedOrder, RowResult } from './imported-order.ts';

/**
 * Order events as an order feed (a platform webhook, a message queue) delivers them, one JSON object per
 * line: what happened (`created`, `paid`, `closed`, `refunded`), when, and the order as it now stands.
 * Events of one order may come in any order and more than once: the one with the latest `at` wins.
 */
const Money = z.number().nonnegative();
export const OrderEvent = z.strictObject({
  event: z.enum(['created', 'paid', 'closed', 'refunded']),
  at: z.iso.datetime({ offset: true }),
  order: z.strictObject({
    orderId: z.string().min(1),
    customerId: z.string().min(1),
    createdAt: z.iso.datetime({ offset: true }),
    paidAt: z.iso.datetime({ offset: true }).nullable().optional(),
    amount: Money,
    discount: Money.default(0),
    channel: z.string().min(1).default('organic'),
    customer: z
      .strictObject({
        name: z.string().nullable().optional(),
        province: z.string().nullable().optional(),
        city: z.string().nullable().optional(),
        email: z.string().nullable().optional(),
        emailConsent: z.boolean().optional(),
        phone: z.string().nullable().optional(),
        smsConsent: z.boolean().optional(),
      })
      .default({}),
    items: z
      .array(
        z.strictObject({
          sku: z.string().min(1),
          name: z.string().nullable().optional(),
          category: z.string().nullable().optional(),
          quantity: z.int().positive(),
          unitPrice: Money,
        }),
      )
      .min(1),
  }),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

const STATUS: Record<OrderEvent['event'], ImportedOrder['status']> = {
  created: 'unpaid',
  paid: 'paid',
  closed: 'closed',
  refunded: 'refunded',
};

export interface OrderEventLines {
  /** Non-blank lines read. */
  read: number;
  /** Per line: the order it leaves, or why it was rejected; latest event of each order last. */
  results: RowResult[];
  /** The raw text of each line, for the rejects file. */
  text: Map<number, string>;
}

function orderOf(line: number, e: OrderEvent): ImportedOrder {
  const o = e.order;
  const c = o.customer;
  const paidAt = o.paidAt ?? (e.event === 'paid' || e.event === 'refunded' ? e.at : null);
  return {
    line,
    orderId: o.orderId,
    customer: {
      customerId: o.customerId,
      name: c.name ?? null,
      province: c.province ?? null,
      city: c.city ?? null,
      email: c.email ?? null,
      emailConsent: c.emailConsent ?? false,
      phone: c.phone ?? null,
      smsConsent: c.smsConsent ?? false,
    },
    createdAt: new Date(o.createdAt),
    paidAt: paidAt ? new Date(paidAt) : null,
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

/** Reads a JSON-lines file of order events; every non-blank line is an order or a rejection. */
export async function readOrderEvents(file: string): Promise<OrderEventLines> {
  const lines = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/);
  const text = new Map<number, string>();
  const events: { line: number; at: number; order: ImportedOrder }[] = [];
  const results: RowResult[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    text.set(line, raw);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      results.push({ ok: false, line, reason: 'not a JSON object' });
      return;
    }
    const parsed = OrderEvent.safeParse(json);
    if (!parsed.success) results.push({ ok: false, line, reason: issue(parsed.error) });
    else events.push({ line, at: Date.parse(parsed.data.at), order: orderOf(line, parsed.data) });
  });
  events.sort((a, b) => a.at - b.at || a.line - b.line);
  for (const e of events) results.push({ ok: true, order: e.order });
  return { read: text.size, results, text };
}
