import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Campaign } from '../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../shared/campaign/config-file.ts';
import { ContactPolicy, DEFAULT_CONTACT_POLICY } from '../shared/campaign/contact-policy-schema.ts';
import { isPolicyFile } from '../shared/campaign/shop-policy.ts';
import type { DeployedCampaigns } from '../shared/delivery/aws/s3-campaign-catalog.ts';
import { ConfigError } from '../shared/errors.ts';
import { calendarProblems } from '../shared/segment/shop-calendar-checks.ts';

/**
 * The campaigns deployed as code: every campaign file in the folder and the shop policy
 * (contact-policy.yaml, else the built-in default), validated at synth — an invalid campaign stops the
 * deployment with the same file:line messages as `campaign validate` (a promotion, season or age band the
 * shop's calendar does not know included).
 */
export function deployedCampaigns(folder: string): DeployedCampaigns {
  const files = readdirSync(folder)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(folder, f));
  const policyFile = files.find(isPolicyFile);
  const policy = policyFile
    ? parseConfigText(ContactPolicy, readFileSync(policyFile, 'utf8'), policyFile)
    : DEFAULT_CONTACT_POLICY;
  const campaigns = files
    .filter((f) => !isPolicyFile(f))
    .map((file) => {
      const text = readFileSync(file, 'utf8');
      const campaign = parseConfigText(Campaign, text, file);
      // The promotions, seasons and age bands its rules name, against the shop's calendar.
      const problems = calendarProblems({ file, text, campaign }, policy);
      if (problems.length > 0) throw new ConfigError(problems);
      return campaign;
    });
  return { policy, campaigns };
}
