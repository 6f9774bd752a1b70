import type { Command } from 'commander';
import { configJsonSchema } from '../../shared/campaign/json-schema.ts';
import { printJson } from '../output.ts';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of campaign files (or of the contact policy file), for editors')
    .option('--policy', 'the contact policy file’s schema instead of the campaign’s')
    .option('--json', 'JSON output (the default; accepted for symmetry with other commands)')
    .action((opts: { policy?: boolean }) => {
      printJson(configJsonSchema(opts.policy ? 'contact-policy' : 'campaign'));
    });
}
