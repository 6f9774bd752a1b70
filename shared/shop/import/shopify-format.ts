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

/**
 * Groups the export's rows into orders: a row with a Financial Status starts an order, the rows after it
 * with the same Name add line items.
 */
export function shopifyRows(rows: CsvRow[], zone: string): RowResult[] {
  const results: RowResult[] = [];
  let current: ImportedOrder | null = null;
  for (const row of rows) {
    const v = row.values;
    const name = v.Name ?? '';
    if (!name) {
      results.push(reject(row.line, 'Name: empty, cannot tell which order the row belongs to'));
      continue;
    }
    if (v['Financial Status']) {
      if (current) results.push({ ok: true, order: current });
      current = null;
      const r = shopifyOrder(row, zone);
      if (!r.ok) {
        results.push(r);
        continue;
      }
      current = r.order;
    } else if (!current || current.orderId !== name) {
      results.push(reject(row.line, `line item of order ${name} without the order's first row`));
      continue;
    }
    const item = lineItem(row);
    if (typeof item === 'string') {
      results.push(reject(row.line, item));
      if (current.orderId === name && v['Financial Status']) current = null;
      continue;
    }
    current.items.push(item);
  }
  if (current) results.push({ ok: true, order: current });
  return results;
}

function shopifyOrder(row: CsvRow, zone: string): RowResult {
  const v = row.values;
  const createdAt = parseTimestamp(v['Created at'] ?? '', zone);
  if (!createdAt)
    return reject(
      row.line,
      `Created at: expected a time like 2024-11-11 10:00:00 +0800, got "${v['Created at'] ?? ''}"`,
    );
  const paidAt = v['Paid at'] ? parseTimestamp(v['Paid at'], zone) : null;
  const amount = parseMoney(v.Total ?? '');
  if (amount === null || amount < 0)
    return reject(row.line, `Total: expected an amount, got "${v.Total ?? ''}"`);
  let status = STATUS[v['Financial Status'] ?? ''];
  if (!status)
    return reject(
      row.line,
      `Financial Status: unknown status "${v['Financial Status']}"; expected one of ${Object.keys(STATUS).join(', ')}`,
    );
  if (v['Cancelled at'] && status !== 'refunded') status = 'closed';
  const email = emailOrNull(v.Email ?? '');
  const phone = chinaMobile(v['Billing Phone'] || v.Phone || '');
  const identity = email ?? phone ?? v['Billing Name'] ?? '';
  if (!identity)
    return reject(row.line, 'Email, Phone and Billing Name are all empty: cannot tell who bought');
  const marketing = (v['Accepts Marketing'] ?? '').toLowerCase() === 'yes';
  return {
    ok: true,
    order: {
      line: row.line,
      orderId: v.Name ?? '',
      customer: {
        customerId: customerIdFrom('sh', identity),
        name: v['Billing Name'] || null,
        province: v['Billing Province Name'] || v['Billing Province'] || null,
        city: v['Billing City'] || null,
        email,
        emailConsent: marketing && email !== null,
        phone,
        smsConsent: marketing && phone !== null,
      },
      createdAt,
      paidAt: status === 'unpaid' ? null : (paidAt ?? (status === 'closed' ? null : createdAt)),
      status,
      amount,
      discount: parseMoney(v['Discount Amount'] ?? '') ?? 0,
      channel: v.Source ? `shopify:${v.Source}` : 'shopify',
      items: [],
    },
  };
}

function lineItem(row: CsvRow): ImportedOrder['items'][number] | string {
  const v = row.values;
  const quantity = Number(v['Lineitem quantity']);
  if (!Number.isInteger(quantity) || quantity <= 0)
    return `Lineitem quantity: expected a whole number > 0, got "${v['Lineitem quantity'] ?? ''}"`;
  const unitPrice = parseMoney(v['Lineitem price'] ?? '');
  if (unitPrice === null) return `Lineitem price: expected an amount, got "${v['Lineitem price'] ?? ''}"`;
  return {
    sku: v['Lineitem sku'] || v['Lineitem name'] || 'unknown',
    name: v['Lineitem name'] || null,
    category: null,
    quantity,
    unitPrice,
  };
}
