import { suppressChange } from '../delivery/contact-policy/claim.ts';
import type { ContactStore } from '../delivery/contact-policy/contact-store.ts';
import { type TableRecord, type TableWriter, tableTimestamp } from '../lake/table-writer.ts';
import {
  type EventRow,
  type Normalized,
  normalizeLinkEvent,
  normalizeSesEvent,
  normalizeSmsReceipt,
  type Suppression,
} from './response-events.ts';

export type ResponseInput =
  | { source: 'ses'; record: unknown }
  | { source: 'sms-receipt'; record: unknown }
  | { source: 'link'; record: unknown };

export interface IngestDeps {
  /** The events table. */
  events: TableWriter;
  /** The suppressions table (what the audience query excludes). */
  suppressions: TableWriter;
  /** The contact store (what stops a claim at once, before the next audience query). */
  contacts: ContactStore;
}

export interface IngestReport {
  received: number;
  accepted: number;
  /** Rejected inputs per reason: received = accepted + rejected, always. */
  rejected: Record<string, number>;
  suppressed: number;
}

export function eventRecord(e: EventRow): TableRecord {
  return {
    event_id: e.eventId,
    event_type: e.eventType,
    campaign_id: e.campaignId,
    wave_id: e.waveId,
    customer_id: e.customerId,
    channel: e.channel,
    send_id: e.sendId,
    message_id: e.messageId,
    occurred_at: tableTimestamp(e.occurredAt),
    detail: e.detail,
    source: e.source,
    sku: e.sku,
    dt: e.occurredAt.toISOString().slice(0, 10),
  };
}

function suppressionRecord(s: Suppression): TableRecord {
  return {
    customer_id: s.customerId,
    channel: s.channel,
    reason: s.reason,
    created_at: tableTimestamp(s.at),
  };
}

function normalize(input: ResponseInput): Normalized {
  if (input.source === 'ses') return normalizeSesEvent(input.record);
  if (input.source === 'sms-receipt') return normalizeSmsReceipt(input.record);
  return normalizeLinkEvent(input.record);
}

/**
 * Writes a batch of response events back: each input normalized to an events row, or rejected with its
 * reason and counted (one bad record never fails the batch). Bounces, complaints and unsubscribes are
 * suppressed at once — in the contact store, so no claim passes from now on, and in the suppressions
 * table, so the next audience query leaves the customer out — before the events are written.
 */
export async function ingestEvents(
  deps: IngestDeps,
  inputs: readonly ResponseInput[],
): Promise<IngestReport> {
  const report: IngestReport = { received: inputs.length, accepted: 0, rejected: {}, suppressed: 0 };
  const events: EventRow[] = [];
  const suppressions: Suppression[] = [];
  for (const input of inputs) {
    const n = normalize(input);
    if (!n.ok) {
      report.rejected[n.reason] = (report.rejected[n.reason] ?? 0) + 1;
      continue;
    }
    events.push(n.event);
    if (n.suppress) suppressions.push(n.suppress);
    report.accepted += 1;
  }
  report.suppressed = await writeResponses(deps, events, suppressions);
  return report;
}

/** Suppressions first (contact store, then the suppressions table), then the events; returns how many suppressed. */
export async function writeResponses(
  deps: IngestDeps,
  events: readonly EventRow[],
  suppressions: readonly Suppression[],
): Promise<number> {
  const applied = suppressions.filter((s) => s.channel !== 'call-list');
  await deps.contacts.apply(
    applied.map((s) => suppressChange(s.customerId, s.channel as 'email' | 'sms' | 'any', s.reason, s.at)),
  );
  await deps.suppressions.append(applied.map(suppressionRecord));
  await deps.events.append(events.map(eventRecord));
  return applied.length;
}
