import {
  chinaMobile,
  customerIdFrom,
  type ImportedOrder,
  parseMoney,
  parseTimestamp,
  type RowResult,
  reject,
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

/** Platform times in the report are Beijing time. */
const ZONE = 'Asia/Shanghai';

export function taobaoRow(row: CsvRow): RowResult {
  const v = row.values;
  const orderId = v.订单编号 ?? '';
  if (!/^\d{6,}$/.test(orderId))
    return reject(row.line, `订单编号: expected the order number (digits), got "${orderId}"`);
  const buyer = v.买家会员名 ?? '';
  if (!buyer) return reject(row.line, '买家会员名: empty, cannot tell who bought');
  const createdAt = parseTimestamp(v.订单创建时间 ?? '', ZONE);
  if (!createdAt)
    return reject(
      row.line,
      `订单创建时间: expected a time like 2024-11-11 00:01:23, got "${v.订单创建时间 ?? ''}"`,
    );
  const paidText = v.订单付款时间 ?? '';
  const paidAt = paidText ? parseTimestamp(paidText, ZONE) : null;
  if (paidText && !paidAt)
    return reject(row.line, `订单付款时间: expected a time like 2024-11-11 00:01:23, got "${paidText}"`);
  const amount = parseMoney(v.买家实际支付金额 ?? '');
  if (amount === null || amount < 0)
    return reject(row.line, `买家实际支付金额: expected an amount, got "${v.买家实际支付金额 ?? ''}"`);
  const statusText = v.订单状态 ?? '';
  let status = STATUS[statusText];
  if (!status)
    return reject(
      row.line,
      `订单状态: unknown status "${statusText}"; expected one of ${Object.keys(STATUS).join(', ')}`,
    );
  if (status === 'closed' && paidAt) status = 'refunded';
  const total = parseMoney(v.总金额 ?? '');
  const [province, city] = (v.收货地址 ?? '').split(/\s+/);

  return {
    ok: true,
    order: {
      line: row.line,
      orderId,
      customer: {
        customerId: customerIdFrom('tb', buyer),
        name: v.收货人姓名 || null,
        province: province || null,
        city: city || null,
        email: null,
        emailConsent: false,
        phone: chinaMobile(v.联系手机 ?? ''),
        smsConsent: false,
      },
      createdAt,
      paidAt,
      status,
      amount,
      discount: total !== null && total > amount ? Math.round((total - amount) * 100) / 100 : 0,
      channel: 'taobao',
      items: [],
    },
  };
}
