import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveDataDir } from '../../local/data-dir.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { statePaths } from '../../shared/delivery/local/local-adapters.ts';
import { JournalWaveRunStore } from '../../shared/delivery/wave-runs/local/journal-wave-run-store.ts';
import { statusWaveIds, type WaveStatus, waveStatuses } from '../../shared/delivery/wave-status.ts';
import { UserError } from '../../shared/errors.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { formatTable, printJson } from '../output.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'per wave: audience, sent per channel, suppressed per reason, failed, in flight; whether it reconciles',
    )
    .argument('<campaign>', 'campaign file, or campaign id')
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option('--json', 'print the statuses as JSON')
    .action(async (arg: string, opts: { dataDir?: string; json?: boolean }) => {
      const dataDir = resolveDataDir(opts.dataDir);
      const runs = new JournalWaveRunStore(statePaths(dataDir).runs, { mode: 'read-only' });
      const warehouse = await DuckDbWarehouse.open(dataDir);
      try {
        let campaignId = arg;
        let waveIds: string[];
        if (existsSync(arg)) {
          const campaign = await loadConfigFile(Campaign, arg);
          campaignId = campaign.id;
          waveIds = await statusWaveIds(campaign, runs);
        } else {
          const known = (await runs.list(arg)).sort((a, b) => a.runAt.localeCompare(b.runAt));
          if (known.length === 0)
            throw new UserError(
              `no file ${arg}, and no wave of a campaign with that id has run in ${dataDir}`,
            );
          waveIds = known.map((r) => r.waveId);
        }
        const statuses = await waveStatuses({ warehouse, runs }, campaignId, waveIds);
        if (opts.json) printJson(statuses);
        else printStatus(campaignId, statuses);
      } finally {
        await runs.close();
        await warehouse.close();
      }
    });
}

const total = (m: Record<string, number | undefined>) =>
  Object.values(m).reduce<number>((a, b) => a + (b ?? 0), 0);
const detail = (m: Record<string, number | undefined>) =>
  Object.entries(m)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function printStatus(campaignId: string, statuses: WaveStatus[]): void {
  console.log(`\n${campaignId}`);
  console.log(
    formatTable(
      ['wave', 'state', 'audience', 'sent', 'by channel', 'suppressed', 'by reason', 'failed', 'in flight'],
      statuses.map((s) => [
        s.waveId,
        s.state,
        s.audience ?? '-',
        total(s.sent),
        detail(s.sent),
        total(s.suppressed),
        detail(s.suppressed),
        total(s.failed) ? `${total(s.failed)} (${detail(s.failed)})` : '0',
        s.inFlight ?? '-',
      ]),
    ),
  );
  for (const s of statuses) {
    if (s.state === 'not-run') continue;
    const sum = `${total(s.sent)} sent + ${total(s.suppressed)} suppressed + ${total(s.failed)} failed`;
    if (s.reconciles) console.log(`✔ ${s.waveId}: audience ${s.audience} = ${sum}`);
    else if (s.state === 'drained')
      console.log(`✘ ${s.waveId}: drained but audience ${s.audience} ≠ ${sum} (${s.inFlight} unaccounted)`);
    else console.log(`… ${s.waveId}: ${s.state}, ${s.inFlight ?? 'unknown'} in flight (${sum} so far)`);
  }
  for (const s of statuses)
    if (s.rollout)
      console.log(
        `↳ ${s.waveId}: rollout from ${s.rollout.pilotWaveId} (${s.rollout.metric}): ${s.rollout.outcome}, sends ${s.rollout.picked.join(', ')} — ${s.rollout.reason}`,
      );
}
