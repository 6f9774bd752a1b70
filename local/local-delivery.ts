import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Channel } from '../shared/campaign/contact-policy-schema.ts';
import type { Clock } from '../shared/clock.ts';
import { JournalContactStore } from '../shared/delivery/contact-policy/local/journal-contact-store.ts';
import { ParquetLedger } from '../shared/delivery/ledger/local/parquet-ledger.ts';
import { JournalLinkStore } from '../shared/delivery/links/local/journal-link-store.ts';
import { LinkIssuer } from '../shared/delivery/links/short-links.ts';
import { LocalQueue, type LocalQueueOptions } from '../shared/delivery/queue/local/local-queue.ts';
import { CsvCallList } from '../shared/delivery/senders/local/call-list-csv.ts';
import { OutboxEmailSender, OutboxSmsSender } from '../shared/delivery/senders/local/outbox.ts';
import { JournalWaveRunStore } from '../shared/delivery/wave-runs/local/journal-wave-run-store.ts';
import { tableDir } from '../shared/lake/lake-paths.ts';
import { StagedParquetWriter, stagingDir } from '../shared/lake/local/staged-parquet-writer.ts';
import { ROLLOUT_DECISIONS, SENDS } from '../shared/lake/tables.ts';

/** Where the embedded adapters keep their state, next to the lake. */
export const statePaths = (dataDir: string) => ({
  dir: resolve(dataDir, 'state'),
  contacts: resolve(dataDir, 'state', 'contacts'),
  links: resolve(dataDir, 'state', 'links'),
  runs: resolve(dataDir, 'state', 'wave-runs'),
  linkSecret: resolve(dataDir, 'state', 'link-secret'),
  outbox: resolve(dataDir, 'outbox'),
});

/** The default short-link domain (an example: a shop sets its own with CAMPAIGN_LINK_BASE). */
export const DEFAULT_LINK_BASE = 'https://s.example.cn';

/** The link-signing secret: $CAMPAIGN_LINK_SECRET, else one generated for this data folder. */
function linkSecret(file: string): string {
  const fromEnv = process.env.CAMPAIGN_LINK_SECRET;
  if (fromEnv) return fromEnv;
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export type LocalDelivery = ReturnType<typeof openLocalDelivery>;

/**
 * Every embedded adapter of delivery over one data folder: journaled stores (contacts, links, wave runs),
 * the Parquet ledger, the in-process queue and the outbox senders.
 */
export function openLocalDelivery(
  dataDir: string,
  clock: Clock,
  queueOptions: LocalQueueOptions = {},
  /** Also read the links (the redirect does, in `campaign serve`); sending alone only appends them. */
  readLinks = false,
) {
  const p = statePaths(dataDir);
  mkdirSync(p.dir, { recursive: true });
  // One in-process queue carries every channel's batches (on AWS each channel has its own SQS queue, for
  // its own send rate); the handler reads the channel from the message.
  // As the deployed queues: a failed batch is redelivered after the visibility timeout (six times the
  // send function's 2 minutes), on the simulated clock.
  const queue = new LocalQueue({ clock, maxVisible: 2_000, visibilityTimeoutSeconds: 720, ...queueOptions });
  const queues: Record<Channel, LocalQueue> = { email: queue, sms: queue, 'call-list': queue };
  const contacts = new JournalContactStore(p.contacts);
  // Sending only writes links; the redirect (campaign serve) is the reader.
  const links = new JournalLinkStore(p.links, { mode: readLinks ? 'read-write' : 'append-only' });
  const secret = linkSecret(p.linkSecret);
  const runs = new JournalWaveRunStore(p.runs);
  return {
    contacts,
    links,
    runs,
    ledger: new ParquetLedger(dataDir),
    decisions: new StagedParquetWriter(dataDir, ROLLOUT_DECISIONS),
    linkSecret: secret,
    linkIssuer: new LinkIssuer(secret, process.env.CAMPAIGN_LINK_BASE ?? DEFAULT_LINK_BASE),
    queue,
    queues,
    email: new OutboxEmailSender(p.outbox, clock),
    sms: new OutboxSmsSender(p.outbox, clock),
    callList: new CsvCallList(p.outbox),
    clock,
    async close() {
      await Promise.all([contacts.close(), links.close(), runs.close()]);
    },
  };
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
