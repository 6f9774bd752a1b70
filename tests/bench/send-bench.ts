/**
 * Benchmark: the local send path for one wave over the whole 1M-customer shop (audience: everyone; SMS
 * first, email for customers SMS cannot reach), against a floor measured in the same run.
 *  - policy: plan the wave from the lake, then drain the queue through the real send handler (quiet hours,
 *    the atomic claim, link store, render, outbox, ledger, marks).
 *  - floor: plan the same wave into a fresh folder, then drain through a handler that only renders and
 *    writes the same messages (same link codes, renderer, outbox and ledger writers; no policy, no state).
 * Sending runs while planning streams the audience (back-pressure, as in `campaign run`); send time is the
 * time inside the handler plus the ledger's flush. Each mode runs in a child process of its own, so its
 * peak RSS is its own. Run: npm run bench:send.
 * Prints JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openLocalDelivery } from '../../local/local-delivery.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { ManualClock } from '../../shared/clock.ts';
import { InMemoryCatalog, scheduleCampaign } from '../../shared/delivery/campaign-catalog.ts';
import { sendIdOf } from '../../shared/delivery/ledger/ledger.ts';
import { launchWave, planWave } from '../../shared/delivery/plan-wave.ts';
import type { QueueRecord } from '../../shared/delivery/queue/queue.ts';
import { type Rendered, renderMessage } from '../../shared/delivery/render/render-message.ts';
import { handleSendBatches } from '../../shared/delivery/send-batch.ts';
import { batchLedgerRow, parseSendBatch } from '../../shared/delivery/send-batch-message.ts';
import { lakeRoot, tableDir } from '../../shared/lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { type AwsCounts, AwsMeter } from './aws-cost-model.ts';
import { MODEL_ASSUMPTIONS } from './aws-prices.ts';
import { benchShop, bytesScanned, machine } from './bench-shop.ts';

/**
 * policy and floor are timed; metered is the policy run again with every adapter wrapped by the AWS cost
 * model's meter (which serializes each contact record and ledger row to size it): it gives the counts
 * and is kept out of the timings.
 */
type Mode = 'policy' | 'floor' | 'metered';

type RunResult = { [key: string]: number | string | AwsCounts | undefined; aws?: AwsCounts };

