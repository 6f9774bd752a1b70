import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CampaignStack } from '../../infra/campaign-stack.ts';
import { nagAcknowledgements } from '../../infra/nag-acknowledgements.ts';
import { TEST_SETTINGS } from './test-stack.ts';

const env = { account: '123456789012', region: 'ap-southeast-1' };
const findings = (acknowledgeNag: boolean) => {
  const app = new App();
  const stack = new CampaignStack(app, 'Nag', TEST_SETTINGS, { env, acknowledgeNag });
  return { stack, violations: new AwsSolutionsChecks(app).validateScope(stack).violations };
};

// Synthesizing the stack bundles every handler with esbuild: about 15 s on an idle 2-core machine, over a
// minute when the machine is loaded, so these tests get more than the default minute.
const SYNTH_TIMEOUT = 180_000;

describe('cdk-nag AwsSolutions checks', () => {
  it(
    'finds nothing unacknowledged in the stack',
    () => {
      const { violations } = findings(true);
      expect(
        violations.map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
      ).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'acknowledges exactly what the checks find, each with a reason',
    () => {
      const { stack, violations } = findings(false);
      const acknowledged = nagAcknowledgements(stack);
      expect(acknowledged.map((a) => a.id).sort()).toEqual(violations.map((v) => v.ruleName).sort());
      for (const a of acknowledged) expect(a.reason.length, a.id).toBeGreaterThan(40);
    },
    SYNTH_TIMEOUT,
  );
});
