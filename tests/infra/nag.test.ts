import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CampaignStack } from '../../infra/campaign-stack.ts';
import { acknowledgeNagFindings, nagAcknowledgements } from '../../infra/nag-acknowledgements.ts';
import { TEST_SETTINGS } from './test-stack.ts';

const env = { account: '123456789012', region: 'ap-southeast-1' };
const check = (app: App, stack: CampaignStack) => new AwsSolutionsChecks(app).validateScope(stack).violations;

// Synthesizing the stack bundles every handler with esbuild: seconds on an idle machine, minutes on a
// loaded one (docs/benchmarks.md). One stack serves both tests: checked as built without
// acknowledgements, then checked again after the stack's own acknowledgements are applied to it (what
// CampaignStack does when it is built for deployment).
const SYNTH_TIMEOUT = 180_000;
let app: App;
let stack: CampaignStack;
let raw: ReturnType<typeof check>;

beforeAll(() => {
  // The checks read the template, not the bundled code: skip esbuild (see test-stack.ts).
  app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new CampaignStack(app, 'Nag', TEST_SETTINGS, { env, acknowledgeNag: false });
  raw = check(app, stack);
}, SYNTH_TIMEOUT);

describe('cdk-nag AwsSolutions checks', () => {
  it('acknowledges exactly what the checks find, each with a reason', () => {
    expect(raw.length, 'the checks find something to acknowledge').toBeGreaterThan(0);
    const acknowledged = nagAcknowledgements(stack);
    expect(acknowledged.map((a) => a.id).sort()).toEqual(raw.map((v) => v.ruleName).sort());
    for (const a of acknowledged) expect(a.reason.length, a.id).toBeGreaterThan(40);
  });

  it('finds nothing unacknowledged in the stack once its acknowledgements are applied', () => {
    acknowledgeNagFindings(stack);
    expect(
      check(app, stack).map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});
