import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * DynamoDB state: the contact policy (one item per customer: claims, caps, reservations, suppressions;
 * TTL forgets customers not contacted for 400 days), the tracked links (TTL after expiry) and the wave
 * runs, and the campaigns created through the API. On-demand capacity, point-in-time recovery, kept when
 * the stack is deleted.
 */
export class State extends Construct {
  readonly contacts: Table;
  readonly links: Table;
  readonly waveRuns: Table;
  /** Campaigns created through the API, and the API's idempotency records (TTL). */
  readonly campaigns: Table;

  constructor(scope: Construct, id: string, props: { ephemeral?: boolean } = {}) {
    super(scope, id);
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    };
    this.contacts = new Table(this, 'Contacts', { ...common, timeToLiveAttribute: 'ttl' });
    this.links = new Table(this, 'Links', { ...common, timeToLiveAttribute: 'ttl' });
    this.waveRuns = new Table(this, 'WaveRuns', {
      ...common,
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
    this.campaigns = new Table(this, 'Campaigns', { ...common, timeToLiveAttribute: 'ttl' });
  }
}
