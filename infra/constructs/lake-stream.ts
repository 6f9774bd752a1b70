import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Construct } from 'constructs';
import type { TableDef } from '../../shared/lake/tables.ts';
import type { DataLake } from './data-lake.ts';

/**
 * A Firehose stream into one lake table: JSON records in, Parquet out with the table's Glue schema,
 * under `lake/<table>/` — for a table partitioned by `dt`, in the `dt=` partition named by each record;
 * otherwise Firehose's own date folders below the table's location (Athena reads every file under it).
 * Records that cannot be converted land under `firehose-errors/<table>/`.
 */
export class LakeStream extends Construct {
  readonly stream: CfnDeliveryStream;
  readonly streamName: string;

  constructor(scope: Construct, id: string, props: { lake: DataLake; table: TableDef }) {
    super(scope, id);
    const { lake, table } = props;
    const stack = Stack.of(this);
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('firehose.amazonaws.com') });
    lake.bucket.grantPut(role, `lake/${table.name}/*`);
    lake.bucket.grantPut(role, `firehose-errors/${table.name}/*`);
    role.addToPolicy(
      new PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: lake.databaseName }),
          stack.formatArn({
            service: 'glue',
            resource: 'table',
            resourceName: `${lake.databaseName}/${table.name}`,
          }),
        ],
      }),
    );
    const partitioned = table.partition?.format === 'yyyy-MM-dd';
    this.stream = new CfnDeliveryStream(this, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: lake.bucket.bucketArn,
        roleArn: role.roleArn,
        prefix: partitioned ? `lake/${table.name}/dt=!{partitionKeyFromQuery:dt}/` : `lake/${table.name}/`,
        errorOutputPrefix: `firehose-errors/${table.name}/!{firehose:error-output-type}/`,
        bufferingHints: { sizeInMBs: 64, intervalInSeconds: 60 },
        ...(partitioned
          ? {
              dynamicPartitioningConfiguration: { enabled: true },
              processingConfiguration: {
                enabled: true,
                processors: [
                  {
                    type: 'MetadataExtraction',
                    parameters: [
                      { parameterName: 'MetadataExtractionQuery', parameterValue: '{dt: .dt}' },
                      { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
                    ],
                  },
                ],
              },
            }
          : {}),
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
          schemaConfiguration: {
            catalogId: stack.account,
            databaseName: lake.databaseName,
            tableName: table.name,
            region: stack.region,
            roleArn: role.roleArn,
          },
        },
      },
    });
    this.stream.node.addDependency(role);
    this.streamName = this.stream.ref;
  }

  /** firehose:PutRecordBatch on this stream, and nothing else. */
  grantPutRecords(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['firehose:PutRecordBatch'],
        resources: [
          Stack.of(this).formatArn({
            service: 'firehose',
            resource: 'deliverystream',
            resourceName: this.streamName,
          }),
        ],
      }),
    );
  }
}
