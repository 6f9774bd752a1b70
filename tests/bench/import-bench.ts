/**
 * Benchmark: `data import` memory and speed on big files. For each case a file is written, then imported
 * by `campaign data import` in a child process whose peak RSS (Node and DuckDB's native memory together,
 * from /proc via process.resourceUsage in the child) and wall time are printed as JSON.
 *   junk:   a Taobao header then IMPORT_BENCH_MB (default 250) MB of junk lines: every row rejected
 *   binary: IMPORT_BENCH_MB MB of random bytes: refused by the encoding check before a row is read
 *   taobao: IMPORT_BENCH_ROWS (default 1,000,000) valid order-report rows in GBK, 1 in 1,000 a conflict
 * Run: npm run bench:import
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';

const MB = Number(process.env.IMPORT_BENCH_MB ?? 250);
const ROWS = Number(process.env.IMPORT_BENCH_ROWS ?? 1_000_000);
const dir = join(process.env.BENCH_DIR ?? '.campaign-bench', 'import');
const HEADER =
  '订单编号,买家会员名,买家实际支付金额,总金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间\n';

async function writeLines(
  file: string,
  encode: (s: string) => Buffer,
  lines: (i: number) => string,
  n: number,
) {
  const out = createWriteStream(file);
  let batch = '';
  for (let i = 0; i < n; i++) {
    batch += lines(i);
    if (batch.length > 1 << 16) {
      if (!out.write(encode(batch))) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(encode(batch));
  await once(out, 'finish');
}

function junkLine(i: number): string {
  const r = randomBytes(60).toString('base64');
  return i % 3 === 0 ? `${r.slice(0, 20)},"${r.slice(20)}",${i}\n` : `${r},${r.slice(5)},x,y\n`;
}

function taobaoLine(i: number): string {
  const id = 3_800_000_000_000_000 + (i % 1000 === 999 ? i - 1 : i);
  const amount = (10 + (i % 500)).toFixed(2);
  const d = new Date(Date.UTC(2025, 0, 1) + (i % 300) * 86_400_000 + (i % 86_400) * 1000);
  const t = d.toISOString().slice(0, 19).replace('T', ' ');
  return `="${id}",买家${i % 200_000},${amount},${amount},交易成功,收货人${i % 1000},浙江省 杭州市 西湖区,1381234${String(i % 10_000).padStart(4, '0')},${t},${t}\n`;
}

function importIn(file: string, format: string) {
  const dataDir = join(dir, `data-${format}-${Date.now()}`);
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { importOrders } from ${JSON.stringify(new URL('../../shared/shop/local/import/import-orders.ts', import.meta.url).href)};
       const t = performance.now();
       let result; try { result = await importOrders({ file: ${JSON.stringify(file)}, format: ${JSON.stringify(format)}, rejectsFile: ${JSON.stringify(`${file}.rejects.csv`)}, dataDir: ${JSON.stringify(dataDir)} }); } catch (e) { result = { error: String(e.message).slice(0, 200) }; }
       delete result.firstRejects;
       console.log(JSON.stringify({ ...result, seconds: Math.round((performance.now() - t) / 10) / 100, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));`,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (child.status !== 0) return { crashed: child.status, stderr: child.stderr.slice(-500) };
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
}

await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
const results: Record<string, unknown>[] = [];
const utf8 = (s: string) => Buffer.from(s);

const junk = join(dir, 'junk.csv');
await writeLines(junk, utf8, (i) => (i === 0 ? HEADER : junkLine(i)), Math.round((MB * 2 ** 20) / 110));
results.push({
  case: 'junk',
  fileMiB: Math.round((await stat(junk)).size / 2 ** 20),
  ...importIn(junk, 'taobao'),
});

const binary = join(dir, 'binary.csv');
await writeLines(
  binary,
  (s) => Buffer.from(s, 'latin1'),
  () => randomBytes(1 << 16).toString('latin1'),
  (MB * 2 ** 20) / (1 << 16),
);
results.push({
  case: 'binary',
  fileMiB: Math.round((await stat(binary)).size / 2 ** 20),
  ...importIn(binary, 'taobao'),
});

const taobao = join(dir, 'taobao.csv');
await writeLines(
  taobao,
  (s) => iconv.encode(s, 'gbk'),
  (i) => (i === 0 ? HEADER : taobaoLine(i - 1)),
  ROWS + 1,
);
results.push({
  case: 'taobao',
  fileMiB: Math.round((await stat(taobao)).size / 2 ** 20),
  ...importIn(taobao, 'taobao'),
});

console.log(
  JSON.stringify(
    {
      benchmark: 'data import',
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      results,
    },
    null,
    2,
  ),
);
if (!process.env.IMPORT_BENCH_KEEP) await rm(dir, { recursive: true, force: true });
