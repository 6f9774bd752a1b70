import { z } from 'zod';
import { isValidTimeZone } from '../../time/zoned-time.ts';
import {
  chinaMobile,
  customerIdFrom,
  emailOrNull,
  type ImportedOrder,
  parseMoney,
  parseTimestamp,
  type RowResult,
  reject,
} from './imported-order.ts';
import type { CsvRow } from './read-csv.ts';

/** A mapping file for `--format mapped`: which column holds which field, and what the statuses mean. */
export const ImportMapping = z.strictObject({
  $schema: z.string().optional(),
  timeZone: z
    .string()
    .refine(isValidTimeZone, { error: 'expected an IANA time zone' })
    .default('Asia/Shanghai'),
  channel: z.string().default('import').meta({ description: 'Sales channel recorded on every order.' }),
  columns: z.strictObject({
    order_id: z.string(),
    customer_id: z.string(),
    created_at: z.string(),
    paid_at: z.string().optional(),
    status: z.string(),
    amount: z.string(),
    discount: z.string().optional(),
    name: z.string().optional(),
    province: z.string().optional(),
    city: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    marketing_consent: z.string().optional(),
    sku: z.string().optional(),
    category: z.string().optional(),
    quantity: z.string().optional(),
    unit_price: z.string().optional(),
  }),
  statuses: z
    .record(z.string(), z.enum(['paid', 'unpaid', 'closed', 'refunded']))
    .meta({ description: 'Status text in the file → paid, unpaid, closed or refunded.' }),
  consentValues: z.array(z.string()).default(['yes', 'y', 'true', '1', '是']),
});
export type ImportMapping = z.infer<typeof ImportMapping>;

/** Rows with the same order id are one order; its first row carries the order fields. */
export function mappedRows(rows: CsvRow[], m: ImportMapping): RowResult[] {
  const col = m.columns;
  const orders = new Map<string, ImportedOrder>();
  const results: RowResult[] = [];
  for (const row of rows) {
    const get = (c: string | undefined) => (c ? (row.values[c] ?? '') : '');
    const orderId = get(col.order_id);
    if (!orderId) {
      results.push(reject(row.line, `${col.order_id}: empty order id`));
      continue;
    }
    let order = orders.get(orderId);
    if (!order) {
      const r = mappedOrder(row, orderId, get, m);
      if (!r.ok) {
        results.push(r);
        continue;
      }
      order = r.order;
      orders.set(orderId, order);
    }
    if (col.sku && get(col.sku)) {
      const quantity = col.quantity ? Number(get(col.quantity)) : 1;
      const unitPrice = col.unit_price ? parseMoney(get(col.unit_price)) : 0;
      if (!Number.isInteger(quantity) || quantity <= 0) {
        results.push(
          reject(row.line, `${col.quantity}: expected a whole number > 0, got "${get(col.quantity)}"`),
        );
        continue;
      }
      if (unitPrice === null) {
        results.push(reject(row.line, `${col.unit_price}: expected an amount, got "${get(col.unit_price)}"`));
        continue;
      }
      order.items.push({
        sku: get(col.sku),
        name: null,
        category: get(col.category) || null,
        quantity,
        unitPrice,
      });
    }
  }
  for (const order of orders.values()) results.push({ ok: true, order });
  return results;
}

function mappedOrder(
  row: CsvRow,
  orderId: string,
  get: (c: string | undefined) => string,
  m: ImportMapping,
): RowResult {
  const col = m.columns;
  const customer = get(col.customer_id);
  if (!customer) return reject(row.line, `${col.customer_id}: empty, cannot tell who bought`);
  const createdAt = parseTimestamp(get(col.created_at), m.timeZone);
  if (!createdAt)
    return reject(
      row.line,
      `${col.created_at}: expected a time like 2024-11-11 10:00:00, got "${get(col.created_at)}"`,
    );
  const paidText = get(col.paid_at);
  const paidAt = paidText ? parseTimestamp(paidText, m.timeZone) : null;
  if (paidText && !paidAt)
    return reject(row.line, `${col.paid_at}: expected a time like 2024-11-11 10:00:00, got "${paidText}"`);
  const status = m.statuses[get(col.status)];
  if (!status)
    return reject(row.line, `${col.status}: status "${get(col.status)}" is not in the mapping's statuses`);
  const amount = parseMoney(get(col.amount));
  if (amount === null || amount < 0)
    return reject(row.line, `${col.amount}: expected an amount, got "${get(col.amount)}"`);
  const consent = m.consentValues.includes(get(col.marketing_consent).toLowerCase());
  const email = emailOrNull(get(col.email));
  const phone = chinaMobile(get(col.phone));
  return {
    ok: true,
    order: {
      line: row.line,
      orderId,
      customer: {
        customerId: customerIdFrom('im', customer),
        name: get(col.name) || null,
        province: get(col.province) || null,
        city: get(col.city) || null,
        email,
        emailConsent: consent && email !== null,
        phone,
        smsConsent: consent && phone !== null,
      },
      createdAt,
      paidAt,
      status,
      amount,
      discount: parseMoney(get(col.discount)) ?? 0,
      channel: m.channel,
      items: [],
    },
  };
}
