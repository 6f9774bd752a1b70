import { mergeOrdersIntoLake } from '../../shop/local/import/import-orders.ts';
import { customerById } from '../../shop/local/import/imported-order.ts';
import type { Payment } from '../simulate-responses.ts';

/**
 * Records simulated payments of unpaid orders in the local lake: the same merge by order id as an order
 * feed's `paid` events (campaign data import --format order-events), so the order's lines keep their
 * place and take the paid status.
 */
export async function payOrdersInLake(dataDir: string, payments: readonly Payment[]): Promise<void> {
  await mergeOrdersIntoLake(
    dataDir,
    payments.map((p) => ({
      line: 0,
      orderId: p.orderId,
      customer: customerById(p.customerId),
      createdAt: p.createdAt,
      paidAt: p.paidAt,
      status: 'paid',
      amount: p.amount,
      discount: p.discount,
      channel: p.channel,
      items: [],
    })),
    'simulation',
  );
}
