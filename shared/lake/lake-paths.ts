import { resolve } from 'node:path';

export function lakeRoot(dataDir: string): string {
  return resolve(dataDir, 'lake');
}

export function tableDir(dataDir: string, table: string): string {
  return resolve(lakeRoot(dataDir), table);
}
