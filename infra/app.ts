import { App } from 'aws-cdk-lib';
import { CampaignStack } from './campaign-stack.ts';
import { readSettings } from './settings.ts';

const app = new App();
const settings = readSettings(app.node);
new CampaignStack(app, settings.stackName, settings, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
