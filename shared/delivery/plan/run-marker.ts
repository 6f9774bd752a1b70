import { raw, type Sql } from '../../lake/sql.ts';

/**
 * The first line of every audience query: which wave run it is for (Athena keeps the query text, and
 * reports it when the query finishes: plan-finished-query.ts). A SQL comment holding JSON on one line:
 * JSON.stringify escapes \n and \r, the only characters that end a line comment in Athena and DuckDB,
 * so nothing in the ids can end it.
 */
export function runMarker(campaignId: string, waveId: string): Sql {
  return raw(`-- wave-run ${JSON.stringify({ campaignId, waveId })}`);
}

/** The wave run an audience query was started for, from its first line; null for any other query. */
export function parseRunMarker(text: string): { campaignId: string; waveId: string } | null {
  const m = /^-- wave-run (\{.*\})\n/.exec(text);
  if (!m?.[1]) return null;
  const v = JSON.parse(m[1]) as { campaignId?: unknown; waveId?: unknown };
  return typeof v.campaignId === 'string' && typeof v.waveId === 'string'
    ? { campaignId: v.campaignId, waveId: v.waveId }
    : null;
}
