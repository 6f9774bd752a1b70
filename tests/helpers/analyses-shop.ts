/**
 * A hand-written shop for the shop analyses (docs/analyses.md); tests/shop/shop-analyses.test.ts counts
 * each view's figures on it by hand.
 *
 * Purchases (paid orders; times 10:00 UTC):
 *   a (浙江省, silver, registered 2025-01-05): a1 01-05 ¥100, a2 01-20 ¥50, a3 03-10 ¥200, a4 03-12 ¥20
 *   b (浙江省, normal, registered 2025-01-20): b1 01-20 ¥80, b3 02-16 ¥30 (b2 01-25 refunded: no purchase)
 *   c (广东省, gold, registered 2025-02-03):   c1 2025-02-03 ¥300, c2 2026-02-05 ¥120 (367 days later)
 *   d (广东省, normal):                        d1 02-10 closed, never paid: not a buyer
 *   e (北京市, normal, registered 2025-03-01): e1 03-03 ¥10
 * The data ends with c2 (2026-02-05): windows after it are incomplete.
 */
const customer = (id: string, province: string, tier: string, registered: string) => ({
  customer_id: id,
  province,
  member_tier: tier,
  registered_at: `${registered} 09:00:00`,
});
const order = (id: string, who: string, day: string, amount: number, status = 'paid') => ({
  order_id: id,
  customer_id: who,
  created_at: `${day} 10:00:00`,
  paid_at: status === 'paid' || status === 'refunded' ? `${day} 10:00:00` : null,
  status,
  amount,
});

export const ANALYSES_SHOP = {
  customers: [
    customer('a', '浙江省', 'silver', '2025-01-05'),
    customer('b', '浙江省', 'normal', '2025-01-20'),
    customer('c', '广东省', 'gold', '2025-02-03'),
    customer('d', '广东省', 'normal', '2025-02-10'),
    customer('e', '北京市', 'normal', '2025-03-01'),
  ],
  orders: [
    order('a1', 'a', '2025-01-05', 100),
    order('a2', 'a', '2025-01-20', 50),
    order('a3', 'a', '2025-03-10', 200),
    order('a4', 'a', '2025-03-12', 20),
    order('b1', 'b', '2025-01-20', 80),
    order('b2', 'b', '2025-01-25', 80, 'refunded'),
    order('b3', 'b', '2025-02-16', 30),
    order('c1', 'c', '2025-02-03', 300),
    order('c2', 'c', '2026-02-05', 120),
    order('d1', 'd', '2025-02-10', 40, 'closed'),
    order('e1', 'e', '2025-03-03', 10),
  ],
};
