import type { LedgerRow } from '../../shared/delivery/ledger/ledger.ts';

/** When the sample wave was planned: the rows' `plannedAt`, so their `dt` is 2026-11-10. */
export const SAMPLE_PLANNED_AT = new Date('2026-11-10T16:00:00Z');

/** A sent SMS of Double-11's wave w1 to the customer, in the treatment arm; `over` changes any field. */
export const sampleLedgerRow = (customerId: string, over: Partial<LedgerRow> = {}): LedgerRow => ({
  sendId: `d11/w1/${customerId}`,
  campaignId: 'd11',
  waveId: 'w1',
  customerId,
  segment: 'lapsed',
  category: 'marketing',
  channel: 'sms',
  variant: null,
  status: 'sent',
  reason: null,
  smsSegments: 2,
  cost: 0.09,
  messageId: `m-${customerId}`,
  plannedAt: SAMPLE_PLANNED_AT,
  sentAt: new Date('2026-11-11T00:00:01.250Z'),
  arm: 'treatment',
  ...over,
});
