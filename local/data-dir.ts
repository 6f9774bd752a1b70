import { resolve } from 'node:path';

/** Where local data lives: --data-dir, else $CAMPAIGN_DATA_DIR, else ./.campaign in the working directory. */
export function resolveDataDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(option ?? env.CAMPAIGN_DATA_DIR ?? '.campaign');
}
