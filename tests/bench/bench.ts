/**
 * `npm run bench`: the main job's benchmark. On the 1M-customer / 10M-order benchmark shop (built once,
 * cached under .campaign-bench) it runs each stage against the floor measured in the same run —
 * segmentation against a plain aggregate scan, the send path against render + write, attribution
 * against a plain join — each stage in a process of its own (so its peak RSS is its own), and prices the
 * send path's AWS requests (counted by metering the adapters in a run of their own) per 1M messages.
 * Writes docs/benchmarks.json and the generated section of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { type AwsCounts, type CostLine, costOf, lambdaSeconds } from './aws-cost-model.ts';
import { AWS_PRICES, MODEL_ASSUMPTIONS } from './aws-prices.ts';
import { benchShop, machine, median } from './bench-shop.ts';

const JSON_FILE = 'docs/benchmarks.json';
const MD_FILE = 'docs/benchmarks.md';
const BEGIN = '<!-- npm run bench: begin (generated; do not edit by hand) -->';
const END = '<!-- npm run bench: end -->';

function stage(script: string): Record<string, unknown> {
  process.stderr.write(`running ${script}…\n`);
  const out = execFileSync(process.execPath, [`tests/bench/${script}`], {
    encoding: 'utf8',
    maxBuffer: 1e8,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.slice(out.indexOf('{')));
}

const n = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd = (x: number) => (x >= 0.01 ? `$${n(x, 2)}` : `$${x.toPrecision(2)}`);

const started = Date.now();
const { customers } = await benchShop();
const segments = stage('segment-bench.ts') as {
  floor: { seconds: number };
  waves: { campaign: string; wave: string; seconds: number; floorSeconds: number; ratioToFloor: number }[];
  peakRssMiB: number;
};
const send = stage('send-bench.ts') as {
  runs: { mode: string; sendSeconds: number; queued: number; peakRssMiB: number; aws?: AwsCounts }[];
  floorSeconds: number;
  policySeconds: number;
  ratio: number;
};
const attribution = stage('attribution-bench.ts') as {
  data: { sends: number; orders: number };
  attributionSeconds: number;
  floorSeconds: number;
  ratio: number;
  peakRssMiB: number;
};

// The cost model: the metered run's counts, scaled to 1M messages sent.
const counts = send.runs.find((r) => r.mode === 'metered')?.aws;
const policyRuns = send.runs.filter((r) => r.mode === 'policy');
if (!counts) throw new Error('the send benchmark reported no AWS counts');
const sent = counts.delivery.emails + counts.delivery.smsMessages + counts.delivery.callListEntries;
const scale = 1e6 / sent;
const scaled = (lines: CostLine[]) =>
  lines.map((l) => ({ ...l, quantity: l.quantity * scale, usd: l.usd * scale }));
const cost = costOf(counts);
const pipeline = scaled(cost.pipeline);
const delivery = scaled(cost.delivery);
const d11 = await loadConfigFile(Campaign, 'campaigns/double-11.yaml');
const smsSegmentsPerMillion = counts.delivery.smsSegments * scale;
const pipelineUsd = pipeline.reduce((s, l) => s + l.usd, 0);

const segmentTimes = segments.waves.map((w) => w.seconds);
const worstWave = segments.waves.reduce((a, b) => (b.ratioToFloor > a.ratioToFloor ? b : a));
const result = {
  measuredAt: new Date().toISOString(),
  machine: await machine(),
  shop: { customers, orders: attribution.data.orders },
  stages: {
    segmentation: {
      queries: segments.waves.length,
      medianSeconds: median(segmentTimes),
      worstSeconds: Math.max(...segmentTimes),
      floorSeconds: segments.floor.seconds,
      medianRatio: median(segments.waves.map((w) => w.ratioToFloor)),
      worstRatio: worstWave.ratioToFloor,
      worstWave: `${worstWave.campaign}/${worstWave.wave}`,
      peakRssMiB: segments.peakRssMiB,
      // Each wave against the floor runs alternating with it (medians).
      waves: segments.waves.map((w) => ({
        wave: `${w.campaign}/${w.wave}`,
        seconds: w.seconds,
        floorSeconds: w.floorSeconds,
        ratio: w.ratioToFloor,
      })),
    },
    send: {
      recipients: policyRuns.at(-1)?.queued ?? 0,
      seconds: send.policySeconds,
      floorSeconds: send.floorSeconds,
      ratio: send.ratio,
      peakRssMiB: Math.max(...policyRuns.map((r) => r.peakRssMiB)),
    },
    attribution: {
      sends: attribution.data.sends,
      seconds: attribution.attributionSeconds,
      floorSeconds: attribution.floorSeconds,
      ratio: attribution.ratio,
      peakRssMiB: attribution.peakRssMiB,
    },
  },
  awsCostPerMillionMessages: {
    prices: { recordedOn: AWS_PRICES.recordedOn, region: AWS_PRICES.region },
    assumptions: MODEL_ASSUMPTIONS,
    messagesInRun: sent,
    counts,
    lambdaSeconds: Object.fromEntries(
      Object.entries(counts.lambda).map(([k, f]) => [k, Math.round(lambdaSeconds(f))]),
    ),
    pipeline,
    pipelineUsd,
    delivery,
    smsSegments: smsSegmentsPerMillion,
    smsFee: { currency: d11.currency, perSegment: d11.costs.smsPerSegment },
  },
  wallSeconds: Math.round((Date.now() - started) / 1000),
};
writeFileSync(JSON_FILE, `${JSON.stringify(result, null, 2)}\n`);

const s = result.stages;
const md = [
  BEGIN,
  '',
  `Measured ${result.measuredAt.slice(0, 10)} on ${result.machine.cpus} cores (${result.machine.cpuModel}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}; shop: ${n(customers)} customers, ${n(result.shop.orders)} orders; the send path's data folders in ${result.machine.tmpdir}. JSON: [benchmarks.json](benchmarks.json).`,
  '',
  '| stage | what | time | throughput | floor (same run) | ratio | peak RSS |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  `| segmentation | ${s.segmentation.queries} wave audience queries (median; slowest ${n(s.segmentation.worstSeconds, 2)} s; highest ratio ${n(s.segmentation.worstRatio, 2)}×, ${s.segmentation.worstWave}) | ${n(s.segmentation.medianSeconds, 2)} s | ${n(customers / s.segmentation.medianSeconds)} customers/s | plain aggregate scan of orders ${n(s.segmentation.floorSeconds, 2)} s | ${n(s.segmentation.medianRatio, 2)}× | ${n(s.segmentation.peakRssMiB)} MiB |`,
  `| send path | one wave to the whole shop: ${n(s.send.recipients)} recipients (best of 2) | ${n(s.send.seconds, 1)} s | ${n(s.send.recipients / s.send.seconds)} recipients/s | render + write ${n(s.send.floorSeconds, 1)} s | ${n(s.send.ratio, 2)}× | ${n(s.send.peakRssMiB)} MiB |`,
  `| attribution | ${n(s.attribution.sends)} sends against the orders (median of 3) | ${n(s.attribution.seconds, 2)} s | ${n(s.attribution.sends / s.attribution.seconds)} sends/s | plain join ${n(s.attribution.floorSeconds, 2)} s | ${n(s.attribution.ratio, 2)}× | ${n(s.attribution.peakRssMiB)} MiB |`,
  '',
  `AWS cost of the pipeline per 1M messages, from the requests the send path's adapters made for ${n(sent)} messages (list prices ${AWS_PRICES.region}, recorded ${AWS_PRICES.recordedOn}, \`tests/bench/aws-prices.ts\`):`,
  '',
  '| service | item | quantity per 1M messages | $ per 1M messages |',
  '| --- | --- | --- | --- |',
  ...pipeline.map(
    (l) =>
      `| ${l.service} | ${l.item} | ${n(l.quantity, l.quantity < 100 ? 2 : 0)} ${l.unit} | ${usd(l.usd)} |`,
  ),
  `| **total** | | | **${usd(pipelineUsd)}** |`,
  '',
  'Delivery fees, apart:',
  '',
  '| fee | quantity per 1M messages | per 1M messages |',
  '| --- | --- | --- |',
  ...delivery.map((l) => `| ${l.service} ${l.item} | ${n(l.quantity)} | ${usd(l.usd)} |`),
  `| SMS segments at the campaign's own price (${d11.currency} ${d11.costs.smsPerSegment} per segment; SMS prices depend on the country and provider) | ${n(smsSegmentsPerMillion)} | ${d11.currency} ${n(smsSegmentsPerMillion * d11.costs.smsPerSegment, 2)} |`,
  '',
  END,
].join('\n');
const doc = readFileSync(MD_FILE, 'utf8');
const from = doc.indexOf(BEGIN);
const to = doc.indexOf(END);
writeFileSync(
  MD_FILE,
  from >= 0 && to > from
    ? `${doc.slice(0, from)}${md}${doc.slice(to + END.length)}`
    : `${doc.trimEnd()}\n\n${md}\n`,
);
process.stderr.write(
  `wrote ${JSON_FILE} and the generated section of ${MD_FILE} (${result.wallSeconds} s)\n`,
);
console.log(md);
