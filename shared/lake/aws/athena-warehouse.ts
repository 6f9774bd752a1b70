import {
  type AthenaClient,
  type Row as AthenaRow,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { type Clock, systemClock } from '../../clock.ts';
import {
  QueryCancelledError,
  QueryFailedError,
  type QueryResult,
  QueryTimeoutError,
  type Row,
  type Warehouse,
} from '../warehouse.ts';

export interface AthenaWarehouseOptions {
  client: AthenaClient;
  workGroup: string;
  database: string;
  /** s3:// prefix for results; omit when the workgroup enforces its own result location. */
  outputLocation?: string;
  /** Give up (and stop the query) after this long. */
  timeoutMs?: number;
  /** First wait between status checks; doubles up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** Rows per GetQueryResults page (Athena allows up to 1,000). */
  pageSize?: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The Athena adapter of the Warehouse port. `start` and `results` are separate so a Lambda can start a
 * query and read it when Athena's state-change event arrives (no polling loop there); `query` and
 * `stream` wait with backoff for callers that can (the CLI, tests against a real account).
 */
export class AthenaWarehouse implements Warehouse {
  readonly #o: Required<Omit<AthenaWarehouseOptions, 'outputLocation'>> & { outputLocation?: string };

  constructor(options: AthenaWarehouseOptions) {
    this.#o = {
      timeoutMs: 600_000,
      pollMs: 250,
      maxPollMs: 5_000,
      pageSize: 1_000,
      clock: systemClock,
      sleep: sleepFor,
      ...options,
    };
  }

  async start(sql: string): Promise<string> {
    const out = await this.#o.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.#o.workGroup,
        QueryExecutionContext: { Database: this.#o.database },
        ...(this.#o.outputLocation
          ? { ResultConfiguration: { OutputLocation: this.#o.outputLocation } }
          : {}),
      }),
    );
    if (!out.QueryExecutionId) throw new Error('Athena returned no QueryExecutionId');
    return out.QueryExecutionId;
  }

  /** A query's text and state (for a handler woken by Athena's query-state-change event). */
  async execution(id: string): Promise<{ sql: string; state: string; reason: string | null }> {
    const { QueryExecution: q } = await this.#o.client.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    return {
      sql: q?.Query ?? '',
      state: q?.Status?.State ?? 'UNKNOWN',
      reason: q?.Status?.StateChangeReason ?? null,
    };
  }

  /** Waits until the query finished; FAILED and CANCELLED become errors that name the query. */
  async waitFor(id: string, sql: string): Promise<void> {
    const deadline = this.#o.clock.now().getTime() + this.#o.timeoutMs;
    let wait = this.#o.pollMs;
    for (;;) {
      const { QueryExecution: q } = await this.#o.client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = q?.Status?.State;
      if (state === 'SUCCEEDED') return;
      if (state === 'FAILED')
        throw new QueryFailedError(id, sql, q?.Status?.StateChangeReason ?? 'no reason given');
      if (state === 'CANCELLED') throw new QueryCancelledError(id, sql);
      if (this.#o.clock.now().getTime() + wait > deadline) {
        await this.#o.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        throw new QueryTimeoutError(id, sql, this.#o.timeoutMs);
      }
      await this.#o.sleep(wait);
      wait = Math.min(wait * 2, this.#o.maxPollMs);
    }
  }

  /** The rows of a finished query, page by page (GetQueryResults, following NextToken). */
  async *results(id: string): AsyncIterable<Row[]> {
    for await (const page of this.#pages(id)) yield page.rows;
  }

  async *#pages(id: string): AsyncIterable<{ columns: string[]; rows: Row[] }> {
    let token: string | undefined;
    let info: ColumnInfo[] | undefined;
    let first = true;
    do {
      const page = await this.#o.client.send(
        new GetQueryResultsCommand({
          QueryExecutionId: id,
          MaxResults: this.#o.pageSize,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      info ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const columnInfo = info;
      // The first row of the first page of a SELECT is the header.
      const rows = (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
      first = false;
      yield {
        columns: columnInfo.map((c, i) => c.Name ?? `_${i}`),
        rows: rows.map((r) => toRow(r, columnInfo)),
      };
      token = page.NextToken;
    } while (token);
  }

  async *stream(sql: string): AsyncIterable<Row[]> {
    const id = await this.start(sql);
    await this.waitFor(id, sql);
    yield* this.results(id);
  }

  async query(sql: string): Promise<QueryResult> {
    const id = await this.start(sql);
    await this.waitFor(id, sql);
    const result: QueryResult = { columns: [], rows: [] };
    for await (const page of this.#pages(id)) {
      result.columns = page.columns;
      result.rows.push(...page.rows);
    }
    return result;
  }

  async close(): Promise<void> {}
}

/** Athena returns every value as a string; map them back by the column's type. */
function toRow(row: AthenaRow, columns: ColumnInfo[]): Row {
  const out: Row = {};
  columns.forEach((col, i) => {
    const raw = row.Data?.[i]?.VarCharValue;
    out[col.Name ?? `_${i}`] = raw === undefined ? null : convert(raw, col.Type ?? 'varchar');
  });
  return out;
}

function convert(raw: string, type: string): unknown {
  switch (type) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint': {
      const n = Number(raw);
      return Number.isSafeInteger(n) ? n : raw;
    }
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      return Number(raw);
    case 'boolean':
      return raw === 'true';
    default:
      return raw;
  }
}
