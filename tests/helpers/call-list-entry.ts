import type { CallListEntry } from '../../shared/delivery/senders/call-list-writer.ts';

/** One call-list entry with every column filled (and a name that would be a formula). */
export const ENTRY: CallListEntry = {
  sendId: 'd11/vip/c1',
  campaignId: 'd11',
  waveId: 'vip',
  campaignName: '双11 2026',
  waveName: '双11零点：老客返现',
  offer: '老客返现20元（满199可用）',
  variant: 'urgency',
  customerId: 'c1',
  name: '=HYPERLINK("http://evil")',
  phone: '+8613812345678',
  memberTier: 'diamond',
  tier: 'vip',
  province: '浙江省',
  city: '杭州市',
  callAt: '2026-11-11 09:00',
  lastOrders: [{ orderId: 'o1', at: '2026-11-01 10:00:00', amount: 399 }],
  talkingPoints: '感谢支持, "双11" 老客返现',
};
