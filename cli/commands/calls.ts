import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveDataDir } from '../../local/data-dir.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { systemClock } from '../../shared/clock.ts';
import { tookOverLine, withDataFolder } from '../../shared/data-folder-lock.ts';
import { JournalContactStore } from '../../shared/delivery/contact-policy/local/journal-contact-store.ts';
import { exportCallLists, type SheetEncoding } from '../../shared/delivery/local/export-call-list.ts';
import { statePaths } from '../../shared/delivery/local/local-adapters.ts';
import { UserError } from '../../shared/errors.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../../shared/lake/local/staged-parquet-writer.ts';
import { EVENTS, SUPPRESSIONS } from '../../shared/lake/tables.ts';
import { recordCallOutcomes, rejectsCsv } from '../../shared/responses/call-outcomes.ts';
import { formatTable, printJson } from '../output.ts';

const DATA_DIR = [
  '--data-dir <dir>',
  'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)',
] as const;

function encodingOf(value: string): SheetEncoding {
  const v = value.toLowerCase().replace('utf8', 'utf-8');
  if (v !== 'utf-8' && v !== 'gbk') throw new UserError(`--encoding: expected utf-8 or gbk, got ${value}`);
  return v;
}

/** A campaign argument: its file (for the id), or the id itself. */
async function campaignIdOf(arg: string): Promise<string> {
  return existsSync(arg) ? (await loadConfigFile(Campaign, arg)).id : arg;
}

export function registerCalls(program: Command): void {
  const calls = program
    .command('calls')
    .description(
      "the call lists for service staff: export them (masked, or with full numbers on request), record the calls' outcomes",
    );

  calls
    .command('export')
    .description(
      "each wave's call list as staff open it in Excel; --full-numbers writes a separate dialling export only you can read (mode 0600)",
    )
    .argument('<campaign>', 'campaign file, or campaign id')
    .option('--wave <id...>', 'only these waves')
    .option(
      '--full-numbers',
      'also write the dialling export with full phone numbers (<list>.full.csv, mode 0600)',
    )
    .option(
      '--encoding <encoding>',
      'utf-8 (with BOM: Excel on any system) or gbk (a copy for older tools)',
      'utf-8',
    )
    .option(...DATA_DIR)
    .option('--json', 'print the files as JSON')
    .action(
      async (
        arg: string,
        opts: { wave?: string[]; fullNumbers?: boolean; encoding: string; dataDir?: string; json?: boolean },
      ) => {
        const encoding = encodingOf(opts.encoding);
        const campaignId = await campaignIdOf(arg);
        const dataDir = resolveDataDir(opts.dataDir);
        const warehouse = await DuckDbWarehouse.open(dataDir);
        try {
          const files = await exportCallLists({
            outbox: statePaths(dataDir).outbox,
            warehouse,
            campaignId,
            waveIds: opts.wave,
            fullNumbers: opts.fullNumbers === true,
            encoding,
          });
          if (opts.json) return printJson(files);
          console.log(
            formatTable(
              ['wave', 'rows', 'left out', 'file'],
              files.map((f) => [f.waveId, f.rows, f.leftOut, f.file]),
            ),
          );
          const lost = files.reduce((n, f) => n + f.unencodable, 0);
          if (lost)
            console.log(
              `${lost} character(s) have no GBK form and were written as "?": the UTF-8 list has them`,
            );
          if (opts.fullNumbers)
            console.log(
              'full numbers: readable by you alone (0600); give them only to staff allowed to dial, delete them when the calls are done',
            );
        } finally {
          await warehouse.close();
        }
      },
    );

  calls
    .command('record')
    .description(
      'record the outcomes staff wrote in a call list (结果: 已接通, 未接通, 拒绝, 成交, 回拨, 拒绝再联系) as response events',
    )
    .argument('<file>', 'the filled call list (CSV, UTF-8 or GBK)')
    .option('--rejects <file>', 'where rows that cannot be recorded go (default: <file>.rejects.csv)')
    .option(...DATA_DIR)
    .option('--json', 'print the counts as JSON')
    .action(async (file: string, opts: { rejects?: string; dataDir?: string; json?: boolean }) => {
      if (!existsSync(file)) throw new UserError(`no file ${file}`);
      const bytes = readFileSync(file);
      const dataDir = resolveDataDir(opts.dataDir);
      const report = await withDataFolder(
        dataDir,
        'campaign calls record',
        async () => {
          for (const table of [EVENTS, SUPPRESSIONS]) await StagedParquetWriter.recoverStaged(dataDir, table);
          const warehouse = await DuckDbWarehouse.open(dataDir);
          const contacts = new JournalContactStore(statePaths(dataDir).contacts);
          const events = new StagedParquetWriter(dataDir, EVENTS);
          const suppressions = new StagedParquetWriter(dataDir, SUPPRESSIONS);
          try {
            const r = await recordCallOutcomes(
              { warehouse, contacts, events, suppressions },
              bytes,
              file,
              systemClock.now(),
            );
            await Promise.all([events.flush(), suppressions.flush()]);
            return r;
          } finally {
            await contacts.close();
            await warehouse.close();
          }
        },
        (from) => process.stderr.write(`${tookOverLine(from)}\n`),
      );
      const rejectsFile = opts.rejects ?? `${file}.rejects.csv`;
      if (report.rejected.length) writeFileSync(rejectsFile, rejectsCsv(report.rejected));
      if (opts.json)
        return printJson({ ...report, rejectsFile: report.rejected.length ? rejectsFile : null });
      const outcomes = Object.entries(report.byOutcome)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      console.log(
        `read ${report.read} rows (${report.encoding}): ${report.recorded} recorded${outcomes ? ` (${outcomes})` : ''}, ${report.alreadyRecorded} already recorded, ${report.notCalled} not called yet, ${report.rejected.length} rejected`,
      );
      if (report.optedOut)
        console.log(
          `${report.optedOut} customer(s) asked not to be contacted again: suppressed on every channel`,
        );
      if (report.rejected.length) console.log(`rejects: ${rejectsFile}`);
    });
}
