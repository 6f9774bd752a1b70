import type { SendResult } from './email-sender.ts';

/** The call list port: the top value tier goes to service staff instead of a message. */
export interface CallListEntry {
  sendId: string;
  campaignId: string;
  waveId: string;
  customerId: string;
  name: string | null;
  phone: string;
  tier: string | null;
  lastOrders: { orderId: string; at: string; amount: number }[];
  talkingPoints: string;
}

export interface CallListWriter {
  add(entries: readonly CallListEntry[]): Promise<SendResult[]>;
}

/**
 * A phone number as staff see it: country code, first three and last four digits
 * (+8613812345678 → (+86) 138****5678). They call through the platform's number-privacy service.
 */
export function maskPhone(phone: string): string {
  const m = /^\+(86|1|\d{2,3}?)(\d{3})(\d*)(\d{4})$/.exec(phone.replace(/[\s-]/g, ''));
  if (!m) return '****';
  return `(+${m[1]}) ${m[2]}${'*'.repeat(Math.max(4, (m[3] ?? '').length))}${m[4]}`;
}
