import { createHash } from 'node:crypto';

/** The bucket 0–9999 the SQL computes with bucketSql: first 32 bits of MD5(key), modulo 10,000. */
export function stableBucket(key: string): number {
  return Number.parseInt(createHash('md5').update(key).digest('hex').slice(0, 8), 16) % 10_000;
}
