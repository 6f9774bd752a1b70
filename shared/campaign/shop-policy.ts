import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { calendarProblems } from '../segment/shop-calendar-checks.ts';
import { Campaign } from './campaign-schema.ts';
import { loadConfigFile } from './config-file.ts';
import {
  type ContactPolicy,
  ContactPolicy as ContactPolicySchema,
  DEFAULT_CONTACT_POLICY,
} from './contact-policy-schema.ts';

/** The file name by which the shop-wide contact policy is recognised. */
export const POLICY_FILE_NAME = 'contact-policy.yaml';

export function isPolicyFile(file: string): boolean {
  return /(^|[\\/])contact-policy\.(ya?ml|json)$/.test(file);
}

/**
 * The other campaigns in a campaign file's folder: their waves compete for the same customers under the
 * shop's caps, so priority arbitration must see them. Files that do not validate are left out and named.
 */
export async function siblingCampaigns(
  campaignFile: string,
): Promise<{ campaigns: Campaign[]; skipped: string[] }> {
  const dir = dirname(campaignFile);
  const campaigns: Campaign[] = [];
  const skipped: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    if (!/\.(ya?ml|json)$/.test(name) || isPolicyFile(file) || resolve(file) === resolve(campaignFile))
      continue;
    try {
      campaigns.push(await loadConfigFile(Campaign, file));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      skipped.push(file);
    }
  }
  return { campaigns, skipped };
}

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

/** Where commands without a campaign file (sql, data profile) look for the shop's policy. */
export const DEFAULT_POLICY_PATH = join('campaigns', POLICY_FILE_NAME);

/**
 * The shop-wide contact policy for a command without a campaign file: --policy FILE, else
 * campaigns/contact-policy.yaml when present, else the built-in default. A file that is there must be valid.
 */
export async function shopPolicy(option?: string): Promise<{ policy: ContactPolicy; source: string }> {
  const file = option ?? (existsSync(DEFAULT_POLICY_PATH) ? DEFAULT_POLICY_PATH : undefined);
  if (!file) return { policy: DEFAULT_CONTACT_POLICY, source: 'built-in default' };
  return { policy: await loadConfigFile(ContactPolicySchema, file), source: file };
}

/**
 * A campaign file and the shop policy it runs under, the campaign checked against the shop's calendar:
 * a promotion, season or age band the calendar does not know is a ConfigError at its line and column.
 */
export async function loadCampaignWithPolicy(
  campaignFile: string,
  option?: string,
): Promise<{ campaign: Campaign; policy: ContactPolicy; source: string }> {
  const campaign = await loadConfigFile(Campaign, campaignFile);
  const { policy, source } = await shopPolicyFor(campaignFile, option);
  const text = await readFile(campaignFile, 'utf8');
  const problems = calendarProblems({ file: campaignFile, text, campaign }, policy);
  if (problems.length > 0) throw new ConfigError(problems);
  return { campaign, policy, source };
}
