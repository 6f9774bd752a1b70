import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { analystViews } from '../../shared/lake/analyst-views.ts';
import type { RepurchaseBenchmark } from '../../shared/lake/shop-analyses.ts';
import { ident, sql } from '../../shared/lake/sql.ts';
import { LAKE_TABLES, type TableDef } from '../../shared/lake/tables.ts';
import type { HouseFunction } from './house-function.ts';

export interface DataLakeProps {
  athenaBytesScannedCutoff: number;
  /** First partition the projection of monthly tables covers, yyyy-MM. */
  historyStart: string;
  /** Delete the buckets (and their objects) with the stack: for throwaway test stacks only. */
  ephemeral?: boolean;
  /** The shop's repurchase benchmark (contact-policy.yaml) for the repurchase_vs_industry view. */
  repurchaseBenchmark: RepurchaseBenchmark | null;
  /** The shop's first member tier (contact-policy.yaml memberTiers) for the member views. */
  baseMemberTier: string;
}

/**
 * The data lake: one bucket for the lake (`lake/<table>/…`, the same layout as the local `.campaign/lake`),
 * one for Athena results, a Glue database with a table per lake table (generated from shared/lake/tables.ts),
 * partition projection on `dt`, and an Athena engine v3 workgroup with a bytes-scanned cutoff.
 */
export class DataLake extends Construct {
  readonly bucket: Bucket;
  readonly resultsBucket: Bucket;
  /** Server access logs of the lake and results buckets. */
  readonly accessLogs: Bucket;
  readonly database: CfnDatabase;
  readonly databaseName: string;
  readonly workGroup: CfnWorkGroup;
  readonly tables: Record<string, CfnTable> = {};

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    const common = {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: props.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: props.ephemeral === true,
    };
    // Who read or wrote which object of the lake (it holds personal data), kept a year.
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...common,
      versioned: false,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    this.bucket = new Bucket(this, 'Lake', {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    this.resultsBucket = new Bucket(this, 'AthenaResults', {
      ...common,
      versioned: false,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [
        { expiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    const account = Stack.of(this).account;
    this.databaseName = 'campaign_lake';
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: {
        name: this.databaseName,
        description: 'Campaign pipeline data lake (see docs/data-model.md)',
      },
    });
    for (const table of LAKE_TABLES) {
      const t = new CfnTable(this, `Table-${table.name}`, {
        catalogId: account,
        databaseName: this.databaseName,
        tableInput: this.tableInput(table, props.historyStart),
      });
      t.addResourceDependency(this.database);
      this.tables[table.name] = t;
    }

    const workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${Stack.of(this).stackName}-analysts`,
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.athenaBytesScannedCutoff,
        resultConfiguration: {
          outputLocation: this.resultsBucket.s3UrlForObject('athena/'),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.workGroup = workGroup;
    // The analysts' views, saved in the workgroup: run one once to create its view (docs/responses.md).
    for (const view of analystViews(props.repurchaseBenchmark, props.baseMemberTier)) {
      const q = new CfnNamedQuery(this, `View-${view.name}`, {
        name: `create view ${view.name}`,
        description: view.description,
        database: this.databaseName,
        workGroup: workGroup.ref,
        queryString: sql`CREATE OR REPLACE VIEW ${ident(view.name)} AS
${view.sql}`,
      });
      q.addResourceDependency(workGroup);
      q.addResourceDependency(this.database);
    }
  }

  /** s3:// location of a table's folder. */
  tableLocation(table: string): string {
    return this.bucket.s3UrlForObject(`lake/${table}/`);
  }

  private tableInput(table: TableDef, historyStart: string): CfnTable.TableInputProperty {
    const location = this.tableLocation(table.name);
    const parameters: Record<string, string> = { classification: 'parquet', EXTERNAL: 'TRUE' };
    if (table.partition) {
      // Partition projection: Athena computes the partitions instead of reading them from Glue.
      // https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
      const monthly = table.partition.format === 'yyyy-MM';
      Object.assign(parameters, {
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': table.partition.format,
        'projection.dt.range': monthly ? `${historyStart},NOW` : `${historyStart}-01,NOW`,
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': monthly ? 'MONTHS' : 'DAYS',
        'storage.location.template': `${location}dt=\${dt}/`,
      });
    }
    return {
      name: table.name,
      description: table.description,
      tableType: 'EXTERNAL_TABLE',
      parameters,
      partitionKeys: table.partition
        ? [
            {
              name: 'dt',
              type: 'string',
              comment: `partition: ${table.partition.format} of ${table.partition.of}`,
            },
          ]
        : [],
      storageDescriptor: {
        location,
        columns: table.columns.map((c) => ({ name: c.name, type: c.type, comment: c.description })),
        inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      },
    };
  }
}

/**
 * Running queries in the analysts' workgroup over the lake: the workgroup and database in the function's
 * environment, and Athena, the Glue catalog and the buckets granted with them — every table, or only
 * `tables` (their Glue tables and folders) for a function whose queries name no others.
 */
export function useAthenaQueries(
  lake: DataLake,
  fn: HouseFunction,
  { tables }: { tables?: readonly string[] } = {},
): void {
  const stack = Stack.of(lake);
  fn.useSetting('athenaWorkGroup', lake.workGroup.ref).useSetting('athenaDatabase', lake.databaseName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
      ],
      resources: [
        stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: lake.workGroup.ref }),
      ],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
      resources: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: lake.databaseName }),
        ...(tables ?? ['*']).map((t) =>
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${lake.databaseName}/${t}` }),
        ),
      ],
    }),
  );
  for (const t of tables ?? []) lake.bucket.grantRead(fn, `lake/${t}/*`);
  if (!tables) lake.bucket.grantRead(fn, 'lake/*');
  lake.resultsBucket.grantReadWrite(fn, 'athena/*');
}
