import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CampaignStack } from '../../infra/campaign-stack.ts';
import type { Settings } from '../../infra/settings.ts';

export const TEST_SETTINGS: Settings = {
  stackName: 'Test',
  athenaBytesScannedCutoff: 5 * 2 ** 30,
  historyStart: '2020-01',
  sesIdentity: 'youpin.example.com',
  sesConfigurationSet: 'campaign-events',
  sendRates: { email: 14, sms: 100, 'call-list': 100 },
  smsType: 'Promotional',
  smsMonthlySpendLimit: 100,
  linkBase: 'https://s.example.cn',
  campaignsFolder: 'campaigns',
  // Between the Double-11 pre-heat and its cashback wave: the pre-heat is past and gets no schedule.
  scheduleFrom: new Date('2026-11-01T00:00:00Z'),
  manageSmsSettings: true,
  ephemeral: false,
};

/**
 * The synthesized stack, once per test file; `outdir` holds the assets. Bundling the Lambda code with
 * esbuild is most of a synthesis (docs/benchmarks.md), so only a test that reads the bundles asks for it
 * (`bundle: true`); otherwise CDK's `aws:cdk:bundling-stacks` context (what `cdk synth --exclusively`
 * sets) skips it and the functions get a placeholder asset: the template is the same but for the asset
 * hashes.
 */
export function testTemplate(
  settings: Settings = TEST_SETTINGS,
  { bundle = false }: { bundle?: boolean } = {},
): Template & { outdir: string } {
  const app = new App(bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CampaignStack(app, 'Test', settings, {
    env: { account: '123456789012', region: 'ap-southeast-1' },
  });
  return Object.assign(Template.fromStack(stack), { outdir: app.outdir });
}
