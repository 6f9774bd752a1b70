import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveDataDir } from '../../local/data-dir.ts';
import { shopPolicy } from '../../shared/campaign/shop-policy.ts';
import { systemClock } from '../../shared/clock.ts';
import { withDataFolder } from '../../shared/data-folder-lock.ts';
import { UserError } from '../../shared/errors.ts';
import { lakeRoot } from '../../shared/lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { baseMemberTier, repurchaseBenchmark } from '../../shared/lake/shop-analyses.ts';
import { analysesSummary } from '../../shared/shop/analyses-summary.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';
import { type ConsentImportResult, importConsents } from '../../shared/shop/local/import/import-consents.ts';
import {
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportResult,
  importOrders,
} from '../../shared/shop/local/import/import-orders.ts';
import { importPoints, type PointsImportResult } from '../../shared/shop/local/import/import-points.ts';
import { importProducts, type ProductImportResult } from '../../shared/shop/local/import/import-products.ts';
import { shopProfile } from '../../shared/shop/shop-profile.ts';
import { printJson } from '../output.ts';
import { printProfile } from '../print-profile.ts';
import { stepReporter } from '../progress.ts';

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UserError(`--${name} expects a positive whole number, got "${v}"`);
  return n;
};

export function registerData(program: Command): void {
  const data = program
    .command('data')
    .description('the local shop data lake: generate a sample shop, import order exports');

  data
    .command('generate')
    .description(
      'write a deterministic, realistic sample shop (customers, products, orders, order items) into the local lake',
    )
    .option('--customers <n>', 'number of customers', positiveInt('customers'), 100_000)
    .option(
      '--orders <n>',
      'orders to aim for (default: as many as the model’s buyers place, about 1.5 per customer)',
      positiveInt('orders'),
    )
    .option('--seed <n>', 'random seed: the same seed gives the same shop', positiveInt('seed'), 1)
    .option('--as-of <date>', 'last day of the shop history, YYYY-MM-DD (default: today)')
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option('--force', 'replace the tables of an existing lake')
    .option(
      '--policy <file>',
      'the shop settings with the member tiers (default: campaigns/contact-policy.yaml if present)',
    )
    .option('--json', 'print the result as JSON')
    .action(
      async (opts: {
        policy?: string;
        customers: number;
        orders?: number;
        seed: number;
        asOf?: string;
        dataDir?: string;
        force?: boolean;
        json?: boolean;
      }) => {
        const dataDir = resolveDataDir(opts.dataDir);
        if (existsSync(lakeRoot(dataDir)) && !opts.force) {
          throw new UserError(
            `a lake already exists in ${lakeRoot(dataDir)}; pass --force to replace its tables`,
          );
        }
        const asOf = opts.asOf ?? systemClock.now().toISOString().slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) {
          throw new UserError(`--as-of expects a date YYYY-MM-DD, got "${asOf}"`);
        }
        const { policy } = await shopPolicy(opts.policy);
        const progress = stepReporter(!opts.json);
        const started = Date.now();
        const result = await withDataFolder(dataDir, 'campaign data generate', () =>
          generateShop({
            dataDir,
            memberTiers: policy.memberTiers,
            points: policy.points,
            customers: opts.customers,
            orders: opts.orders,
            seed: opts.seed,
            asOf,
            onProgress: (_step, done, total) =>
              progress.update(
                `generating orders (chunk ${Math.min(done + 1, total)}/${total})`,
                done / total,
              ),
          }),
        );
        progress.done(
          `generated ${result.customers} customers, ${result.orders} orders in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        if (opts.json) printJson({ dataDir, ...result });
        else console.log(`lake: ${lakeRoot(dataDir)} (${result.from} … ${result.to})`);
      },
    );

  data
    .command('import')
    .description(
      'import an order export (Taobao/Tmall, Shopify, any CSV with a mapping file, or an order-events feed), a product list (--format products), consent records (--format consent) or points redemptions (--format points) into the local lake',
    )
    .argument('<file>', 'the CSV export, or JSON lines for --format order-events')
    .requiredOption(
      '--format <format>',
      `one of ${[...IMPORT_FORMATS, 'products', 'consent', 'points'].join(', ')}`,
    )
    .option('--mapping <file>', 'column mapping (YAML) for --format mapped')
    .option('--rejects <file>', 'where rows that cannot be imported go (default: <file>.rejects.csv)')
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option(
      '--policy <file>',
      'the shop settings with the member tiers (default: campaigns/contact-policy.yaml if present)',
    )
    .option('--json', 'print the counts as JSON')
    .action(
      async (
        file: string,
        opts: {
          format: string;
          mapping?: string;
          rejects?: string;
          dataDir?: string;
          policy?: string;
          json?: boolean;
        },
      ) => {
        const formats = [...IMPORT_FORMATS, 'products', 'consent', 'points'];
        if (!formats.includes(opts.format)) {
          throw new UserError(`--format expects one of ${formats.join(', ')}, got "${opts.format}"`);
        }
        if (opts.format === 'mapped' && !opts.mapping)
          throw new UserError('--format mapped needs --mapping <file>');
        const dataDir = resolveDataDir(opts.dataDir);
        const rejectsFile = opts.rejects ?? `${file}.rejects.csv`;
        const { policy } = await shopPolicy(opts.policy);
        const result = await withDataFolder<
          ImportResult | ProductImportResult | ConsentImportResult | PointsImportResult
        >(dataDir, 'campaign data import', () =>
          opts.format === 'products'
            ? importProducts({ file, rejectsFile, dataDir })
            : opts.format === 'consent'
              ? importConsents({ file, rejectsFile, dataDir, now: systemClock.now() })
              : opts.format === 'points'
                ? importPoints({ file, rejectsFile, dataDir, rule: policy.points, now: systemClock.now() })
                : importOrders({
                    file,
                    format: opts.format as ImportFormat,
                    mappingFile: opts.mapping,
                    rejectsFile,
                    dataDir,
                    memberTiers: policy.memberTiers,
                    points: policy.points,
                  }),
        );
        if (opts.json) printJson(result);
        else {
          console.log(
            `read ${result.read} rows (${result.encoding}): ${result.imported} imported, ${result.rejected} rejected`,
          );
          console.log(
            'ordersNew' in result
              ? `orders: ${result.ordersNew} new, ${result.ordersUpdated} updated; customers: ${result.customersNew} new${result.cityTierUnknown > 0 ? `, ${result.cityTierUnknown} in a city without a known tier (city_tier NULL)` : ''}${result.stale > 0 ? `; ${result.stale} older than the lake's version, left as they were` : ''}`
              : 'redeemed' in result
                ? `points: ${result.redeemed} redemptions, ${result.adjusted} adjustments; ledger rows: ${result.ledgerRows}`
                : 'given' in result
                  ? `consent records: ${result.given} given, ${result.withdrawn} withdrawn; customers whose consent changed: ${result.customersChanged}`
                  : `products: ${result.products} (${result.productsNew} new); order lines brought in step: ${result.orderLinesUpdated}`,
          );
          if (result.rejected > 0) {
            const conflicts =
              'conflicts' in result && result.conflicts > 0
                ? ` (${result.conflicts} in copies that disagree)`
                : '';
            console.log(`rejects: ${result.rejectsFile}${conflicts}; the first:`);
            for (const r of result.firstRejects) console.log(`  line ${r.line}: ${r.reason}`);
          }
        }
      },
    );

  data
    .command('profile')
    .description(
      'print the shop profile: customers, orders, one-time buyers, dormant, second-purchase rate (against the industry figure in the contact policy), returning customers’ share, members’ repurchase',
    )
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option(
      '--policy <file>',
      'the contact policy with the industry figure (default: campaigns/contact-policy.yaml if present)',
    )
    .option(
      '--include-simulated',
      'count the orders the response simulation wrote (orders.source = simulation); left out by default',
    )
    .option('--json', 'print the profile as JSON')
    .action(
      async (opts: { dataDir?: string; policy?: string; includeSimulated?: boolean; json?: boolean }) => {
        const { policy } = await shopPolicy(opts.policy);
        const simulated = opts.includeSimulated ? 'include' : 'exclude';
        const wh = await DuckDbWarehouse.open(resolveDataDir(opts.dataDir), {
          benchmark: repurchaseBenchmark(policy),
          baseTier: baseMemberTier(policy),
          simulated,
        });
        try {
          const profile = await shopProfile(wh);
          const analyses = await analysesSummary(wh);
          if (opts.json) printJson({ ...profile, simulated: `${simulated}d`, analyses });
          else printProfile(profile, analyses, simulated);
        } finally {
          await wh.close();
        }
      },
    );
}
