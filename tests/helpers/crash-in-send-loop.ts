/**
 * A `campaign run` of the Double-11's first two waves that kills itself (SIGKILL, no cleanup) at a chosen
 * point of the send loop, for tests/delivery/crash-recovery.test.ts. The same adapters as `campaign run`,
 * each sender and the ledger wrapped to die at the point:
 *   node tests/helpers/crash-in-send-loop.ts DATA_DIR POINT CHANNEL NTH
 * POINT: before-send (claims made, nothing sent), mid-send (the provider took half the batch),
 * after-send (the outbox has the batch, the ledger not), after-ledger (sent rows staged, claims not marked);
 * NTH: the NTH send call on CHANNEL (email, sms, call-list). Exits 3 if it never reached the point.
 */

import { openLocalDelivery } from '../../local/local-delivery.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { shopPolicyFor, siblingCampaigns } from '../../shared/campaign/shop-policy.ts';
import { ManualClock, simulatedTimeline } from '../../shared/clock.ts';
import { lockDataFolder } from '../../shared/data-folder-lock.ts';
import { InMemoryCatalog, scheduleCampaign } from '../../shared/delivery/campaign-catalog.ts';
import type { LedgerRow } from '../../shared/delivery/ledger/ledger.ts';
import { runWaveLocally } from '../../shared/delivery/local/run-wave.ts';
import type { CallListEntry } from '../../shared/delivery/senders/call-list-writer.ts';
import type { EmailMessage } from '../../shared/delivery/senders/email-sender.ts';
import type { SendResult } from '../../shared/delivery/senders/send-result.ts';
import type { SmsMessage } from '../../shared/delivery/senders/sms-sender.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';

const CRASH_WAVES = ['d11-preheat', 'd11-cashback'];
const [dataDir = '', point = '', channel = '', nth = '0'] = process.argv.slice(2);
const FILE = 'campaigns/double-11.yaml';

const campaign = await loadConfigFile(Campaign, FILE);
const { policy } = await shopPolicyFor(FILE);
const { campaigns: others } = await siblingCampaigns(FILE);
lockDataFolder(dataDir, 'crash-in-send-loop');
const waves = scheduleCampaign(campaign, policy)
  .filter((w) => CRASH_WAVES.includes(w.wave.id))
  .sort((a, b) => a.start.getTime() - b.start.getTime());
const clock = new ManualClock(waves[0]?.start ?? new Date());
const local = openLocalDelivery(dataDir, clock);
const warehouse = await DuckDbWarehouse.open(dataDir);
const catalog = new InMemoryCatalog([campaign, ...others], policy);

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
let calls = 0;
let armed = false;
/** Wraps one channel's provider call: counts the calls on the chosen channel and dies at the point. */
function wrap<M, R>(name: string, send: (m: readonly M[]) => Promise<R[]>) {
  return async (messages: readonly M[]): Promise<R[]> => {
    const here = name === channel && ++calls === Number(nth);
    if (here && point === 'before-send') die();
    if (here && point === 'mid-send') {
      await send(messages.slice(0, Math.ceil(messages.length / 2)));
      die();
    }
    const results = await send(messages);
    if (here && point === 'after-send') die();
    if (here) armed = true;
    return results;
  };
}
const { email, sms, callList, ledger } = local;
local.email = { send: wrap<EmailMessage, SendResult>('email', (m) => email.send(m)) } as never;
local.sms = { send: wrap<SmsMessage, SendResult>('sms', (m) => sms.send(m)) } as never;
local.callList = { add: wrap<CallListEntry, SendResult>('call-list', (m) => callList.add(m)) } as never;
local.ledger = {
  append: async (rows: readonly LedgerRow[]) => {
    await ledger.append(rows);
    if (armed && point === 'after-ledger' && rows.some((r) => r.status === 'sent')) die();
  },
  flush: () => ledger.flush(),
} as never;

for (const sw of waves)
  await runWaveLocally(local, { warehouse, catalog, timeline: simulatedTimeline(clock), dataDir }, sw);
process.exit(3);
