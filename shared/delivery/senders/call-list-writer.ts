import type { SendResult } from './send-result.ts';

/** The call list port: the top value tier goes to service staff instead of a message. */
export interface CallListEntry {
  sendId: string;
  campaignId: string;
  waveId: string;
  /** The campaign's and wave's names as staff know them (the ids when a wave has no name). */
  campaignName: string;
  waveName: string;
  /** The wave's offer in a few words (title, minimum spend, code), or null. */
  offer: string | null;
  variant: string | null;
  customerId: string;
  name: string | null;
  /** E.164; masked in every file but the access-controlled dialling export. */
  phone: string;
  /** The shop's membership level (customers.member_tier) and the wave's value tier. */
  memberTier: string | null;
  tier: string | null;
  province: string | null;
  city: string | null;
  /** When to call, in the customer's local time, outside the call list's quiet hours (call-list-sheet.ts). */
  callAt: string;
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
