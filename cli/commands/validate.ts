import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir } from '../../local/data-dir.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { repeatCapWarnings } from '../../shared/campaign/repeat-cap-warnings.ts';
import { isPolicyFile, shopPolicyFor } from '../../shared/campaign/shop-policy.ts';
import { ConfigError, formatProblem, type Problem } from '../../shared/errors.ts';
import { lakeRoot } from '../../shared/lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type CampaignSource, ruleValues, valueWarnings } from '../../shared/segment/segment-values.ts';
import { calendarProblems } from '../../shared/segment/shop-calendar-checks.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';

interface FileResult {
  file: string;
  kind: 'campaign' | 'contact-policy';
  ok: boolean;
  problems: Problem[];
  /**
   * Segment values that select no customer in the data, and recurring waves a cap keeps from reaching
   * the same customers at each occurrence: reported, failing only with --strict.
   */
  warnings: Problem[];
}

interface Checked {
  result: FileResult;
  /** A valid campaign, whose segment values are checked against the data. */
  source?: CampaignSource;
  /** The problems of the shop policy the campaign runs under, which is then not checked against. */
  policyProblems?: readonly Problem[];
}

/**
 * Checks one file. A campaign is also checked against the shop's calendar (the promotions, seasons and
 * age bands its rules name) in the policy it runs under: `policy`, else contact-policy.yaml beside it.
 */
async function check(file: string, kind: FileResult['kind'], policy?: string): Promise<Checked> {
  const result: FileResult = { file, kind, ok: true, problems: [], warnings: [] };
  const failed = (problems: readonly Problem[]) => ({
    result: { ...result, ok: false, problems: [...problems] },
  });
  try {
    if (kind === 'contact-policy') {
      await loadConfigFile(ContactPolicy, file);
      return { result };
    }
    const campaign = await loadConfigFile(Campaign, file);
    const source = { file, text: await readFile(file, 'utf8'), campaign };
    const shop = await shopPolicyFor(file, policy).catch((e: unknown) => {
      if (e instanceof ConfigError) return e;
      throw e;
    });
    if (shop instanceof ConfigError) return { result, source, policyProblems: shop.problems };
    const problems = calendarProblems(source, shop.policy);
    if (problems.length > 0) return failed(problems);
    return { result: { ...result, warnings: repeatCapWarnings(source, shop.policy) }, source };
  } catch (e) {
    if (e instanceof ConfigError) return failed(e.problems);
    throw e;
  }
}

type DataCheck = { checked: true; dataDir: string } | { checked: false; dataDir: string; reason: string };

/** Adds the warnings of segment values that select nobody in the lake; without a lake, says so. */
async function checkValues(checked: readonly Checked[], dataDir: string): Promise<DataCheck | null> {
  const withValues = checked.filter((c) => c.source && ruleValues(c.source.campaign).length > 0);
  if (withValues.length === 0) return null;
  if (!existsSync(lakeRoot(dataDir))) return { checked: false, dataDir, reason: `no lake in ${dataDir}` };
  const wh = await DuckDbWarehouse.open(dataDir);
  try {
    const warnings = await valueWarnings(
      wh,
      withValues.map((c) => c.source as CampaignSource),
    );
    withValues.forEach((c, i) => {
      c.result.warnings = [...c.result.warnings, ...(warnings[i] ?? [])];
    });
  } finally {
    await wh.close();
  }
  return { checked: true, dataDir };
}

function warningKinds(warnings: readonly Problem[]): string {
  const repeats = warnings.filter((w) => w.path.endsWith('.repeat.every')).length;
  return [
    repeats < warnings.length ? 'segment values that select no customer' : null,
    repeats > 0 ? 'recurring waves a cap keeps from the customers they reached before' : null,
  ]
    .filter(Boolean)
    .join('; ');
}

/** The shop-wide policy is recognised by its file name, so `campaign validate campaigns/*` checks it too. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check campaign files and contact policy files (named contact-policy.yaml) and report every problem at once; segment values are checked against the local lake when there is one',
    )
    .argument('<files...>', 'campaign YAML or JSON files')
    .option('--policy <file>', 'the shop-wide contact policy file to check as well')
    .option(
      '--data-dir <dir>',
      'local data folder whose lake the segment values are checked against (default: $CAMPAIGN_DATA_DIR or ./.campaign)',
    )
    .option('--strict', 'fail (exit 1) on warnings too: segment values that match no customer in the data')
    .option('--json', 'print the results as JSON')
    .action(
      async (
        files: string[],
        opts: { policy?: string; dataDir?: string; strict?: boolean; json?: boolean },
      ) => {
        const checked = await Promise.all(
          files.map((f) => check(f, isPolicyFile(f) ? 'contact-policy' : 'campaign', opts.policy)),
        );
        if (opts.policy) checked.push(await check(opts.policy, 'contact-policy'));
        // A policy the campaigns run under that does not validate: its problems once, as its own file's.
        const policyFiles = new Set(checked.map((c) => resolve(c.result.file)));
        for (const c of [...checked]) {
          const first = c.policyProblems?.[0];
          if (!first || policyFiles.has(resolve(first.file))) continue;
          policyFiles.add(resolve(first.file));
          checked.push({
            result: {
              file: first.file,
              kind: 'contact-policy',
              ok: false,
              problems: [...(c.policyProblems ?? [])],
              warnings: [],
            },
          });
        }
        const dataCheck = await checkValues(checked, resolveDataDir(opts.dataDir));
        const results = checked.map((c) => c.result);
        const problems = results.flatMap((r) => r.problems);
        const warnings = results.flatMap((r) => r.warnings);
        const failed = problems.length > 0 || (opts.strict === true && warnings.length > 0);
        if (opts.json) printJson({ ok: !failed, files: results, dataCheck });
        else {
          for (const r of results) {
            if (r.ok) console.log(`ok   ${r.file}`);
            else for (const p of r.problems) console.error(formatProblem(p));
            for (const w of r.warnings) console.error(formatProblem(w));
          }
          if (dataCheck && !dataCheck.checked)
            console.log(`segment values were not checked against data: ${dataCheck.reason}`);
          if (problems.length > 0)
            console.error(`${problems.length} problem(s) in ${results.filter((r) => !r.ok).length} file(s)`);
          if (warnings.length > 0)
            console.error(
              `${warnings.length} warning(s): ${warningKinds(warnings)}${opts.strict ? ' (--strict: fails)' : ''}`,
            );
        }
        if (failed) process.exitCode = EXIT.userError;
      },
    );
}
