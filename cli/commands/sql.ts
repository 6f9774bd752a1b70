import type { Command } from 'commander';
import { resolveDataDir } from '../../local/data-dir.ts';
import { shopPolicy } from '../../shared/campaign/shop-policy.ts';
import { UserError } from '../../shared/errors.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { baseMemberTier, repurchaseBenchmark } from '../../shared/lake/shop-analyses.ts';
import { raw } from '../../shared/lake/sql.ts';
import { formatTable, printJson } from '../output.ts';

export function registerSql(program: Command): void {
  program
    .command('sql')
    .description(
      'run SQL over the local lake with DuckDB (tables: customers, products, orders, order_items, …; the analysts’ views: docs/analyses.md, docs/responses.md)',
    )
    .argument('<query>', 'the SQL statement')
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option('--max-rows <n>', 'rows to print in the table view', '200')
    .option(
      '--policy <file>',
      'the contact policy whose benchmarks repurchase_vs_industry compares with (default: campaigns/contact-policy.yaml if present)',
    )
    .option('--json', 'print the rows as JSON')
    .action(
      async (query: string, opts: { dataDir?: string; maxRows: string; policy?: string; json?: boolean }) => {
        const max = Number(opts.maxRows);
        if (!Number.isSafeInteger(max) || max < 0)
          throw new UserError(`--max-rows expects a whole number, got "${opts.maxRows}"`);
        const { policy } = await shopPolicy(opts.policy);
        const wh = await DuckDbWarehouse.open(resolveDataDir(opts.dataDir), {
          benchmark: repurchaseBenchmark(policy),
          baseTier: baseMemberTier(policy),
        });
        try {
          // The statement the analyst typed is SQL already: run as given (RAW_SQL in tests/architecture.test.ts).
          const { columns, rows } = await wh.query(raw(query));
          if (opts.json) {
            printJson(rows);
            return;
          }
          const shown = rows
            .slice(0, max)
            .map((r) => columns.map((c) => (r[c] === null ? 'NULL' : (r[c] as string | number))));
          console.log(formatTable(columns, shown));
          console.log(
            `(${rows.length} row${rows.length === 1 ? '' : 's'}${rows.length > max ? `, ${max} shown` : ''})`,
          );
        } finally {
          await wh.close();
        }
      },
    );
}
