import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { baseMemberTier, repurchaseBenchmark } from '../shared/lake/shop-analyses.ts';
import { CampaignApi } from './constructs/campaign-api.ts';
import { DataLake } from './constructs/data-lake.ts';
import { Delivery } from './constructs/delivery.ts';
import { Responses } from './constructs/responses.ts';
import { Scheduling } from './constructs/scheduling.ts';
import { State } from './constructs/state.ts';
import { deployedCampaigns } from './deployed-campaigns.ts';
import { acknowledgeNagFindings } from './nag-acknowledgements.ts';
import type { Settings } from './settings.ts';

/**
 * The one stack to deploy. Constructs by concern: the data lake, state, the send side of delivery,
 * responses written back, and the waves' schedules.
 */
export class CampaignStack extends Stack {
  readonly lake: DataLake;
  readonly state: State;
  readonly delivery: Delivery;
  readonly responses: Responses;
  readonly api: CampaignApi;
  readonly scheduling: Scheduling;

  constructor(
    scope: Construct,
    id: string,
    settings: Settings,
    props?: StackProps & {
      /** false: leave cdk-nag findings unacknowledged (tests). */ acknowledgeNag?: boolean;
    },
  ) {
    super(scope, id, props);
    const deployed = deployedCampaigns(settings.campaignsFolder);
    this.lake = new DataLake(this, 'DataLake', {
      athenaBytesScannedCutoff: settings.athenaBytesScannedCutoff,
      historyStart: settings.historyStart,
      ephemeral: settings.ephemeral,
      repurchaseBenchmark: repurchaseBenchmark(deployed.policy),
      baseMemberTier: baseMemberTier(deployed.policy),
    });
    this.state = new State(this, 'State', { ephemeral: settings.ephemeral });
    this.delivery = new Delivery(this, 'Delivery', {
      lake: this.lake,
      state: this.state,
      campaigns: deployed,
      sesIdentity: settings.sesIdentity,
      sesConfigurationSet: settings.sesConfigurationSet,
      sendRates: settings.sendRates,
      linkBase: settings.linkBase,
    });
    this.responses = new Responses(this, 'Responses', {
      lake: this.lake,
      state: this.state,
      linkSecret: this.delivery.linkSecret,
      sesConfigurationSet: settings.sesConfigurationSet,
      smsType: settings.smsType,
      smsMonthlySpendLimit: settings.smsMonthlySpendLimit,
      manageSmsSettings: settings.manageSmsSettings,
    });
    this.scheduling = new Scheduling(this, 'Scheduling', {
      campaigns: deployed.campaigns,
      policy: deployed.policy,
      launchWave: this.delivery.launchWave,
      from: settings.scheduleFrom,
    });
    this.api = new CampaignApi(this, 'Api', {
      lake: this.lake,
      state: this.state,
      scheduling: this.scheduling,
      launchWave: this.delivery.launchWave,
    });
    new CfnOutput(this, 'LakeBucket', { value: this.lake.bucket.bucketName });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.lake.workGroup.ref });
    new CfnOutput(this, 'LaunchWaveFunction', { value: this.delivery.launchWave.functionName });
    new CfnOutput(this, 'LinksApiUrl', {
      value: this.responses.linksApi.apiEndpoint,
      description: 'Point the link base domain (campaign:linkBase) at this API',
    });
    if (props?.acknowledgeNag !== false) acknowledgeNagFindings(this);
  }
}
