import { resolve } from 'node:path';

/** Where local data lives: --data-dir, else $CAMPAIGN_DATA_DIR, else ./.campaign in the working directory. */
export function resolveDataDir(option?: string): string {
  return resolve(option ?? process.env.CAMPAIGN_DATA_DIR ?? '.campaign');
}

export function lakeRoot(dataDir: string): string {
  return resolve(dataDir, 'lake');
}

export function tableDir(dataDir: string, table: string): string {
  return resolve(lakeRoot(dataDir), table);
}
