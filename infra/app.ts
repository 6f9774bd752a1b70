import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CampaignStack } from './campaign-stack.ts';
import { readSettings } from './settings.ts';

const app = new App();
const settings = readSettings(app.node);
new CampaignStack(app, settings.stackName, settings, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// cdk-nag's AwsSolutions checks run at every synth; the stack acknowledges what it keeps, with reasons.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
