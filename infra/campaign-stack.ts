import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DataLake } from './constructs/data-lake.ts';
import type { Settings } from './settings.ts';

/** The one stack to deploy. Constructs by concern; this stage has the data lake. */
export class CampaignStack extends Stack {
  readonly lake: DataLake;

  constructor(scope: Construct, id: string, settings: Settings, props?: StackProps) {
    super(scope, id, props);
    this.lake = new DataLake(this, 'DataLake', {
      athenaBytesScannedCutoff: settings.athenaBytesScannedCutoff,
      historyStart: settings.historyStart,
    });
    new CfnOutput(this, 'LakeBucket', { value: this.lake.bucket.bucketName });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.lake.workGroup.ref });
  }
}
