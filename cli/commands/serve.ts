import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { startServer } from '../../local/api-server.ts';
import { resolveDataDir } from '../../local/data-dir.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { ContactPolicy, DEFAULT_CONTACT_POLICY } from '../../shared/campaign/contact-policy-schema.ts';
import { UserError } from '../../shared/errors.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the campaign API on this machine (the same routes as on AWS): create, preview, launch, status, report, and the click and unsubscribe links',
    )
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--policy <file>',
      'the shop-wide contact policy (default: campaigns/contact-policy.yaml if present)',
    )
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option(
      '--simulated',
      'run launched waves at once on a simulated clock, each at its scheduled start (for trying the API on sample data)',
    )
    .action(
      async (opts: {
        port: string;
        host: string;
        policy?: string;
        dataDir?: string;
        simulated?: boolean;
      }) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65_535)
          throw new UserError(`--port expects a port number, got ${opts.port}`);
        const policyFile = opts.policy ?? 'campaigns/contact-policy.yaml';
        const policy = await loadConfigFile(ContactPolicy, policyFile).catch((e) => {
          if (opts.policy) throw e;
          return DEFAULT_CONTACT_POLICY;
        });
        const given = process.env.CAMPAIGN_API_KEY;
        const apiKey = given && given.length > 0 ? given : randomBytes(24).toString('base64url');
        const server = await startServer({
          dataDir: resolveDataDir(opts.dataDir),
          port,
          host: opts.host,
          apiKey,
          policy,
          simulated: opts.simulated === true,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        console.log(`campaign API on ${server.url} (OpenAPI: ${server.url}/openapi.json)`);
        if (!given) console.log(`API key (set CAMPAIGN_API_KEY to choose your own): ${apiKey}`);
        const stop = async () => {
          await server.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );
}
