import { col, rowDecoder } from '../../lake/row-decoder.ts';
import { sql } from '../../lake/sql.ts';
import { sqlStringList, sqlTimestamp } from '../../lake/sql-literals.ts';
import type { Warehouse } from '../../lake/warehouse.ts';
import type { BatchRecipient } from '../send-batch-message.ts';

/** Orders the call list shows per customer. */
const CALL_LIST_ORDERS = 3;
/** Customers per query (the IN list). */
const IN_LIST = 1_000;

const orderRow = rowDecoder("the call list's last orders", {
  customer_id: col.text,
  order_id: col.text,
  paid_at: col.text,
  amount: col.number,
});

/** The call list shows the customer's latest paid orders: one query per thousand customers. */
export async function withLastOrders(
  warehouse: Warehouse,
  list: BatchRecipient[],
  before: Date,
): Promise<void> {
  const byId = new Map(list.map((r) => [r.customerId, r]));
  for (let i = 0; i < list.length; i += IN_LIST) {
    const ids = list.slice(i, i + IN_LIST).map((r) => r.customerId);
    const { rows } = await warehouse.query(sql`SELECT customer_id, order_id, paid_at, amount FROM (
  SELECT customer_id, order_id, paid_at, amount,
    row_number() OVER (PARTITION BY customer_id ORDER BY paid_at DESC, order_id) AS n
  FROM orders WHERE status = 'paid' AND paid_at < ${sqlTimestamp(before)} AND customer_id IN ${sqlStringList(ids)}
) o WHERE n <= ${CALL_LIST_ORDERS} ORDER BY customer_id, n`);
    for (const row of rows.map(orderRow)) {
      const r = byId.get(row.customer_id);
      if (!r) continue;
      r.lastOrders = [
        ...(r.lastOrders ?? []),
        { orderId: row.order_id, at: row.paid_at, amount: row.amount },
      ];
    }
  }
}
