import {
  accept,
  chinaMobile,
  customerIdFrom,
  emailOrNull,
  type ImportedOrder,
  orderTimesProblem,
  parseMoney,
  parseQuantity,
  parseTimestamp,
  type RowResult,
  reject,
} from './imported-order.ts';
import type { CsvRow } from './read-csv.ts';

/** Columns of Shopify's orders export that the import needs; order fields are on an order's first row. */
export const SHOPIFY_REQUIRED = [
  'Name',
  'Financial Status',
  'Created at',
  'Total',
  'Lineitem quantity',
  'Lineitem price',
] as const;

const STATUS: Record<string, ImportedOrder['status']> = {
  paid: 'paid',
  partially_refunded: 'paid',
  partially_paid: 'unpaid',
  pending: 'unpaid',
  authorized: 'unpaid',
  refunded: 'refunded',
  voided: 'closed',
};

/** Line items one order may have (as for an order feed); more is not an order but a broken export. */
const MAX_ITEMS = 1000;

/**
 * Groups the export's rows into orders as they stream by: a row with a Financial Status starts an order,
 * the rows after it with the same Name add line items. Holds one order at a time.
 */
export class ShopifyOrders {
  #current: { order: ImportedOrder; rows: CsvRow[] } | null = null;
  /** The order whose first row was rejected: its line items are rejected with it. */
  #rejectedOrder: { name: string; line: number } | null = null;

  readonly #zone: string;
  readonly #now: Date;

  constructor(zone: string, now: Date) {
    this.#zone = zone;
    this.#now = now;
  }

  push(row: CsvRow): RowResult[] {
    const v = row.values;
    const name = v.Name ?? '';
    if (!name) return [reject(row, 'Name: empty, cannot tell which order the row belongs to')];
    const out: RowResult[] = [];
    if (v['Financial Status']) {
      out.push(...this.end());
      this.#rejectedOrder = null;
      const r = shopifyOrder(row, this.#zone, this.#now);
      if (!r.ok) {
        this.#rejectedOrder = { name, line: row.line };
        return [...out, r];
      }
      this.#current = { order: r.order, rows: [] };
    } else if (this.#current?.order.orderId !== name) {
      const first = this.#rejectedOrder?.name === name ? this.#rejectedOrder.line : null;
      return [
        reject(
          row,
          first
            ? `line item of order ${name}, whose first row (line ${first}) was rejected`
            : `line item of order ${name} without the order's first row`,
        ),
      ];
    }
    const current = this.#current as { order: ImportedOrder; rows: CsvRow[] };
    const item = lineItem(row);
    if (typeof item === 'string') {
      // A bad line makes the order incomplete: the whole order goes to the rejects, not a part of it.
      this.#current = null;
      this.#rejectedOrder = { name, line: current.rows[0]?.line ?? row.line };
      return [
        ...out,
        ...current.rows.map((r) => reject(r, `order ${name}: its line ${row.line} was rejected (${item})`)),
        reject(row, item),
      ];
    }
    if (current.order.items.length >= MAX_ITEMS) {
      this.#current = null;
      this.#rejectedOrder = { name, line: current.rows[0]?.line ?? row.line };
      const reason = `order ${name} has more than ${MAX_ITEMS.toLocaleString('en')} line items: not one order`;
      return [...out, ...current.rows.map((r) => reject(r, reason)), reject(row, reason)];
    }
    current.order.items.push(item);
    current.rows.push(row);
    return out;
  }

  /** The order still open at the end of the file. */
  end(): RowResult[] {
    const c = this.#current;
    this.#current = null;
    return c ? [{ ok: true, order: c.order, rows: c.rows }] : [];
  }
}

function shopifyOrder(row: CsvRow, zone: string, now: Date): RowResult {
  const v = row.values;
  const createdAt = parseTimestamp(v['Created at'] ?? '', zone);
  if (!createdAt.ok) return reject(row, `Created at: ${createdAt.problem}`);
  const paidAt = v['Paid at'] ? parseTimestamp(v['Paid at'], zone) : null;
  if (paidAt && !paidAt.ok) return reject(row, `Paid at: ${paidAt.problem}`);
  const amount = parseMoney(v.Total ?? '');
  if (!amount.ok) return reject(row, `Total: ${amount.problem}`);
  const discount = v['Discount Amount'] ? parseMoney(v['Discount Amount']) : null;
  if (discount && !discount.ok) return reject(row, `Discount Amount: ${discount.problem}`);
  let status = STATUS[v['Financial Status'] ?? ''];
  if (!status)
    return reject(
      row,
      `Financial Status: unknown status "${v['Financial Status']}"; expected one of ${Object.keys(STATUS).join(', ')}`,
    );
  if (v['Cancelled at'] && status !== 'refunded') status = 'closed';
  const paid = status === 'unpaid' ? null : (paidAt?.value ?? (status === 'closed' ? null : createdAt.value));
  const times = orderTimesProblem(createdAt.value, paid, now);
  if (times) return reject(row, `Created at/Paid at: ${times}`);
  const email = emailOrNull(v.Email ?? '');
  const phone = chinaMobile(v['Billing Phone'] || v.Phone || '');
  const identity = email ?? phone ?? v['Billing Name'] ?? '';
  if (!identity) return reject(row, 'Email, Phone and Billing Name are all empty: cannot tell who bought');
  const marketing = (v['Accepts Marketing'] ?? '').toLowerCase() === 'yes';
  return accept(row, {
    orderId: v.Name ?? '',
    customer: {
      customerId: customerIdFrom('sh', identity),
      name: v['Billing Name'] || null,
      nickname: null,
      // Where the order ships (and so the city tier), else the billing address.
      province:
        v['Shipping Province Name'] ||
        v['Shipping Province'] ||
        v['Billing Province Name'] ||
        v['Billing Province'] ||
        null,
      city: v['Shipping City'] || v['Billing City'] || null,
      email,
      emailConsent: marketing && email !== null,
      phone,
      smsConsent: marketing && phone !== null,
    },
    createdAt: createdAt.value,
    paidAt: paid,
    status,
    amount: amount.value,
    discount: discount?.ok ? discount.value : 0,
    channel: v.Source ? `shopify:${v.Source}` : 'shopify',
    items: [],
  });
}

function lineItem(row: CsvRow): ImportedOrder['items'][number] | string {
  const v = row.values;
  const quantity = parseQuantity(v['Lineitem quantity'] ?? '');
  if (!quantity.ok) return `Lineitem quantity: ${quantity.problem}`;
  const unitPrice = parseMoney(v['Lineitem price'] ?? '');
  if (!unitPrice.ok) return `Lineitem price: ${unitPrice.problem}`;
  return {
    sku: v['Lineitem sku'] || v['Lineitem name'] || 'unknown',
    name: v['Lineitem name'] || null,
    category: null,
    quantity: quantity.value,
    unitPrice: unitPrice.value,
  };
}
