import {
  accept,
  chinaMobile,
  customerIdFrom,
  type ImportedOrder,
  orderTimesProblem,
  parseMoney,
  parseTimestamp,
  type RowResult,
  reject,
  shippingTimesProblem,
} from './imported-order.ts';
import type { CsvRow } from './read-csv.ts';

/** Columns of the Taobao/Tmall seller-centre order report (订单报表) that the import needs. */
export const TAOBAO_REQUIRED = [
  '订单编号',
  '买家会员名',
  '买家实际支付金额',
  '订单状态',
  '订单创建时间',
] as const;

/** 订单状态 → our status. A closed order that had been paid was refunded. */
const STATUS: Record<string, ImportedOrder['status']> = {
  交易成功: 'paid',
  '买家已付款，等待卖家发货': 'paid',
  '卖家已发货，等待买家确认': 'paid',
  买家已付款: 'paid',
  等待买家付款: 'unpaid',
  交易关闭: 'closed',
};

/** Columns of the order report that may mark a promotion, and the marks; the first mark found is the channel. */
export const CHANNEL_COLUMNS = ['订单类型', '营销活动', '活动', '订单标签', '宝贝标题', '订单备注'] as const;
export const CHANNEL_MARKS = ['聚划算', '淘抢购', '天天特价', '直播', '百亿补贴', '预售'] as const;

/** The order's own channel from its promotion marks, else `taobao`. */
export function taobaoChannel(values: Record<string, string>): string {
  for (const column of CHANNEL_COLUMNS) {
    const text = values[column] ?? '';
    const mark = CHANNEL_MARKS.find((m) => text.includes(m));
    if (mark) return mark;
  }
  return 'taobao';
}

/** Platform times in the report are Beijing time. */
const ZONE = 'Asia/Shanghai';

/** 订单状态 of an order that has been shipped. */
const SHIPPED_STATES: readonly string[] = ['卖家已发货，等待买家确认', '交易成功'];

/** An optional time column: its time where the status allows one, else null (an empty cell: not known). */
function optionalTime(
  text: string | undefined,
  applies: boolean,
): { ok: true; value: Date | null } | { ok: false; problem: string } {
  if (!text?.trim() || !applies) return { ok: true, value: null };
  const t = parseTimestamp(text, ZONE);
  return t.ok ? { ok: true, value: t.value } : t;
}

export function taobaoRow(row: CsvRow, now: Date): RowResult {
  const v = row.values;
  const orderId = v.订单编号 ?? '';
  if (!/^\d{6,30}$/.test(orderId))
    return reject(row, `订单编号: expected the order number (digits), got "${orderId}"`);
  const buyer = v.买家会员名 ?? '';
  if (!buyer) return reject(row, '买家会员名: empty, cannot tell who bought');
  const createdAt = parseTimestamp(v.订单创建时间 ?? '', ZONE);
  if (!createdAt.ok) return reject(row, `订单创建时间: ${createdAt.problem}`);
  const paidText = v.订单付款时间 ?? '';
  const paidAt = paidText ? parseTimestamp(paidText, ZONE) : null;
  if (paidAt && !paidAt.ok) return reject(row, `订单付款时间: ${paidAt.problem}`);
  const times = orderTimesProblem(createdAt.value, paidAt?.value ?? null, now);
  if (times) return reject(row, `订单创建时间/订单付款时间: ${times}`);
  const amount = parseMoney(v.买家实际支付金额 ?? '');
  if (!amount.ok) return reject(row, `买家实际支付金额: ${amount.problem}`);
  const statusText = v.订单状态 ?? '';
  let status = STATUS[statusText];
  if (!status)
    return reject(
      row,
      `订单状态: unknown status "${statusText}"; expected one of ${Object.keys(STATUS).join(', ')}`,
    );
  if (status === 'closed' && paidAt) status = 'refunded';
  // Shipping times, when the report has the columns: 发货时间 once shipped, 确认收货时间 once the buyer confirmed.
  const shipped = optionalTime(v.发货时间, SHIPPED_STATES.includes(statusText) || status === 'refunded');
  if (!shipped.ok) return reject(row, `发货时间: ${shipped.problem}`);
  const delivered = optionalTime(v.确认收货时间, statusText === '交易成功' || status === 'refunded');
  if (!delivered.ok) return reject(row, `确认收货时间: ${delivered.problem}`);
  const shipping = shippingTimesProblem(
    { paidAt: paidAt?.value ?? null, shippedAt: shipped.value, deliveredAt: delivered.value },
    { shippedAt: '发货时间', deliveredAt: '确认收货时间' },
    now,
  );
  if (shipping) return reject(row, shipping);
  const totalText = v.总金额 ?? '';
  const total = totalText ? parseMoney(totalText) : null;
  if (total && !total.ok) return reject(row, `总金额: ${total.problem}`);
  const [province, city] = (v.收货地址 ?? '').split(/\s+/);

  return accept(row, {
    orderId,
    customer: {
      customerId: customerIdFrom('tb', buyer),
      name: v.收货人姓名 || null,
      nickname: buyer,
      province: province || null,
      city: city || null,
      email: null,
      emailConsent: false,
      phone: chinaMobile(v.联系手机 ?? ''),
      smsConsent: false,
    },
    createdAt: createdAt.value,
    paidAt: paidAt?.value ?? null,
    shippedAt: shipped.value,
    deliveredAt: delivered.value,
    status,
    amount: amount.value,
    discount:
      total?.ok && total.value > amount.value ? Math.round((total.value - amount.value) * 100) / 100 : 0,
    channel: taobaoChannel(v),
    items: [],
  });
}
