import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * An import streams: its JavaScript heap does not grow with the file. The import runs in a child whose
 * heap is capped below the file's size; it must finish and account for every row. The measured bound on big files (RSS, DuckDB
 * included) is in docs/import.md; `npm run bench:import` measures it.
 */
let dir: string;
const HEAP_MIB = 48;
const ROWS = 25_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-memory-'));
  const out = createWriteStream(join(dir, 'junk.csv'));
  out.write(
    '订单编号,买家会员名,买家实际支付金额,总金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间\n',
  );
  for (let i = 0; i < ROWS; i++) {
    const junk = `${i.toString(36)}-垃圾数据-${'x'.repeat(200)}`;
    if (!out.write(`${junk},${junk},${junk},${junk},${junk},${junk},${junk},${junk},${junk},${junk}\n`))
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('import memory', () => {
  it(`imports a file of junk rows ${'(every row rejected)'} with the JavaScript heap capped at ${HEAP_MIB} MiB`, async () => {
    const file = join(dir, 'junk.csv');
    const size = (await stat(file)).size;
    expect(size, 'the file alone is bigger than the heap').toBeGreaterThan(HEAP_MIB * 2 ** 20);
    const child = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_MIB}`,
        'bin/campaign.ts',
        'data',
        'import',
        file,
        '--format',
        'taobao',
        '--data-dir',
        join(dir, 'data'),
        '--json',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    expect(child.status, child.stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(child.stdout) as { read: number; imported: number; rejected: number };
    expect(result).toMatchObject({ read: ROWS, imported: 0, rejected: ROWS });
    const rejects = readFileSync(`${file}.rejects.csv`, 'utf8').trimEnd().split('\r\n');
    expect(rejects.length).toBe(ROWS + 1);
    expect(rejects[1]).toMatch(
      /^2,"订单编号: expected the order number \(digits\), got ""0-垃圾数据-x+""",0-垃圾数据/,
    );
  });
});