async function runMode(mode: Mode, shopDir: string): Promise<RunResult> {
  const d11 = await loadConfigFile(Campaign, 'campaigns/double-11.yaml');
  const policy = await loadConfigFile(ContactPolicy, 'campaigns/contact-policy.yaml');
  const base = d11.waves.find((w) => w.id === 'd11-afternoon');
  if (!base) throw new Error('d11-afternoon missing');
  const campaign: Campaign = {
    ...d11,
    budget: undefined,
    segments: {},
    waves: [
      {
        ...base,
        start: '2026-11-11T14:00',
        audience: { where: { everyone: true } },
        channel: 'sms',
        fallback: ['email'],
      },
    ],
  };
  const [sw] = scheduleCampaign(campaign, policy);
  if (!sw) throw new Error('no wave');
  // A fresh data folder in the system's temporary folder (on this machine creating a file under /work
  // costs ~0.6 ms, under /tmp ~35 µs) whose lake links to the shop's tables (the sends table starts
  // empty). Links, not a copy: writing back a copied lake slows every file creation during the run.
  const dataDir = mkdtempSync(join(tmpdir(), `send-${mode}-`));
  mkdirSync(lakeRoot(dataDir), { recursive: true });
  for (const table of ['customers', 'products', 'orders', 'order_items'])
    symlinkSync(resolve(tableDir(shopDir, table)), tableDir(dataDir, table));
  const clock = new ManualClock(sw.start);
  const local = openLocalDelivery(dataDir, clock);
  const warehouse = await DuckDbWarehouse.open(dataDir, { threads: 2, memoryLimit: '1GB' });
  const catalog = new InMemoryCatalog([campaign], policy);
  try {
    // As `campaign run` does: sending starts while planning streams the audience (back-pressure), so the
    // audience is never held whole. The send path's time is the time spent in the handler (and the
    // ledger's flush), measured around each call.
    // The metered run is the AWS cost model's: its adapters are metered (aws-cost-model.ts).
    const meter = mode === 'metered' ? new AwsMeter() : null;
    const deps = meter
      ? {
          ...local,
          contacts: meter.contacts(local.contacts),
          links: meter.links(local.links),
          ledger: meter.ledger(local.ledger),
          email: meter.email(local.email),
          sms: meter.sms(local.sms),
          queues: {
            email: meter.queue(local.queues.email),
            sms: meter.queue(local.queues.sms),
            'call-list': meter.queue(local.queues['call-list']),
          },
        }
      : local;
    const sendHandler = (records: QueueRecord[]) => handleSendBatches({ ...deps, catalog }, records);
    const inner =
      mode === 'floor'
        ? (records: QueueRecord[]) => floorHandler(local, campaign, records)
        : meter
          ? meter.handler(SEND_MEMORY_MB, sendHandler)
          : sendHandler;
    let handlerMs = 0;
    const handler = async (records: QueueRecord[]) => {
      const t = performance.now();
      try {
        return await inner(records);
      } finally {
        handlerMs += performance.now() - t;
      }
    };
    const t0 = performance.now();
    local.queue.consumeWhenFull(handler);
    const planDeps = { ...deps, warehouse, dialect: 'duckdb' as const, catalog };
    meter?.function('plan-wave', PLAN_MEMORY_MB);
    const launched = await launchWave(planDeps, sw);
    if (launched.kind !== 'launched') throw new Error('already run');
    const plan = await planWave(planDeps, sw, launched, warehouse.stream(launched.sql));
    local.queue.consumeWhenFull(null);
    if (plan.kind !== 'planned') throw new Error('not planned');
    await local.queue.drain(handler, { advance: (to) => clock.set(to) });
    const t1 = performance.now();
    await local.ledger.flush();
    const sendSeconds = (handlerMs + performance.now() - t1) / 1000;
    const planSeconds = (performance.now() - t0) / 1000 - sendSeconds;
    const { rows } = await (async () => {
      await warehouse.refreshViews(dataDir);
      return warehouse.query(sql`SELECT status, channel, count(*) AS n FROM sends GROUP BY ALL ORDER BY ALL`);
    })();
    return {
      mode,
      audience: plan.run.audience ?? 0,
      queued: plan.queued,
      leftAtPlanning: plan.suppressed,
      planSeconds: round(planSeconds),
      sendSeconds: round(sendSeconds),
      recipientsPerSecond: Math.round(plan.queued / sendSeconds),
      ledger: rows.map((r) => `${r.status}/${r.channel ?? '-'}: ${r.n}`).join(', '),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      ...(meter
        ? { aws: await awsCounts(meter, planSeconds, plan.run.audience ?? 0, shopDir, launched.sql) }
        : {}),
    };
  } finally {
    await local.close();
    await warehouse.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Lambda memory of send-batches and plan-wave, as infra/constructs/delivery.ts sets it. */
const SEND_MEMORY_MB = 512;
const PLAN_MEMORY_MB = 1536;

/**
 * The metered counts, completed with what happens outside the adapters: plan-wave's run (launch and plan
 * measured together, including the audience query DuckDB ran here and Athena runs there), the Athena
 * query's bytes and its result pages (1,000 rows each).
 */
async function awsCounts(
  meter: AwsMeter,
  planSeconds: number,
  audience: number,
  shopDir: string,
  sql: string,
) {
  const plan = meter.function('plan-wave', PLAN_MEMORY_MB);
  plan.invocations += 1;
  plan.localMs += planSeconds * 1000;
  const pages = Math.ceil(audience / 1000);
  plan.waitMs += pages * MODEL_ASSUMPTIONS.latencyMs.athenaPage;
  const launch = meter.function('launch-wave', 1024);
  launch.invocations += 1;
  const wh = await DuckDbWarehouse.open(shopDir, { threads: 1 });
  try {
    meter.counts.athena = {
      queries: 1,
      bytesScanned: await bytesScanned(wh, shopDir, sql),
      resultPages: pages,
    };
  } finally {
    await wh.close();
  }
  return meter.counts;
}

/** Render and write, nothing else: the same link codes, templates, outbox and ledger as the send path. */
async function floorHandler(
  local: ReturnType<typeof openLocalDelivery>,
  campaign: Campaign,
  records: QueueRecord[],
): Promise<{ failedIds: string[] }> {
  const wave = campaign.waves[0];
  if (!wave) throw new Error('no wave');
  for (const record of records) {
    const msg = parseSendBatch(record.body);
    const now = local.clock.now();
    const rendered = msg.recipients.map((r) => {
      const sendId = sendIdOf(msg.campaignId, msg.waveId, r.customerId);
      const links = local.linkIssuer.issue(sendId, wave.link ?? null, now, msg.channel);
      const out = renderMessage({
        campaign,
        wave,
        variantId: r.variant,
        channel: msg.channel,
        recipient: r,
        links,
      });
      if (!out.ok) throw new Error(out.error);
      return { r, sendId, m: out.message as Rendered };
    });
    const tags = (sendId: string) => ({ campaign: campaign.id, wave: wave.id, send: sendId });
    const results =
      msg.channel === 'sms'
        ? await local.sms.send(
            rendered.map(({ r, sendId, m }) => ({
              sendId,
              phone: r.address,
              text: (m as Extract<Rendered, { channel: 'sms' }>).text,
              messageType: 'Promotional' as const,
              tags: tags(sendId),
            })),
          )
        : await local.email.send(
            rendered.map(({ r, sendId, m }) => {
              const e = m as Extract<Rendered, { channel: 'email' }>;
              return {
                sendId,
                to: r.address,
                from: campaign.channels.email?.from ?? '',
                subject: e.subject,
                html: e.html,
                text: e.text,
                headers: e.headers,
                tags: tags(sendId),
              };
            }),
          );
    await local.ledger.append(
      rendered.map(({ r, m }, i) =>
        batchLedgerRow(msg, r, {
          status: 'sent',
          smsSegments: m.channel === 'sms' ? m.segments : null,
          cost: m.cost,
          messageId: results[i]?.kind === 'sent' ? results[i].messageId : null,
          sentAt: now,
        }),
      ),
    );
  }
  return { failedIds: [] };
}

const round = (x: number) => Math.round(x * 100) / 100;

const mode = process.argv[2] as Mode | undefined;
if (mode) {
  const { dataDir } = await benchShop();
  process.stdout.write(`${JSON.stringify(await runMode(mode, dataDir))}\n`);
} else {
  const { customers } = await benchShop();
  const runs: RunResult[] = [];
  for (const m of ['floor', 'policy', 'floor', 'policy', 'metered'] as Mode[]) {
    const out = execFileSync(process.execPath, [process.argv[1] as string, m], {
      encoding: 'utf8',
      maxBuffer: 1e8,
    });
    runs.push(JSON.parse(out.trim().split('\n').at(-1) as string));
    process.stderr.write(`${JSON.stringify(runs.at(-1))}\n`);
  }
  const best = (m: Mode) => Math.min(...runs.filter((r) => r.mode === m).map((r) => Number(r.sendSeconds)));
  console.log(
    JSON.stringify(
      {
        customers,
        machine: await machine(),
        runs,
        floorSeconds: best('floor'),
        policySeconds: best('policy'),
        ratio: round(best('policy') / best('floor')),
      },
      null,
      2,
    ),
  );
}
