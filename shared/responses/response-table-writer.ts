import type { Campaign } from '../campaign/campaign-schema.ts';

export type AttributionModel = Campaign['attribution']['model'];

/** One derived table as rewritten: where its new contents are, and its rows where the engine counts them. */
export interface RewrittenTable {
  table: string;
  location: string;
  /** Rows the table holds now; null where the engine does not count them (Athena's UNLOAD). */
  rows: number | null;
}

/**
 * The port that rewrites the tables the report derives from sends, events and orders (`attribution`
 * and `lift`, response-tables.ts) for every campaign at once, so an order is attributed at most once.
 * Adapters: DuckDB into the data folder (local/), Athena UNLOAD with the Glue table pointed at it (aws/).
 */
export interface ResponseTableWriter {
  rewrite(campaigns: readonly Campaign[], model: AttributionModel): Promise<RewrittenTable[]>;
}
