import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { waveSegment } from '../../campaign/campaign-schema.ts';
import type { Channel } from '../../campaign/contact-policy-schema.ts';
import { sql } from '../../lake/sql.ts';
import { sqlString } from '../../lake/sql-literals.ts';
import type { Warehouse } from '../../lake/warehouse.ts';
import type { ScheduledWave } from '../campaign-catalog.ts';
import { type ContactChange, type CustomerContacts, claimMark, markChange } from '../contact-policy/claim.ts';
import type { JournalContactStore } from '../contact-policy/local/journal-contact-store.ts';
import type { LedgerRow } from '../ledger/ledger.ts';
import type { LedgerWriter } from '../ledger/ledger-writer.ts';
import { chooseVariant } from '../render/choose-variant.ts';
import { localMessageId } from '../senders/local/outbox.ts';
import { smsLength } from '../sms-segments.ts';

/** One message of a wave found in the local outbox. */
export interface OutboxEntry {
  sendId: string;
  customerId: string;
  channel: Channel;
  messageId: string;
  /** When the outbox wrote it; null for the call list, which keeps no time. */
  at: Date | null;
  /** The SMS text, which sets its segments and cost. */
  text?: string;
}

export interface RecoveryReport {
  /** Messages in the outbox the ledger did not record as sent: now recorded `sent` with their cost. */
  recorded: number;
  /** Claims left open without a message in the outbox: reopened, so the wave's re-run sends them. */
  reopened: number;
}

export interface RecoveryDeps {
  contacts: JournalContactStore;
  ledger: LedgerWriter;
  warehouse: Warehouse;
  outboxDir: string;
}

/**
 * Makes the ledger and the contact store agree with the outbox after a process died mid-wave, before the
 * wave runs again. On one machine the outbox is the provider, written synchronously per batch before the
 * ledger: a message in it was sent. So each message of the wave in the outbox that the ledger lacks as
 * sent is recorded `sent` (arm treatment) with the cost of what was written (an SMS by its segments) and
 * its claim marked sent — rather than `failed: interrupted`, as the send handler must record an open claim
 * whose outcome it cannot know (on AWS, SES cannot be asked). A claim still open with no message in the
 * outbox was never sent: it is reopened (`retrying`), and the re-run sends it once.
 */
export async function recoverInterruptedWave(
  deps: RecoveryDeps,
  sw: ScheduledWave,
  /** The variants a rollout wave's decision picked (its run's `rollout`), else every variant. */
  picked?: readonly string[],
): Promise<RecoveryReport> {
  const { campaign, wave } = sw;
  const prefix = `${campaign.id}/${wave.id}/`;
  const outbox = await readWaveOutbox(deps.outboxDir, sw);
  const { rows } = await deps.warehouse.query(
    sql`SELECT DISTINCT send_id FROM sends WHERE campaign_id = ${sqlString(campaign.id)} AND wave_id = ${sqlString(wave.id)} AND status = 'sent'`,
  );
  const recorded = new Set(rows.map((r) => String(r.send_id)));
  const missing = outbox.filter((e) => !recorded.has(e.sendId));
  await deps.ledger.append(missing.map((e) => sentRow(sw, e, picked)));
  await deps.ledger.flush();
  // Every message in the outbox is sent: its claim says so (whether or not the ledger had it).
  for (let i = 0; i < outbox.length; i += CHUNK)
    await deps.contacts.apply(
      outbox.slice(i, i + CHUNK).map((e) => markChange(e.customerId, e.sendId, 'sent', e.at ?? sw.start)),
    );
  const inOutbox = new Set(outbox.map((e) => e.sendId));
  const ids = deps.contacts.customerIds();
  let reopened = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const changed = await deps.contacts.apply(
      ids.slice(i, i + CHUNK).map((id) => reopenChange(id, `${prefix}${id}`, inOutbox, sw.start)),
    );
    reopened += changed.filter(Boolean).length;
  }
  return { recorded: missing.length, reopened };
}

