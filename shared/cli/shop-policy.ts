import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfigFile } from '../campaign/config-file.ts';
import {
  type ContactPolicy,
  ContactPolicy as ContactPolicySchema,
  DEFAULT_CONTACT_POLICY,
} from '../campaign/contact-policy-schema.ts';

/** The file name by which the shop-wide contact policy is recognised. */
export const POLICY_FILE_NAME = 'contact-policy.yaml';

/**
 * The shop-wide contact policy for a campaign file: --policy FILE, else contact-policy.yaml next to the
 * campaign file, else the built-in default (1 marketing message per 30 days, 1 SMS a day, quiet nights).
 */
export async function shopPolicyFor(
  campaignFile: string,
  option?: string,
): Promise<{ policy: ContactPolicy; source: string }> {
  if (option) return { policy: await loadConfigFile(ContactPolicySchema, option), source: option };
  const sibling = join(dirname(campaignFile), POLICY_FILE_NAME);
  if (existsSync(sibling))
    return { policy: await loadConfigFile(ContactPolicySchema, sibling), source: sibling };
  return { policy: DEFAULT_CONTACT_POLICY, source: 'built-in default' };
}
