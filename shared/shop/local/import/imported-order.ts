import { createHash } from 'node:crypto';
import { calendarProblem, localToInstant, utcMillis } from '../../../time/zoned-time.ts';

/** The longest order id, customer id or sku an import takes, in every format (feeds, mapped files, product lists). */
export const MAX_ID_CHARS = 200;

/** One order as read from an export, before it is written to the lake. */
export interface ImportedOrder {
  line: number;
  orderId: string;
  customer: {
    customerId: string;
    name: string | null;
    /** Platform nickname (Taobao 买家会员名), kept for greetings; personal data. */
    nickname: string | null;
    /** Birthday as MM-DD, when the file gives it. */
    birthday?: string | null;
    province: string | null;
    city: string | null;
    email: string | null;
    emailConsent: boolean;
    phone: string | null;
    smsConsent: boolean;
  };
  createdAt: Date;
  paidAt: Date | null;
  /** Shipped and delivered (an order feed's `shipped`/`delivered` events); absent: not known. */
  shippedAt?: Date | null;
  deliveredAt?: Date | null;
  status: 'paid' | 'unpaid' | 'closed' | 'refunded';
  amount: number;
  discount: number;
  channel: string;
  items: { sku: string; name: string | null; category: string | null; quantity: number; unitPrice: number }[];
}

/** A customer known by id only: no name, address or consent (the lake's fields for them are kept). */
export function customerById(customerId: string): ImportedOrder['customer'] {
  return {
    customerId,
    name: null,
    nickname: null,
    province: null,
    city: null,
    email: null,
    emailConsent: false,
    phone: null,
    smsConsent: false,
  };
}

/** A row of the file as it was read: its line and its cells, for the rejects file. */
export interface SourceRow {
  line: number;
  cells: string[];
}

/**
 * What a format makes of the rows it has read: an order (from one row, or the rows that make it up), or a
 * row it rejects with the reason. `at` orders several versions of one order (an order feed's event time);
 * `itemsOnly` marks a row that adds line items to an order whose fields another row carries.
 */
export type RowResult =
  | { ok: true; order: ImportedOrder; rows: SourceRow[]; at?: number; itemsOnly?: boolean }
  | { ok: false; row: SourceRow; reason: string };

export const reject = (row: SourceRow, reason: string): RowResult => ({ ok: false, row, reason });

/** An order read from one row of the file: the row's line is the order's. */
export const accept = (row: SourceRow, order: Omit<ImportedOrder, 'line'>): RowResult => ({
  ok: true,
  rows: [row],
  order: { line: row.line, ...order },
});

