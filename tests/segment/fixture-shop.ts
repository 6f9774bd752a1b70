/**
 * A hand-built shop for known-answer tests of the segment language. Times are UTC; the run is
 * 2026-11-11 00:00 in Asia/Shanghai = 2026-11-10 16:00 UTC. The expected ids in segment-predicates.test.ts
 * were worked out by hand from these rows (see the comments there), not computed by the code under test.
 */
export const RUN_AT = new Date('2026-11-10T16:00:00Z');

const customer = (
  id: string,
  province: string,
  city_tier: number,
  gender: string,
  age_band: string,
  member_tier: string,
  acquisition_channel: string,
) => ({
  customer_id: id,
  name: id,
  province,
  city: '',
  city_tier,
  gender,
  age_band,
  member_tier,
  acquisition_channel,
});

export const CUSTOMERS = [
  {
    ...customer('c01', '浙江省', 2, 'F', '26-30', 'gold', '聚划算'),
    email: 'c01@example.com',
    email_consent: true,
    phone: '+8613800000001',
    sms_consent: true,
  },
  {
    ...customer('c02', '广东省', 1, 'M', '31-35', 'normal', 'organic'),
    email: null,
    email_consent: false,
    phone: '+8613800000002',
    sms_consent: true,
  },
  {
    ...customer('c03', '北京市', 1, 'F', '18-25', 'silver', '淘抢购'),
    email: 'c03@example.com',
    email_consent: false,
    phone: '+8613800000003',
    sms_consent: false,
  },
  {
    ...customer('c04', '黑龙江省', 3, 'U', '41-50', 'normal', 'organic'),
    email: 'c04@example.com',
    email_consent: true,
    phone: null,
    sms_consent: false,
  },
  {
    ...customer('c05', '广东省', 1, 'F', '36-40', 'diamond', '直播'),
    email: 'c05@example.com',
    email_consent: true,
    phone: '+8613800000005',
    sms_consent: true,
  },
  {
    ...customer('c06', '四川省', 2, 'M', '51+', 'normal', '天天特价'),
    email: null,
    email_consent: false,
    phone: '+8613800000006',
    sms_consent: true,
  },
  {
    ...customer('c07', '上海市', 1, 'F', '26-30', 'normal', 'organic'),
    email: 'c07@example.com',
    email_consent: true,
    phone: '+8613800000007',
    sms_consent: true,
  },
  {
    ...customer('c08', '江苏省', 2, 'F', '31-35', 'normal', 'organic'),
    email: null,
    email_consent: false,
    phone: '+8613800000008',
    sms_consent: true,
  },
];

const order = (
  order_id: string,
  customer_id: string,
  created_at: string,
  status: string,
  amount: number,
) => ({
  order_id,
  customer_id,
  created_at,
  paid_at: status === 'paid' || status === 'refunded' ? created_at : null,
  status,
  amount,
  discount: 0,
  channel: 'organic',
  source: 'fixture',
});

export const ORDERS = [
  order('o01', 'c01', '2026-11-01 02:00:00', 'paid', 100),
  order('o02', 'c01', '2025-11-05 02:00:00', 'paid', 300),
  order('o03', 'c01', '2025-06-10 02:00:00', 'paid', 50),
  order('o04', 'c02', '2026-05-01 02:00:00', 'paid', 200),
  order('o05', 'c03', '2025-09-01 02:00:00', 'paid', 600),
  order('o14', 'c03', '2025-12-01 02:00:00', 'paid', 40),
  order('o06', 'c04', '2026-08-15 02:00:00', 'paid', 80),
  order('o07', 'c04', '2026-09-10 02:00:00', 'paid', 80),
  order('o08', 'c05', '2024-11-11 00:00:00', 'paid', 1000),
  order('o09', 'c05', '2026-04-20 02:00:00', 'paid', 120),
  order('o10', 'c07', '2026-11-10 10:00:00', 'unpaid', 99),
  order('o11', 'c07', '2026-10-01 02:00:00', 'closed', 50),
  order('o12', 'c08', '2026-09-25 02:00:00', 'paid', 45),
  order('o13', 'c02', '2026-10-30 02:00:00', 'refunded', 70),
];

