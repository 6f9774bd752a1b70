import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Channel } from '../../campaign/contact-policy-schema.ts';
import type { Clock } from '../../clock.ts';
import { tableDir } from '../../lake/lake-paths.ts';
import { type StagedParquetWriter, stagingDir } from '../../lake/local/staged-parquet-writer.ts';
import { ROLLOUT_DECISIONS, SENDS } from '../../lake/tables.ts';
import type { JournalContactStore } from '../contact-policy/local/journal-contact-store.ts';
import type { ParquetLedger } from '../ledger/local/parquet-ledger.ts';
import type { JournalLinkStore } from '../links/local/journal-link-store.ts';
import type { LinkIssuer } from '../links/short-links.ts';
import type { LocalQueue } from '../queue/local/local-queue.ts';
import type { CsvCallList } from '../senders/local/call-list-csv.ts';
import type { OutboxEmailSender, OutboxSmsSender } from '../senders/local/outbox.ts';
import type { JournalWaveRunStore } from '../wave-runs/local/journal-wave-run-store.ts';

/** Where the embedded adapters keep their state, next to the lake. */
export const statePaths = (dataDir: string) => ({
  dir: resolve(dataDir, 'state'),
  contacts: resolve(dataDir, 'state', 'contacts'),
  links: resolve(dataDir, 'state', 'links'),
  runs: resolve(dataDir, 'state', 'wave-runs'),
  linkSecret: resolve(dataDir, 'state', 'link-secret'),
  outbox: resolve(dataDir, 'outbox'),
});

/**
 * Every embedded adapter of delivery over one data folder: journaled stores (contacts, links, wave runs),
 * the Parquet ledger, the in-process queue and the outbox senders. Built by the local composition root
 * (`local/local-delivery.ts`).
 */
export interface LocalDelivery {
  contacts: JournalContactStore;
  links: JournalLinkStore;
  runs: JournalWaveRunStore;
  ledger: ParquetLedger;
  decisions: StagedParquetWriter;
  linkSecret: string;
  linkIssuer: LinkIssuer;
  queue: LocalQueue;
  queues: Record<Channel, LocalQueue>;
  email: OutboxEmailSender;
  sms: OutboxSmsSender;
  callList: CsvCallList;
  clock: Clock;
  close(): Promise<void>;
}

/** Forgets everything delivery did in this data folder: contacts, links, runs, the outbox and the sends. */
export function clearLocalDelivery(dataDir: string): void {
  const p = statePaths(dataDir);
  for (const dir of [
    p.outbox,
    ...[SENDS, ROLLOUT_DECISIONS].flatMap((t) => [tableDir(dataDir, t.name), stagingDir(dataDir, t)]),
  ])
    rmSync(dir, { recursive: true, force: true });
  for (const f of [p.contacts, p.links, p.runs])
    for (const suffix of ['.snapshot', '.journal', '.lock']) rmSync(`${f}${suffix}`, { force: true });
}
