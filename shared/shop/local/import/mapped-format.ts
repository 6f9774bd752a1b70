import { z } from 'zod';
import { isValidTimeZone } from '../../../time/zoned-time.ts';
import {
  accept,
  chinaMobile,
  customerById,
  customerIdFrom,
  emailOrNull,
  type ImportedOrder,
  MAX_ID_CHARS,
  orderTimesProblem,
  parseBirthday,
  parseMoney,
  parseQuantity,
  parseTimestamp,
  type RowResult,
  reject,
} from './imported-order.ts';
import type { CsvRow } from './read-csv.ts';

const ORDER_COLUMNS = ['customer_id', 'created_at', 'status', 'amount'] as const;

/**
 * A mapping file for `--format mapped`: which column holds which field, and what the statuses mean. A file
 * of orders maps the order columns (customer, created, status, amount); a file of order lines only — an
 * item report such as Taobao's 宝贝报表/订单明细 — maps none of them and a `sku`: its lines join orders
 * already in the lake, by order id, and their buyers.
 */
export const ImportMapping = z
  .strictObject({
    $schema: z.string().optional(),
    timeZone: z
      .string()
      .refine(isValidTimeZone, { error: 'expected an IANA time zone' })
      .default('Asia/Shanghai'),
    channel: z.string().default('import').meta({ description: 'Sales channel recorded on every order.' }),
    customerIds: z.enum(['hashed', 'as-is', 'taobao']).default('hashed').meta({
      description:
        'How the customer column becomes a customer id: hashed (im- + hash, the default), as-is (the value itself, as an order feed gives it), taobao (the buyer nickname 买家会员名, as the Taobao order report imports it: one customer per buyer across both).',
    }),
    columns: z.strictObject({
      order_id: z.string(),
      customer_id: z.string().optional(),
      created_at: z.string().optional(),
      paid_at: z.string().optional(),
      status: z.string().optional(),
      amount: z.string().optional(),
      discount: z.string().optional(),
      channel: z.string().optional().meta({
        description: "A column with the order's own sales channel (e.g. 聚划算); else `channel` above.",
      }),
      name: z.string().optional(),
      nickname: z.string().optional().meta({
        description:
          "The buyer's platform nickname (买家会员名), for {{ customer.nickname }}; with customerIds: taobao the customer column is the nickname.",
      }),
      birthday: z.string().optional().meta({
        description:
          "The buyer's birthday: a date (1990-03-08) or a month and day (03-08, 3月8日); kept as MM-DD.",
      }),
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
      .default({})
      .meta({ description: 'Status text in the file → paid, unpaid, closed or refunded.' }),
    consentValues: z.array(z.string()).default(['yes', 'y', 'true', '1', '是']),
  })
  .superRefine((m, ctx) => {
    const byHeader = new Map<string, string>();
    for (const [field, header] of Object.entries(m.columns)) {
      const other = header === undefined ? undefined : byHeader.get(header);
      if (header !== undefined && other)
        ctx.addIssue({
          code: 'custom',
          path: ['columns', field],
          message: `"${header}" is already the column of ${other}: one column holds one field`,
        });
      if (header !== undefined) byHeader.set(header, field);
    }
    const mapped = ORDER_COLUMNS.filter((c) => m.columns[c] !== undefined);
    if (mapped.length > 0 && mapped.length < ORDER_COLUMNS.length)
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message: `map all of ${ORDER_COLUMNS.join(', ')} (a file of orders), or none of them and a sku (a file of order lines); missing ${ORDER_COLUMNS.filter((c) => !mapped.includes(c)).join(', ')}`,
      });
    if (mapped.length === 0 && !m.columns.sku)
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message: `a file of order lines maps sku (and maps none of ${ORDER_COLUMNS.join(', ')}); a file of orders maps all of them`,
      });
  });
export type ImportMapping = z.infer<typeof ImportMapping>;

/**
 * One row of a mapped file: rows with the same order id are one order, wherever they are in the file. A
 * row carries the order's fields (every such row must agree, else the order is a conflict) and, with a
 * `sku` column, one line item; a row whose order fields are all empty carries only its line item.
 */
