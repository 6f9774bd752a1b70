import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { analystViews } from '../../shared/lake/analyst-views.ts';
import { shopAnalyses } from '../../shared/lake/shop-analyses.ts';
import { LAKE_TABLES } from '../../shared/lake/tables.ts';
import { testTemplate } from './test-stack.ts';

const template = testTemplate();

describe('data lake construct', () => {
  it('encrypts the buckets, blocks public access, refuses plain HTTP and logs access to the lake', () => {
    template.resourceCountIs('AWS::S3::Bucket', 3);
    // The lake and the Athena results log to the access-log bucket.
    const logged = Object.values(template.findResources('AWS::S3::Bucket')).filter(
      (b) => b.Properties.LoggingConfiguration?.DestinationBucketName,
    );
    expect(logged.map((b) => b.Properties.LoggingConfiguration.LogFilePrefix).sort()).toEqual([
      'athena-results/',
      'lake/',
    ]);
    template.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: Match.anyValue() },
    });
    template.allResourcesProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has one Glue table per lake table, with the same columns and types', () => {
    const tables = template.findResources('AWS::Glue::Table');
    const byName = Object.fromEntries(
      Object.values(tables).map((t) => [t.Properties.TableInput.Name, t.Properties.TableInput]),
    );
    expect(Object.keys(byName).sort()).toEqual(LAKE_TABLES.map((t) => t.name).sort());
    for (const def of LAKE_TABLES) {
      const input = byName[def.name];
      expect(
        input.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type]),
      ).toEqual(def.columns.map((c) => [c.name, c.type]));
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      );
    }
  });

  it('has the loyalty data the points predicate, {{ customer.points }} and member tiers read on Athena', () => {
    // Rebuilt by `campaign data import` and copied to the lake bucket (docs/deploy.md step 5): one
    // unpartitioned table under lake/points_ledger/, and the customers' member tier.
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'points_ledger',
        PartitionKeys: [],
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', Match.anyValue(), '/lake/points_ledger/']] },
          Columns: Match.arrayWith([
            Match.objectLike({ Name: 'customer_id', Type: 'string' }),
            Match.objectLike({ Name: 'points', Type: 'bigint' }),
            Match.objectLike({ Name: 'occurred_at', Type: 'timestamp' }),
          ]),
        }),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'customers',
        StorageDescriptor: Match.objectLike({
          Columns: Match.arrayWith([Match.objectLike({ Name: 'member_tier', Type: 'string' })]),
        }),
      }),
    });
  });

  it('projects the dt partitions of orders and order_items by month', () => {
    for (const name of ['orders', 'order_items']) {
      template.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          Name: name,
          PartitionKeys: [Match.objectLike({ Name: 'dt', Type: 'string' })],
          Parameters: Match.objectLike({
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM',
            'projection.dt.range': '2020-01,NOW',
            'projection.dt.interval.unit': 'MONTHS',
            'storage.location.template': Match.anyValue(),
          }),
        }),
      });
    }
  });

  it('projects the dt partitions of sends and events by day', () => {
    for (const name of ['sends', 'events']) {
      template.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          Name: name,
          Parameters: Match.objectLike({
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': '2020-01-01,NOW',
            'projection.dt.interval.unit': 'DAYS',
          }),
        }),
      });
    }
  });

  it('runs Athena engine v3 with a bytes-scanned cutoff and an encrypted result location', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        BytesScannedCutoffPerQuery: 5 * 2 ** 30,
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } }),
      }),
    });
  });

  it("saves each analysts' view as an Athena named query in the workgroup", () => {
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery'));
    expect(queries.map((q) => q.Properties.Name).sort()).toEqual(
      analystViews(null)
        .map((v) => `create view ${v.name}`)
        .sort(),
    );
    for (const q of queries) expect(q.Properties.QueryString).toMatch(/^CREATE OR REPLACE VIEW \w+ AS\n/);
  });

  it("saves the shop's own analyses, with the repurchase figure of the deployed contact policy", () => {
    const byName = Object.fromEntries(
      Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q) => [
        q.Properties.Name,
        q.Properties.QueryString,
      ]),
    );
    for (const view of shopAnalyses(null))
      expect(byName[`create view ${view.name}`]).toMatch(
        new RegExp(`^CREATE OR REPLACE VIEW ${view.name} AS\n`),
      );
    // campaigns/contact-policy.yaml: benchmarks.repurchaseRate { rate: 0.2, window: 180d }.
    expect(byName['create view repurchase_vs_industry']).toContain('CAST(0.2 AS DOUBLE) AS industry_rate');
    expect(byName['create view repurchase_vs_industry']).toContain("INTERVAL '180' DAY");
  });
});
