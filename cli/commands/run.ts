import type { Command } from 'commander';
import { resolveDataDir } from '../../local/data-dir.ts';
import { loadCampaignWithPolicy, siblingCampaigns } from '../../shared/campaign/shop-policy.ts';
import { realTimeline, systemClock } from '../../shared/clock.ts';
import { type LockHolder, tookOverLine, withDataFolder } from '../../shared/data-folder-lock.ts';
import { forgetCampaignLocally } from '../../shared/delivery/local/fresh-run.ts';
import { DEFAULT_RESPONSE_MODEL } from '../../shared/responses/simulate-responses.ts';
import { checkWaveIds, localTimeOption } from '../campaign-options.ts';
import { printJson } from '../output.ts';
import { stepReporter } from '../progress.ts';
import { runCampaign } from '../run-campaign.ts';
import { printStatus } from './status.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      "run a campaign's waves on one machine, in order on a simulated clock (or --real-time): plan, queue, send to the local outbox, record the ledger",
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
    .option(
      '--simulate',
      "simulate the audience's responses after each wave (seeded; everything it writes is marked simulated)",
    )
    .option(
      '--fresh',
      "forget this campaign's previous runs here first (sends, events, simulated orders, outbox)",
    )
    .option(
      '--real-time',
      "wait for each wave's real start on the wall clock (and for deferred sends), instead of a simulated clock",
    )
    .option('--json', 'print the wave statuses as JSON')
    .action(
      async (
        file: string,
        opts: {
          wave?: string[];
          until?: string;
          policy?: string;
          dataDir?: string;
          json?: boolean;
          simulate?: boolean;
          fresh?: boolean;
          realTime?: boolean;
        },
      ) => {
        const { campaign, policy } = await loadCampaignWithPolicy(file, opts.policy);
        checkWaveIds(campaign, file, opts.wave);
        const until = localTimeOption('--until', opts.until, campaign);
        const dataDir = resolveDataDir(opts.dataDir);
        const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
        // Nothing in the data folder is touched before it is ours (--fresh included).
        const onTakeOver = (from: LockHolder) => log(tookOverLine(from));
        await withDataFolder(
          dataDir,
          `campaign run ${campaign.id}`,
          async () => {
            if (opts.fresh) {
              const gone = await forgetCampaignLocally(dataDir, campaign.id, systemClock);
              log(
                `· --fresh: forgot ${campaign.id}'s earlier runs (${gone.sends} ledger rows, ${gone.events} events, ${gone.orders} simulated orders, ${gone.customers} customers' claims)`,
              );
            }
            const { campaigns: others, skipped } = await siblingCampaigns(file);
            for (const f of skipped)
              process.stderr.write(`! ${f} is not a valid campaign: left out of priority arbitration\n`);
            const statuses = await runCampaign(campaign, policy, {
              dataDir,
              others,
              simulate: opts.simulate ? DEFAULT_RESPONSE_MODEL : undefined,
              waveIds: opts.wave,
              until,
              log,
              timeline: opts.realTime ? () => realTimeline() : undefined,
              progress: stepReporter(process.stderr.isTTY === true),
            });
            if (opts.json) printJson(statuses);
            else printStatus(campaign.id, statuses);
          },
          onTakeOver,
        );
      },
    );
}