export function mappedRow(row: CsvRow, m: ImportMapping, now: Date): RowResult {
  const col = m.columns;
  const get = (c: string | undefined) => (c ? (row.values[c] ?? '') : '');
  const orderId = get(col.order_id);
  if (!orderId) return reject(row, `${col.order_id}: empty order id`);
  const tooLong = [col.order_id, col.customer_id, col.sku].find((c) => get(c).length > MAX_ID_CHARS);
  if (tooLong) return reject(row, `${tooLong}: longer than ${MAX_ID_CHARS} characters`);
  const item = lineItem(get, m);
  if (typeof item === 'string') return reject(row, item);
  const orderFields = [col.customer_id, col.created_at, col.status, col.amount];
  if (orderFields.every((c) => !get(c))) {
    if (!item)
      return reject(
        row,
        `${orderFields.join(', ')}: all empty, and the row has no line item (${col.sku ?? 'sku'})`,
      );
    return {
      ok: true,
      itemsOnly: true,
      rows: [row],
      order: { ...ITEMS_ONLY, orderId, line: row.line, items: [item] },
    };
  }
  const r = mappedOrder(row, orderId, get, m, now);
  if (r.ok && item) r.order.items.push(item);
  return r;
}

/** The order fields of a row that carries only a line item; never written (the order's own row gives them). */
const ITEMS_ONLY: ImportedOrder = {
  line: 0,
  orderId: '',
  customer: customerById(''),
  createdAt: new Date(0),
  paidAt: null,
  status: 'unpaid',
  amount: 0,
  discount: 0,
  channel: '',
  items: [],
};

function lineItem(
  get: (c: string | undefined) => string,
  m: ImportMapping,
): ImportedOrder['items'][number] | string | null {
  const col = m.columns;
  if (!col.sku || !get(col.sku)) return null;
  const quantity = col.quantity ? parseQuantity(get(col.quantity)) : { ok: true as const, value: 1 };
  if (!quantity.ok) return `${col.quantity}: ${quantity.problem}`;
  const unitPrice = col.unit_price ? parseMoney(get(col.unit_price)) : { ok: true as const, value: 0 };
  if (!unitPrice.ok) return `${col.unit_price}: ${unitPrice.problem}`;
  return {
    sku: get(col.sku),
    name: null,
    category: get(col.category) || null,
    quantity: quantity.value,
    unitPrice: unitPrice.value,
  };
}

function mappedOrder(
  row: CsvRow,
  orderId: string,
  get: (c: string | undefined) => string,
  m: ImportMapping,
  now: Date,
): RowResult {
  const col = m.columns;
  const customer = get(col.customer_id);
  if (!customer) return reject(row, `${col.customer_id}: empty, cannot tell who bought`);
  const createdAt = parseTimestamp(get(col.created_at), m.timeZone);
  if (!createdAt.ok) return reject(row, `${col.created_at}: ${createdAt.problem}`);
  const paidText = get(col.paid_at);
  const paidAt = paidText ? parseTimestamp(paidText, m.timeZone) : null;
  if (paidAt && !paidAt.ok) return reject(row, `${col.paid_at}: ${paidAt.problem}`);
  const times = orderTimesProblem(createdAt.value, paidAt?.value ?? null, now);
  if (times) return reject(row, `${col.created_at}${col.paid_at ? `/${col.paid_at}` : ''}: ${times}`);
  const status = m.statuses[get(col.status)];
  if (!status)
    return reject(row, `${col.status}: status "${get(col.status)}" is not in the mapping's statuses`);
  const amount = parseMoney(get(col.amount));
  if (!amount.ok) return reject(row, `${col.amount}: ${amount.problem}`);
  const discountText = get(col.discount);
  const discount = discountText ? parseMoney(discountText) : null;
  if (discount && !discount.ok) return reject(row, `${col.discount}: ${discount.problem}`);
  const birthday = get(col.birthday) ? parseBirthday(get(col.birthday)) : { ok: true as const, value: null };
  if (!birthday.ok) return reject(row, `${col.birthday}: ${birthday.problem}`);
  const consent = m.consentValues.includes(get(col.marketing_consent).toLowerCase());
  const email = emailOrNull(get(col.email));
  const phone = chinaMobile(get(col.phone));
  return accept(row, {
    orderId,
    customer: {
      customerId:
        m.customerIds === 'as-is'
          ? customer
          : customerIdFrom(m.customerIds === 'taobao' ? 'tb' : 'im', customer),
      name: get(col.name) || null,
      nickname: get(col.nickname) || (m.customerIds === 'taobao' ? customer : null),
      birthday: birthday.value,
      province: get(col.province) || null,
      city: get(col.city) || null,
      email,
      emailConsent: consent && email !== null,
      phone,
      smsConsent: consent && phone !== null,
    },
    createdAt: createdAt.value,
    paidAt: paidAt?.value ?? null,
    status,
    amount: amount.value,
    discount: discount?.ok ? discount.value : 0,
    channel: get(col.channel).slice(0, 100) || m.channel,
    items: [],
  });
}
