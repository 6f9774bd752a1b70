import type { Command } from 'commander';
import { resolveDataDir } from '../../local/data-dir.ts';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { effectivePolicy } from '../../shared/campaign/contact-policy.ts';
import { loadCampaignWithPolicy } from '../../shared/campaign/shop-policy.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type CampaignPreview, previewCampaign } from '../../shared/segment/preview-campaign.ts';
import { instantToLocal } from '../../shared/time/zoned-time.ts';
import { checkWaveIds, localTimeOption } from '../campaign-options.ts';
import { formatTable, printJson } from '../output.ts';

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description(
      'per wave: the audience after each step (segment, consent and suppression, caps, holdout), channels, overlap',
    )
    .argument('<file>', 'campaign YAML or JSON')
    .option('--wave <id...>', 'only these waves')
    .option(
      '--at <time>',
      "evaluate every wave at this local time (YYYY-MM-DDTHH:mm, campaign's zone) instead of its start",
    )
    .option(
      '--policy <file>',
      'the shop-wide contact policy (default: contact-policy.yaml next to the campaign, else built-in)',
    )
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option('--json', 'print the preview as JSON')
    .action(
      async (
        file: string,
        opts: { wave?: string[]; at?: string; policy?: string; dataDir?: string; json?: boolean },
      ) => {
        const { campaign, policy: shopPolicy } = await loadCampaignWithPolicy(file, opts.policy);
        checkWaveIds(campaign, file, opts.wave);
        const at = localTimeOption('--at', opts.at, campaign);
        const wh = await DuckDbWarehouse.open(resolveDataDir(opts.dataDir));
        try {
          const preview = await previewCampaign(wh, campaign, {
            policy: effectivePolicy(shopPolicy, campaign),
            dialect: 'duckdb',
            ...(at ? { at } : {}),
            ...(opts.wave ? { waveIds: opts.wave } : {}),
          });
          if (opts.json) printJson(preview);
          else printPreview(preview, campaign);
        } finally {
          await wh.close();
        }
      },
    );
}

const n = (x: number) => x.toLocaleString('en-US');
const breakdown = (m: Record<string, number>) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ');

function printPreview(p: CampaignPreview, campaign: Campaign): void {
  for (const w of p.waves) {
    const wave = campaign.waves.find((x) => x.id === w.waveId);
    const audience = wave?.audience.segment ? `segment ${wave.audience.segment}` : 'inline rule';
    console.log(
      `\n${w.waveId}${w.name ? ` — ${w.name}` : ''}  at ${instantToLocal(new Date(w.runAt), campaign.timeZone).replace('T', ' ')} (${campaign.timeZone}), ${audience}`,
    );
    console.log(
      formatTable(
        ['step', 'customers', 'left out'],
        [
          ['segment', w.funnel.segment, ''],
          ['consent and suppression', w.funnel.reachable, breakdown(w.suppressed)],
          ['frequency caps already used', w.funnel.underCaps, breakdown(w.capped)],
          [
            `holdout (${campaign.holdoutPercent}%)`,
            w.funnel.eligible,
            w.holdout ? `holdout ${n(w.holdout)}` : '',
          ],
        ],
      ),
    );
    console.log(
      `channels: ${breakdown(w.channels) || '–'}${Object.keys(w.tiers).length ? `; tiers: ${breakdown(w.tiers)}` : ''}`,
    );
    console.log(`sample: ${w.sampleIds.join(', ') || '–'}`);
  }
  if (p.overlap.length) {
    console.log('\noverlap (eligible in both waves)');
    console.log(
      formatTable(
        ['wave', 'wave ', 'customers'],
        p.overlap.map((o) => [o.a, o.b, o.customers]),
      ),
    );
  }
  console.log('\nHistory predicates (notReachedBy, messageHistory) see the sends recorded so far.');
}
