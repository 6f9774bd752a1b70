import { GetTableCommand, type GlueClient, type TableInput, UpdateTableCommand } from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Campaign } from '../../campaign/campaign-schema.ts';
import type { Clock } from '../../clock.ts';
import type { AthenaWarehouse } from '../../lake/aws/athena-warehouse.ts';
import { type Sql, sql } from '../../lake/sql.ts';
import { sqlString } from '../../lake/sql-literals.ts';
import type { TableDef } from '../../lake/tables.ts';
import type { AttributionModel, ResponseTableWriter, RewrittenTable } from '../response-table-writer.ts';
import { responseTables } from '../response-tables.ts';

export interface ResponseTablesDeps {
  athena: AthenaWarehouse;
  glue: GlueClient;
  s3: S3Client;
  /** The lake bucket and the Glue database its tables are in. */
  bucket: string;
  database: string;
  clock: Clock;
}

export interface PublishedTable extends RewrittenTable {
  queryExecutionId: string;
  deletedObjects: number;
}

/**
 * The response tables on AWS, rewritten from scratch as `campaign report` does locally: for each, Athena
 * UNLOADs its query (every campaign, so an order goes to at most one send) to a fresh prefix, the Glue
 * table is pointed at it in one UpdateTable (readers see the old run or the new, never half of one), and
 * older runs are deleted — so the table's own folder holds one run even if a deployment resets the
 * table's location to it.
 */
export class AthenaResponseTables implements ResponseTableWriter {
  readonly #deps: ResponseTablesDeps;

  constructor(deps: ResponseTablesDeps) {
    this.#deps = deps;
  }

  async rewrite(campaigns: readonly Campaign[], model: AttributionModel): Promise<PublishedTable[]> {
    const now = this.#deps.clock.now();
    const out: PublishedTable[] = [];
    for (const { table, sql: query } of responseTables(campaigns, model, now))
      out.push(await publishTable(this.#deps, table, query, now));
    return out;
  }
}

async function publishTable(
  deps: ResponseTablesDeps,
  def: TableDef,
  query: Sql,
  now: Date,
): Promise<PublishedTable> {
  const tablePrefix = `lake/${def.name}/`;
  const prefix = `${tablePrefix}computed=${now.toISOString().replace(/[-:.]/g, '')}/`;
  const location = `s3://${deps.bucket}/${prefix}`;
  const unload = sql`UNLOAD (${query})
TO ${sqlString(location)} WITH (format = 'PARQUET', compression = 'SNAPPY')`;
  const queryExecutionId = await deps.athena.start(unload);
  await deps.athena.waitFor(queryExecutionId, unload);

  const { Table: table } = await deps.glue.send(
    new GetTableCommand({ DatabaseName: deps.database, Name: def.name }),
  );
  if (!table?.StorageDescriptor) throw new Error(`no Glue table ${deps.database}.${def.name}`);
  const input: TableInput = {
    Name: table.Name,
    Description: table.Description,
    TableType: table.TableType,
    Parameters: table.Parameters,
    PartitionKeys: table.PartitionKeys,
    StorageDescriptor: { ...table.StorageDescriptor, Location: location },
  };
  await deps.glue.send(new UpdateTableCommand({ DatabaseName: deps.database, TableInput: input }));

  let deletedObjects = 0;
  let token: string | undefined;
  do {
    const page = await deps.s3.send(
      new ListObjectsV2Command({ Bucket: deps.bucket, Prefix: tablePrefix, ContinuationToken: token }),
    );
    const old = (page.Contents ?? []).flatMap((o) => (o.Key && !o.Key.startsWith(prefix) ? [o.Key] : []));
    if (old.length > 0) {
      await deps.s3.send(
        new DeleteObjectsCommand({
          Bucket: deps.bucket,
          Delete: { Objects: old.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      deletedObjects += old.length;
    }
    token = page.NextContinuationToken;
  } while (token);
  return { table: def.name, location, rows: null, queryExecutionId, deletedObjects };
}