const item = (
  order_id: string,
  sku: string,
  category: string,
  launch_date: string,
  quantity: number,
  unit_price: number,
) => {
  const o = ORDERS.find((x) => x.order_id === order_id);
  if (!o) throw new Error(order_id);
  return {
    order_id,
    line_no: 1,
    customer_id: o.customer_id,
    created_at: o.created_at,
    order_status: o.status,
    sku,
    category,
    season: 'all',
    launch_date,
    quantity,
    unit_price,
  };
};

export const ORDER_ITEMS = [
  item('o01', 'tshirt-2026S-01', 'tshirt', '2026-04-15', 1, 100),
  item('o02', 'trousers-2025A-01', 'trousers', '2025-03-01', 2, 150),
  item('o03', 'socks-2025A-01', 'socks', '2025-03-01', 5, 10),
  item('o04', 'skirt-2026S-01', 'skirt', '2026-04-15', 1, 200),
  item('o05', 'coat-2025A-01', 'coat', '2025-08-10', 1, 600),
  item('o14', 'knitwear-2025W-01', 'knitwear', '2025-10-01', 1, 40),
  item('o06', 'detergent-2026A-01', 'detergent', '2026-03-01', 2, 40),
  item('o07', 'detergent-2026A-01', 'detergent', '2026-03-01', 2, 40),
  item('o08', 'down-jacket-2024W-01', 'down-jacket', '2024-10-01', 1, 1000),
  item('o09', 'tshirt-2026S-02', 'tshirt', '2026-04-15', 1, 120),
  item('o10', 'tshirt-2026S-01', 'tshirt', '2026-04-15', 1, 99),
  item('o12', 'detergent-2026A-01', 'detergent', '2026-03-01', 1, 45),
];

export const SENDS = [
  {
    send_id: 'd11/preheat/c01',
    campaign_id: 'd11',
    wave_id: 'preheat',
    customer_id: 'c01',
    category: 'marketing',
    channel: 'sms',
    status: 'sent',
    planned_at: '2026-10-25 02:00:00',
    sent_at: '2026-10-25 02:00:00',
  },
  {
    send_id: 'd11/preheat/c02',
    campaign_id: 'd11',
    wave_id: 'preheat',
    customer_id: 'c02',
    category: 'marketing',
    channel: null,
    status: 'suppressed',
    reason: 'cap',
    planned_at: '2026-10-25 02:00:00',
    sent_at: null,
  },
  {
    send_id: 'd11/preheat/c03',
    campaign_id: 'd11',
    wave_id: 'preheat',
    customer_id: 'c03',
    category: 'marketing',
    channel: 'email',
    status: 'sent',
    planned_at: '2026-10-25 02:00:00',
    sent_at: '2026-10-25 02:00:00',
  },
];

export const EVENTS = [
  {
    event_id: 'e1',
    event_type: 'delivered',
    campaign_id: 'd11',
    wave_id: 'preheat',
    customer_id: 'c01',
    channel: 'sms',
    send_id: 'd11/preheat/c01',
    occurred_at: '2026-10-25 02:01:00',
  },
  {
    event_id: 'e2',
    event_type: 'clicked',
    campaign_id: 'd11',
    wave_id: 'preheat',
    customer_id: 'c01',
    channel: 'sms',
    send_id: 'd11/preheat/c01',
    occurred_at: '2026-10-25 03:00:00',
  },
  {
    event_id: 'e3',
    event_type: 'delivered',
    campaign_id: 'd11',
    wave_id: 'preheat',
    customer_id: 'c03',
    channel: 'email',
    send_id: 'd11/preheat/c03',
    occurred_at: '2026-10-25 02:05:00',
  },
];

export const FIXTURE = {
  customers: CUSTOMERS,
  orders: ORDERS,
  order_items: ORDER_ITEMS,
  sends: SENDS,
  events: EVENTS,
};
