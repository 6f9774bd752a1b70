import type { Command } from 'commander';
import { Campaign } from '../../campaign/campaign-schema.ts';
import { loadConfigFile } from '../../campaign/config-file.ts';
import { ContactPolicy } from '../../campaign/contact-policy-schema.ts';
import { ConfigError, formatProblem, type Problem } from '../../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';
import { isPolicyFile } from '../shop-policy.ts';

interface FileResult {
  file: string;
  kind: 'campaign' | 'contact-policy';
  ok: boolean;
  problems: Problem[];
}

async function check(file: string, kind: FileResult['kind']): Promise<FileResult> {
  try {
    await loadConfigFile(kind === 'campaign' ? Campaign : ContactPolicy, file);
    return { file, kind, ok: true, problems: [] };
  } catch (e) {
    if (e instanceof ConfigError) return { file, kind, ok: false, problems: [...e.problems] };
    throw e;
  }
}

/** The shop-wide policy is recognised by its file name, so `campaign validate campaigns/*` checks it too. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check campaign files and contact policy files (named contact-policy.yaml) and report every problem at once',
    )
    .argument('<files...>', 'campaign YAML or JSON files')
    .option('--policy <file>', 'the shop-wide contact policy file to check as well')
    .option('--json', 'print the results as JSON')
    .action(async (files: string[], opts: { policy?: string; json?: boolean }) => {
      const results = await Promise.all(
        files.map((f) => check(f, isPolicyFile(f) ? 'contact-policy' : 'campaign')),
      );
      if (opts.policy) results.push(await check(opts.policy, 'contact-policy'));
      const problems = results.flatMap((r) => r.problems);
      if (opts.json) printJson({ ok: problems.length === 0, files: results });
      else {
        for (const r of results) {
          if (r.ok) console.log(`ok   ${r.file}`);
          else for (const p of r.problems) console.error(formatProblem(p));
        }
        if (problems.length > 0)
          console.error(`${problems.length} problem(s) in ${results.filter((r) => !r.ok).length} file(s)`);
      }
      if (problems.length > 0) process.exitCode = EXIT.userError;
    });
}
