import { createHash } from 'node:crypto';
import { localToInstant } from '../../time/zoned-time.ts';

/** One order as read from an export, before it is written to the lake. */
export interface ImportedOrder {
  line: number;
  orderId: string;
  customer: {
    customerId: string;
    name: string | null;
    province: string | null;
    city: string | null;
    email: string | null;
    emailConsent: boolean;
    phone: string | null;
    smsConsent: boolean;
  };
  createdAt: Date;
  paidAt: Date | null;
  status: 'paid' | 'unpaid' | 'closed' | 'refunded';
  amount: number;
  discount: number;
  channel: string;
  items: { sku: string; name: string | null; category: string | null; quantity: number; unitPrice: number }[];
}

export type RowResult = { ok: true; order: ImportedOrder } | { ok: false; line: number; reason: string };

export const reject = (line: number, reason: string): RowResult => ({ ok: false, line, reason });

/** A stable customer id from a platform identity, without keeping the identity itself in the id. */
export function customerIdFrom(prefix: string, identity: string): string {
  return `${prefix}-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

/** "2024-11-11 00:01:23" (or with / and T, seconds optional) in a zone, or with its own offset. */
export function parseTimestamp(text: string, zone: string): Date | null {
  const v = text.trim();
  if (!v) return null;
  const m =
    /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2}:?\d{2}|Z)?$/.exec(v);
  if (!m) return null;
  const two = (s: string | undefined) => (s ?? '0').padStart(2, '0');
  const local = `${m[1]}-${two(m[2])}-${two(m[3])}T${two(m[4])}:${m[5]}:${two(m[6])}`;
  if (m[7]) {
    const offset = m[7] === 'Z' ? 'Z' : m[7].includes(':') ? m[7] : `${m[7].slice(0, 3)}:${m[7].slice(3)}`;
    const d = new Date(`${local}${offset}`);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const d = localToInstant(local, zone);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Money as exports write it: "1,299.00", "¥99", "99.9"; null when it is not a number. */
export function parseMoney(text: string): number | null {
  const v = text.replace(/[,¥￥$\s]/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(v)) return null;
  return Math.round(Number(v) * 100) / 100;
}

/** A Chinese mobile number in E.164; masked (138****1234) or malformed numbers give null. */
export function chinaMobile(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '').replace(/^(\+?86)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? `+86${digits}` : null;
}

export function emailOrNull(text: string): string | null {
  const v = text.trim();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? v.toLowerCase() : null;
}
