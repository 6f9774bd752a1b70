import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneSendSql } from '../../shared/delivery/ledger/ledger.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sampleShop } from '../helpers/delivery-harness.ts';

const WAVES = ['d11-preheat', 'd11-cashback'];
const RUN = ['run', 'campaigns/double-11.yaml', '--wave', ...WAVES];
const cli = (args: string[]) =>
  spawnSync(process.execPath, ['bin/campaign.ts', ...args], { encoding: 'utf8' });

/** What a data folder holds after a run: the outbox's send ids, the ledger's sends, the waves' status. */
async function outcome(dataDir: string) {
  const outbox = join(dataDir, 'outbox');
  const lines = (f: string) =>
    existsSync(f)
      ? readFileSync(f, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => String(JSON.parse(l).sendId))
      : [];
  const calls = join(outbox, 'call-list');
  const callIds = existsSync(calls)
    ? readdirSync(calls).flatMap((f) =>
        readFileSync(join(calls, f), 'utf8')
          .split('\n')
          .slice(1)
          .filter(Boolean)
          .map((r) => (r.split(',')[0] ?? '').replaceAll('"', '')),
      )
    : [];
  const sent = [
    ...lines(join(outbox, 'email', 'index.jsonl')),
    ...lines(join(outbox, 'sms.jsonl')),
    ...callIds,
  ];
  const wh = await DuckDbWarehouse.open(dataDir);
  try {
    const { rows } = await wh.query(
      sql`SELECT send_id, status, cost, arm FROM (${oneSendSql(['status', 'cost', 'arm'])}) ORDER BY send_id`,
    );
    const ledgerSent = rows.filter((r) => r.status === 'sent');
    const status = JSON.parse(cli(['status', 'double-11-2026', '--data-dir', dataDir, '--json']).stdout) as {
      waveId: string;
      audience: number;
      reconciles: boolean;
      failed: Record<string, number>;
    }[];
    return {
      outbox: sent,
      ledgerSent: ledgerSent.map((r) => String(r.send_id)),
      cost: Math.round(ledgerSent.reduce((n, r) => n + Number(r.cost), 0) * 1000) / 1000,
      arms: [...new Set(ledgerSent.map((r) => r.arm))],
      waves: status.filter((w) => WAVES.includes(w.waveId)),
    };
  } finally {
    await wh.close();
  }
}

let shop: string;
let reference: Awaited<ReturnType<typeof outcome>>;
async function copyOfShop(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'crash-'));
  await cp(join(shop, 'lake'), join(dataDir, 'lake'), { recursive: true });
  return dataDir;
}

beforeAll(async () => {
  shop = await sampleShop(3_000);
  const dataDir = await copyOfShop();
  const r = cli([...RUN, '--data-dir', dataDir]);
  expect(r.status, r.stderr).toBe(0);
  reference = await outcome(dataDir);
}, 180_000);

describe('a run killed in the send loop, then run again: the outbox and the ledger agree', {
  timeout: 180_000,
}, () => {
  it.each([
    ['after the outbox took a batch of 50 emails, before the ledger', 'after-send', 'email', 2],
    ['after the outbox took an SMS batch, before the ledger', 'after-send', 'sms', 6],
    ['while the provider took half an email batch', 'mid-send', 'email', 2],
    ['after the claims, before the provider call', 'before-send', 'sms', 6],
    ['after the ledger, before the claims were marked', 'after-ledger', 'call-list', 1],
  ])('killed %s', async (_name, point, channel, nth) => {
    expect(reference.ledgerSent.length).toBeGreaterThan(0);
    const dataDir = await copyOfShop();
    const crash = spawnSync(
      process.execPath,
      ['tests/helpers/crash-in-send-loop.ts', dataDir, String(point), String(channel), String(nth)],
      { encoding: 'utf8' },
    );
    expect(crash.signal, crash.stderr).toBe('SIGKILL');
    const again = cli([...RUN, '--data-dir', dataDir]);
    expect(again.status, again.stderr).toBe(0);

    const after = await outcome(dataDir);
    expect(new Set(after.outbox).size, 'a message twice in the outbox').toBe(after.outbox.length);
    expect([...after.ledgerSent].sort(), 'ledger sent = outbox').toEqual([...after.outbox].sort());
    expect(after.arms).toEqual(['treatment']);
    // Nothing lost, nothing extra: the same messages and cost as a run that was never killed.
    expect([...after.ledgerSent].sort()).toEqual([...reference.ledgerSent].sort());
    expect(after.cost).toBe(reference.cost);
    for (const w of after.waves) {
      expect(w.reconciles, `${w.waveId}: audience = sent + suppressed + failed`).toBe(true);
      expect(w.failed, w.waveId).toEqual({});
    }
    expect(after.waves.map((w) => w.audience)).toEqual(reference.waves.map((w) => w.audience));
    expect(again.stdout).toMatch(/↻ .* d11-cashback: its earlier run was cut short/);
  });
});
