import type { QuietWindow } from '../../campaign/contact-policy-schema.ts';
import { instantToLocal, zoneOffsetMs } from '../../time/zoned-time.ts';
import { decideQuietHours } from '../contact-policy/quiet-hours.ts';
import { type CallListEntry, maskPhone } from './call-list-writer.ts';

/**
 * The call list as service staff work from it: a CSV that opens in Excel on a Chinese system (UTF-8
 * with a byte-order mark: Excel reads a CSV without one in the system's code page, GBK, and shows
 * mojibake), Chinese headers, one row per customer to call, the phone masked — or, in the separate
 * access-controlled export, in full — and an empty 结果 (outcome) column that `campaign calls record`
 * reads back as response events (shared/responses/call-outcomes.ts), matched by 发送编号 (the send id).
 */
export const BOM = '\uFEFF';

/** The columns, in order. The send id comes first: it is what an outcome is recorded against. */
export const SHEET_COLUMNS = [
  '发送编号',
  '客户编号',
  '客户',
  '手机',
  '会员等级',
  '价值层级',
  '省份',
  '城市',
  '建议致电时间',
  '活动',
  '波次',
  '优惠',
  '版本',
  '最近订单',
  '话术',
  '结果',
] as const;

export const SHEET_HEADER = SHEET_COLUMNS.join(',');

/** The shop's membership levels (customers.member_tier) as staff say them. */
export const MEMBER_TIER_NAMES: Record<string, string> = {
  normal: '普通会员',
  silver: '银卡会员',
  gold: '金卡会员',
  diamond: '钻石会员',
};

export function memberTierName(tier: string | null): string {
  if (!tier) return '';
  return MEMBER_TIER_NAMES[tier] ?? tier;
}

/** A phone number in full, as the dialling export shows it: "(+86) 13812345678" (no formula, kept as text). */
export function fullPhone(phone: string): string {
  const m = /^\+(86|1|\d{2,3}?)(\d{7,})$/.exec(phone.replace(/[\s-]/g, ''));
  return m ? `(+${m[1]}) ${m[2]}` : phone;
}

function cell(value: string): string {
  // Quote always; a leading = + - @ (or a tab / carriage return) would be a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** A cell's value as written: without the quote that neutralised a formula. */
export function sheetValue(cellText: string): string {
  return cellText.replace(/^'(?=[=+\-@\t\r])/, '');
}

/** One sheet row's cells, in SHEET_COLUMNS order; the phone masked unless `phones` is 'full'. */
export function sheetCells(e: CallListEntry, phones: 'masked' | 'full'): string[] {
  const orders = e.lastOrders
    .map((o) => `${o.at.slice(0, 10)} ${o.orderId} ¥${o.amount.toFixed(2)}`)
    .join('; ');
  return [
    e.sendId,
    e.customerId,
    e.name ?? '',
    phones === 'full' ? fullPhone(e.phone) : maskPhone(e.phone),
    memberTierName(e.memberTier),
    e.tier ?? '',
    e.province ?? '',
    e.city ?? '',
    e.callAt,
    e.campaignName,
    e.waveName,
    e.offer ?? '',
    e.variant ?? '',
    orders,
    e.talkingPoints,
    '',
  ];
}

/** Cells as CSV lines (quoted, formula-safe). */
export function csvLines(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => `${r.map(cell).join(',')}\n`).join('');
}

/** The sheet's text: with the BOM and the header line if `header`, then one line per entry. */
export function callListCsv(
  entries: readonly CallListEntry[],
  header: boolean,
  phones: 'masked' | 'full' = 'masked',
): string {
  return `${header ? `${BOM}${SHEET_HEADER}\n` : ''}${csvLines(entries.map((e) => sheetCells(e, phones)))}`;
}

const HALF_HOUR = 30 * 60_000;

/**
 * When staff should call: the first half hour of the customer's local clock at or after `from` that is
 * outside the call list's quiet hours in their zone (the window's end when the half hour falls inside).
 */
export function suggestedCallTime(from: Date, window: QuietWindow | null | undefined, zone: string): Date {
  const offset = zoneOffsetMs(from, zone);
  const local = from.getTime() + offset;
  const rounded = new Date(Math.ceil(local / HALF_HOUR) * HALF_HOUR - offset);
  if (!window) return rounded;
  const d = decideQuietHours(rounded, window, zone);
  return d.kind === 'defer' ? d.until : rounded;
}

/** A suggested time as staff read it: local "YYYY-MM-DD HH:mm", with the zone when not the campaign's. */
export function formatCallTime(at: Date, zone: string, campaignZone: string): string {
  const local = instantToLocal(at, zone).replace('T', ' ');
  return zone === campaignZone ? local : `${local} (${zone})`;
}