/** A stable customer id from a platform identity, without keeping the identity itself in the id. */
export function customerIdFrom(prefix: string, identity: string): string {
  return `${prefix}-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

/** A field read from an export: its value, or why it cannot be used (the column name is added by the caller). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const TIMESTAMP =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s*(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * "2024-11-11 00:01:23" (or with / and T, seconds optional) in a zone, or with its own offset ("+0800",
 * "+08:00", "Z"). Nothing rolls over: 2025-02-30, 25:00, 10:61, 24:00 and year 0 are refused with the
 * reason, as is an offset beyond ±14:00.
 */
export function parseTimestamp(text: string, zone: string): Parsed<Date> {
  const v = text.trim();
  const m = TIMESTAMP.exec(v);
  if (!m) return { ok: false, problem: `expected a time like 2024-11-11 00:01:23, got "${v}"` };
  const [, y, mo, d, h, mi, s, zulu, sign, oh, om] = m;
  const fields = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s ?? 0),
  };
  const problem = calendarProblem(fields);
  if (problem) return { ok: false, problem: `"${v}" is not a time: ${problem}` };
  if (zulu) return { ok: true, value: new Date(utcMillis(fields)) };
  if (sign) {
    const minutes = Number(oh) * 60 + Number(om);
    if (Number(om) > 59 || minutes > 14 * 60)
      return { ok: false, problem: `"${v}" has no such offset from UTC (at most ±14:00)` };
    return { ok: true, value: new Date(utcMillis(fields) - (sign === '-' ? -1 : 1) * minutes * 60_000) };
  }
  const two = (n: number) => String(n).padStart(2, '0');
  const local = `${y}-${two(fields.month)}-${two(fields.day)}T${two(fields.hour)}:${two(fields.minute)}:${two(fields.second)}`;
  return { ok: true, value: localToInstant(local, zone) };
}

/** Orders are from this century's commerce, and not from the future (a day's slack for clocks and zones). */
const EARLIEST_ORDER = Date.UTC(1995, 0, 1);
const FUTURE_SLACK_MS = 24 * 3_600_000;

/** Why an order's times cannot be right (created in the future or before 1995, paid before created), or null. */
export function orderTimesProblem(createdAt: Date, paidAt: Date | null, now: Date): string | null {
  const day = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
  if (createdAt.getTime() < EARLIEST_ORDER)
    return `created ${day(createdAt)} UTC, before 1995: not an order time`;
  if (createdAt.getTime() > now.getTime() + FUTURE_SLACK_MS)
    return `created ${day(createdAt)} UTC, in the future (now is ${day(now)} UTC)`;
  if (paidAt && paidAt.getTime() < createdAt.getTime())
    return `paid ${day(paidAt)} UTC before it was created (${day(createdAt)} UTC)`;
  if (paidAt && paidAt.getTime() > now.getTime() + FUTURE_SLACK_MS)
    return `paid ${day(paidAt)} UTC, in the future (now is ${day(now)} UTC)`;
  return null;
}

const utc = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/**
 * Why an order's shipping times cannot be right (shipped or delivered but not paid, or before it was paid,
 * delivered before it was shipped, either in the future), naming the field as the format calls it; or null.
 */
export function shippingTimesProblem(
  o: Pick<ImportedOrder, 'paidAt' | 'shippedAt' | 'deliveredAt'>,
  field: { shippedAt: string; deliveredAt: string },
  now: Date,
): string | null {
  const { paidAt, shippedAt, deliveredAt } = o;
  // A shipping time in the future would have the shipping triggers answer it on that day, or never.
  for (const [name, at] of [
    [field.shippedAt, shippedAt],
    [field.deliveredAt, deliveredAt],
  ] as const)
    if (at && at.getTime() > now.getTime() + FUTURE_SLACK_MS)
      return `${name}: ${utc(at)}, in the future (now is ${utc(now)})`;
  const notPaid = (d: Date) =>
    paidAt ? (d < paidAt ? `before it was paid (${utc(paidAt)})` : null) : 'but not paid (no paid time)';
  if (shippedAt) {
    const p = notPaid(shippedAt);
    if (p) return `${field.shippedAt}: shipped ${utc(shippedAt)}, ${p}`;
  }
  if (deliveredAt && shippedAt && deliveredAt < shippedAt)
    return `${field.deliveredAt}: delivered ${utc(deliveredAt)}, before it was shipped (${utc(shippedAt)})`;
  if (deliveredAt) {
    const p = notPaid(deliveredAt);
    if (p) return `${field.deliveredAt}: delivered ${utc(deliveredAt)}, ${p}`;
  }
  return null;
}

/** The largest amount the lake's DECIMAL(12,2) money columns hold. */
export const MAX_MONEY = 9_999_999_999.99;

/** Money as exports write it: "1,299.00", "¥99", "99.9"; at most DECIMAL(12,2) and not negative. */
export function parseMoney(text: string): Parsed<number> {
  const v = text.trim().replace(/^[¥￥$]\s*/, '');
  // Thousands separators only in groups of three, at most two decimals: "1.299,00" or "12,50" (a decimal
  // comma) and "99.999" are refused, not read as 1.30, 1250 or 100.
  if (!/^(\d{1,3}(,\d{3})+|\d{1,20})(\.\d{1,2})?$/.test(v))
    return { ok: false, problem: `expected an amount like 1,299.00 (at most two decimals), got "${text}"` };
  return checkMoney(Number(v.replaceAll(',', '')), `"${text}"`);
}

/** A number from a feed as money: finite, not negative, at most what DECIMAL(12,2) holds; cents rounded. */
export function checkMoney(n: number, shown = String(n)): Parsed<number> {
  if (!Number.isFinite(n) || n < 0) return { ok: false, problem: `expected an amount ≥ 0, got ${shown}` };
  if (n > MAX_MONEY)
    return { ok: false, problem: `${shown} is more than an amount can be (at most 9,999,999,999.99)` };
  return { ok: true, value: Math.round(n * 100) / 100 };
}

/** Units on an order line: a whole number from 1 to 1,000,000. */
export function parseQuantity(text: string): Parsed<number> {
  const v = text.trim();
  const n = /^\d{1,7}$/.test(v) ? Number(v) : Number.NaN;
  return n >= 1 && n <= 1_000_000
    ? { ok: true, value: n }
    : { ok: false, problem: `expected a whole number from 1 to 1,000,000, got "${v}"` };
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

/**
 * A birthday as exports write it — a date (1990-03-08, 1990/3/8) or a month and day (03-08, 3-8, 3月8日)
 * — as MM-DD; 02-29 is a birthday. A day the calendar does not have (02-30, 13-01) is refused.
 */
export function parseBirthday(text: string): Parsed<string> {
  const v = text.trim();
  const m =
    /^(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})$/.exec(v) ?? /^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日?$/.exec(v);
  if (!m) return { ok: false, problem: `expected a birthday like 1990-03-08 or 03-08, got "${v}"` };
  const [month, day] = [Number(m[2]), Number(m[3])];
  const year = m[1] ? Number(m[1]) : 2000; // a leap year: 02-29 is a day
  const problem = calendarProblem({ year, month, day, hour: 0, minute: 0, second: 0 });
  if (problem) return { ok: false, problem: `"${v}" is not a birthday: ${problem}` };
  return { ok: true, value: `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}
