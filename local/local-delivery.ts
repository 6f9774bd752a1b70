import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Channel } from '../shared/campaign/contact-policy-schema.ts';
import type { Clock } from '../shared/clock.ts';
import { JournalContactStore } from '../shared/delivery/contact-policy/local/journal-contact-store.ts';
import { ParquetLedger } from '../shared/delivery/ledger/local/parquet-ledger.ts';
import { JournalLinkStore } from '../shared/delivery/links/local/journal-link-store.ts';
import { LinkIssuer } from '../shared/delivery/links/short-links.ts';
import { type LocalDelivery, statePaths } from '../shared/delivery/local/local-adapters.ts';
import { LocalQueue, type LocalQueueOptions } from '../shared/delivery/queue/local/local-queue.ts';
import { CsvCallList } from '../shared/delivery/senders/local/call-list-csv.ts';
import { OutboxEmailSender, OutboxSmsSender } from '../shared/delivery/senders/local/outbox.ts';
import { JournalWaveRunStore } from '../shared/delivery/wave-runs/local/journal-wave-run-store.ts';
import { StagedParquetWriter } from '../shared/lake/local/staged-parquet-writer.ts';
import { ROLLOUT_DECISIONS } from '../shared/lake/tables.ts';

/** The default short-link domain (an example: a shop sets its own with CAMPAIGN_LINK_BASE). */
export const DEFAULT_LINK_BASE = 'https://s.example.cn';

/** The link-signing secret: $CAMPAIGN_LINK_SECRET, else one generated for this data folder. */
function linkSecret(file: string, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.CAMPAIGN_LINK_SECRET;
  if (fromEnv) return fromEnv;
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * The local composition root of delivery: every embedded adapter over one data folder (see LocalDelivery),
 * with the link settings from the environment ($CAMPAIGN_LINK_SECRET, $CAMPAIGN_LINK_BASE).
 */
export function openLocalDelivery(
  dataDir: string,
  clock: Clock,
  queueOptions: LocalQueueOptions = {},
  /** Also read the links (the redirect does, in `campaign serve`); sending alone only appends them. */
  readLinks = false,
  env: NodeJS.ProcessEnv = process.env,
): LocalDelivery {
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
  const secret = linkSecret(p.linkSecret, env);
  const runs = new JournalWaveRunStore(p.runs);
  return {
    contacts,
    links,
    runs,
    ledger: new ParquetLedger(dataDir),
    decisions: new StagedParquetWriter(dataDir, ROLLOUT_DECISIONS),
    linkSecret: secret,
    linkIssuer: new LinkIssuer(secret, env.CAMPAIGN_LINK_BASE ?? DEFAULT_LINK_BASE),
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