const CHUNK = 5_000;

/** A claim of this wave left `claimed` (never confirmed) whose message is not in the outbox → retrying. */
function reopenChange(
  customerId: string,
  sendId: string,
  inOutbox: ReadonlySet<string>,
  at: Date,
): ContactChange<boolean> {
  return {
    customerId,
    at,
    decide: (s: CustomerContacts) => {
      if (claimMark(s, sendId)?.state !== 'claimed' || inOutbox.has(sendId))
        return { result: false, next: null };
      const next = markChange(customerId, sendId, 'retrying', at).decide(s).next;
      return { result: next !== null, next };
    },
  };
}

function sentRow(sw: ScheduledWave, e: OutboxEntry, picked?: readonly string[]): LedgerRow {
  const { campaign, wave } = sw;
  const segments = e.channel === 'sms' ? smsLength(e.text ?? '').segments : null;
  const cost =
    e.channel === 'sms'
      ? (segments ?? 0) * campaign.costs.smsPerSegment
      : e.channel === 'email'
        ? campaign.costs.email
        : campaign.costs['call-list'];
  return {
    sendId: e.sendId,
    campaignId: campaign.id,
    waveId: wave.id,
    customerId: e.customerId,
    segment: waveSegment(wave),
    category: wave.category,
    channel: e.channel,
    variant: chooseVariant(campaign, wave, e.customerId, picked),
    status: 'sent',
    reason: null,
    smsSegments: segments,
    cost,
    messageId: e.messageId,
    plannedAt: sw.start,
    sentAt: e.at ?? sw.start,
    arm: 'treatment',
  };
}

/** The wave's messages in the local outbox (email index, SMS lines, the wave's call list). */
export async function readWaveOutbox(
  outboxDir: string,
  { campaign, wave }: ScheduledWave,
): Promise<OutboxEntry[]> {
  const prefix = `${campaign.id}/${wave.id}/`;
  const entries = new Map<string, OutboxEntry>();
  const add = (e: Omit<OutboxEntry, 'customerId'>) => {
    if (e.sendId.startsWith(prefix))
      entries.set(e.sendId, { ...e, customerId: e.sendId.slice(prefix.length) });
  };
  for (const [file, channel] of [
    [join(outboxDir, 'email', 'index.jsonl'), 'email'],
    [join(outboxDir, 'sms.jsonl'), 'sms'],
  ] as const) {
    if (!existsSync(file)) continue;
    // Lines of other waves are skipped before parsing: the outbox holds every wave ever sent here.
    const needle = JSON.stringify(prefix).slice(1, -1);
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (!line.includes(needle)) continue;
      let v: { sendId?: unknown; messageId?: unknown; at?: unknown; text?: unknown };
      try {
        v = JSON.parse(line);
      } catch {
        continue; // a line cut short by a crash: its message was not written whole
      }
      if (typeof v.sendId !== 'string') continue;
      add({
        sendId: v.sendId,
        channel,
        messageId: typeof v.messageId === 'string' ? v.messageId : localMessageId(v.sendId),
        at: typeof v.at === 'string' ? new Date(v.at) : null,
        ...(typeof v.text === 'string' ? { text: v.text } : {}),
      });
    }
  }
  const calls = join(
    outboxDir,
    'call-list',
    `${campaign.id}__${wave.id}.csv`.replace(/[^A-Za-z0-9_.-]/g, '_'),
  );
  if (existsSync(calls)) {
    const rows = parse(readFileSync(calls, 'utf8'), {
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
    for (const row of rows.slice(1)) {
      // A cell may carry the quote that neutralises a formula.
      const cell = row[0] ?? '';
      const sendId = cell.startsWith(prefix) ? cell : cell.slice(1);
      add({ sendId, channel: 'call-list', messageId: localMessageId(sendId), at: null });
    }
  }
  return [...entries.values()];
}
