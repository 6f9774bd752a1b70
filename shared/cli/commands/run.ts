import type { Command } from 'commander';
import { Campaign } from '../../campaign/campaign-schema.ts';
import { loadConfigFile } from '../../campaign/config-file.ts';
import { ManualClock } from '../../clock.ts';
import { InMemoryCatalog, scheduleCampaign } from '../../delivery/campaign-catalog.ts';
import { ParquetLedger } from '../../delivery/ledger/local/parquet-ledger.ts';
import { openLocalDelivery } from '../../delivery/local/local-delivery.ts';
import { runWaveLocally } from '../../delivery/local/run-wave.ts';
import { waveStatuses } from '../../delivery/wave-status.ts';
import { resolveDataDir } from '../../lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import { instantToLocal } from '../../time/zoned-time.ts';
import { checkWaveIds, localTimeOption } from '../campaign-options.ts';
import { printJson } from '../output.ts';
import { shopPolicyFor } from '../shop-policy.ts';
import { printStatus } from './status.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      "run a campaign's waves on one machine, in order on a simulated clock: plan, queue, send to the local outbox, record the ledger",
    )
    .argument('<file>', 'campaign YAML or JSON')
    .option('--wave <id...>', 'only these waves')
    .option(
      '--until <time>',
      "stop before waves starting after this local time (YYYY-MM-DDTHH:mm, campaign's zone)",
    )
    .option(
      '--policy <file>',
      'the shop-wide contact policy (default: contact-policy.yaml next to the campaign)',
    )
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option('--json', 'print the wave statuses as JSON')
    .action(
      async (
        file: string,
        opts: { wave?: string[]; until?: string; policy?: string; dataDir?: string; json?: boolean },
      ) => {
        const campaign = await loadConfigFile(Campaign, file);
        const { policy } = await shopPolicyFor(file, opts.policy);
        checkWaveIds(campaign, file, opts.wave);
        const until = localTimeOption('--until', opts.until, campaign);
        const waves = scheduleCampaign(campaign, policy)
          .filter((w) => !opts.wave || opts.wave.includes(w.wave.id))
          .filter((w) => !until || w.start <= until)
          .sort((a, b) => a.start.getTime() - b.start.getTime());
        const dataDir = resolveDataDir(opts.dataDir);
        await ParquetLedger.recoverStaged(dataDir);
        const clock = new ManualClock(waves[0]?.start ?? new Date());
        const local = openLocalDelivery(dataDir, clock);
        const warehouse = await DuckDbWarehouse.open(dataDir);
        const catalog = new InMemoryCatalog([campaign], policy);
        const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
        try {
          for (const sw of waves) {
            const started = Date.now();
            const at = instantToLocal(sw.start, campaign.timeZone).replace('T', ' ');
            const r = await runWaveLocally(local, { warehouse, catalog, clock, dataDir }, sw);
            if (r.plan.kind === 'already-run') {
              log(
                `· ${at}  ${sw.wave.id}: already run (drained ${r.plan.run.drainedAt}); nothing sent again`,
              );
              continue;
            }
            const dead = r.deadLetters.failed + r.deadLetters.unreadable.length;
            log(
              `✔ ${at}  ${sw.wave.id}: audience ${r.plan.run.audience}, queued ${r.plan.queued}, left out at planning ${r.plan.suppressed}` +
                `${r.plan.reservations ? `, ${r.plan.reservations} reservations for later waves` : ''}${dead ? `, ${dead} dead-lettered` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
            );
            if (r.deadLetters.unreadable.length)
              log(
                `  ${r.deadLetters.unreadable.length} unreadable dead letter(s): ${r.deadLetters.unreadable.join(', ')}`,
              );
          }
          const statuses = await waveStatuses(
            { warehouse, runs: local.runs },
            campaign.id,
            campaign.waves.map((w) => w.id),
          );
          if (opts.json) printJson(statuses);
          else printStatus(campaign.id, statuses);
        } finally {
          await local.close();
          await warehouse.close();
        }
      },
    );
}
