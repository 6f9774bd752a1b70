/**
 * `npm run truth`: the truth tests at full count (docs/benchmarks.md, "Lift truth"). For each seed, the
 * example Double-11 on a generated shop whose history runs past the waves (truth-run.ts), read as an A/A
 * test and again with a known effect planted; prints how often each scope's 95% interval covered the
 * truth, how often it could be read at all, and the attribution checks.
 *
 *   npm run truth -- [--seeds 20] [--customers 20000] [--shops 2]
 */
import { rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { type ScopeResult, type TruthRun, truthRun, truthShop } from './truth-run.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    customers: { type: 'string', default: '20000' },
    shops: { type: 'string', default: '2' },
  },
});
const seeds = Number(values.seeds);
const customers = Number(values.customers);
const shopCount = Math.max(1, Math.min(seeds, Number(values.shops)));

const started = Date.now();
const shops: string[] = [];
for (let i = 0; i < shopCount; i++) shops.push(await truthShop(customers, 100 + i));
const runs: TruthRun[] = [];
try {
  for (let seed = 1; seed <= seeds; seed++) {
    const run = await truthRun(shops[(seed - 1) % shopCount] as string, seed);
    runs.push(run);
    const misses = (rs: ScopeResult[]) => rs.filter((r) => r.covered === false).map((r) => r.scope);
    console.error(
      `seed ${seed}: A/A misses [${misses(run.aa).join(', ')}], planted misses [${misses(run.planted).join(', ')}]` +
        `${run.mismatches.length ? `, ${run.mismatches.length} count mismatches` : ''}`,
    );
  }
} finally {
  for (const s of shops) await rm(s, { recursive: true, force: true });
}

const scopes = [...new Set(runs.flatMap((r) => r.aa.map((s) => s.scope)))];
const row = (label: string, pick: (r: TruthRun) => ScopeResult[], scope: string) => {
  const rs = runs.map((r) => pick(r).find((s) => s.scope === scope));
  const read = rs.filter((s) => s?.readable);
  const covered = read.filter((s) => s?.covered).length;
  const truth = rs.reduce((n, s) => n + (s?.truth ?? 0), 0) / rs.length;
  return `| ${label} | ${scope === '*' ? 'campaign (all waves)' : scope} | ${read.length} of ${rs.length} | ${read.length ? `${covered} of ${read.length} (${((100 * covered) / read.length).toFixed(0)}%)` : '-'} | ${truth.toFixed(0)} |`;
};
const total = (pick: (r: TruthRun) => ScopeResult[]) => {
  const read = runs.flatMap(pick).filter((s) => s.readable);
  const covered = read.filter((s) => s.covered).length;
  return `${covered} of ${read.length} (${((100 * covered) / read.length).toFixed(1)}%)`;
};
console.log(
  `Lift truth: ${seeds} seeds on ${shopCount} generated shop(s) of ${customers.toLocaleString('en')} customers (history to 2026-11-30), ` +
    `${((Date.now() - started) / 60_000).toFixed(1)} min on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n`,
);
console.log(
  '| run | scope | readable | 95% interval covers the truth | mean truth (incremental conversions) |',
);
console.log('|---|---|---|---|---|');
for (const s of scopes) console.log(row('A/A', (r) => r.aa, s));
for (const s of scopes) console.log(row('planted', (r) => r.planted, s));
console.log(`\nA/A: ${total((r) => r.aa)} readable intervals covered 0.`);
console.log(
  `Planted: ${total((r) => r.planted)} readable intervals covered the planted incremental conversions.`,
);
const mismatches = runs.flatMap((r) => r.mismatches);
console.log(`Oracle vs lift table: ${mismatches.length} count mismatches.`);
const twice = runs.reduce((n, r) => n + r.attribution.attributedTwice, 0);
const over = runs.reduce((n, r) => n + r.attribution.overAttributed, 0);
const diff = runs.reduce(
  (n, r) => Math.max(n, Math.abs(r.attribution.revenue - r.attribution.orderRevenue)),
  0,
);
console.log(
  `Attribution: ${runs.reduce((n, r) => n + r.attribution.orders, 0)} orders attributed, ${twice} attributed twice, ${over} for more than the order, largest difference to order revenue ${diff.toFixed(2)}.`,
);
