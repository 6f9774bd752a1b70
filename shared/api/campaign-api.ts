import { parse as parseYaml } from 'yaml';
import { Campaign } from '../campaign/campaign-schema.ts';
import { parseConfigText } from '../campaign/config-file.ts';
import { CONFIG_LIMITS } from '../campaign/config-limits.ts';
import { effectivePolicy } from '../campaign/contact-policy.ts';
import type { ContactPolicy } from '../campaign/contact-policy-schema.ts';
import type { ShopCalendar } from '../campaign/shop-calendar-schema.ts';
import type { Clock } from '../clock.ts';
import type { WaveRunStore } from '../delivery/wave-runs/wave-run-store.ts';
import { statusWaveIds, waveStatuses } from '../delivery/wave-status.ts';
import { ConfigError, type Problem, UserError } from '../errors.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { campaignReport } from '../responses/campaign-report.ts';
import type { Dialect } from '../segment/dialect.ts';
import { previewCampaign } from '../segment/preview-campaign.ts';
import { valueWarnings } from '../segment/segment-values.ts';
import { calendarProblems } from '../segment/shop-calendar-checks.ts';
import {
  type CampaignStore,
  listAll,
  type StoredCampaign,
  VersionConflictError,
  type WaveState,
} from './campaign-store.ts';
import { type Action, IllegalTransitionError, transition, waveProgress } from './lifecycle.ts';
import type { WaveScheduler } from './wave-scheduler.ts';

/** What the campaign API's use cases need; the same on AWS (Lambda) and on one machine (campaign serve). */
export interface CampaignApiDeps {
  store: CampaignStore;
  scheduler: WaveScheduler;
  warehouse: Warehouse;
  dialect: Dialect;
  /** The waves' runs (for status). */
  runs: WaveRunStore;
  /** The shop-wide contact policy. */
  policy: ContactPolicy;
  clock: Clock;
}

export class NotFoundError extends UserError {
  override name = 'NotFoundError';
}

/**
 * The campaign config in a request body (JSON, or YAML as in campaign files), validated like a file:
 * against the schema, then against the shop's calendar (promotions, seasons, age bands its rules name).
 */
export function parseCampaignBody(body: string, shop: ShopCalendar): Campaign {
  const campaign = parseConfigText(Campaign, body, 'request body');
  const problems = calendarProblems({ file: 'request body', text: body, campaign }, shop);
  if (problems.length > 0) throw new ConfigError(problems);
  return campaign;
}

/**
 * The rule values of a valid campaign body that select no customer in the warehouse's data — the check
 * `campaign validate` makes against a lake (`region: {provinces: [广东]}` → 广东省?), at their line.
 */
export async function dataWarnings(
  deps: CampaignApiDeps,
  body: string,
  campaign: Campaign,
): Promise<Problem[]> {
  const [warnings] = await valueWarnings(deps.warehouse, [{ file: 'request body', text: body, campaign }]);
  return warnings ?? [];
}

/**
 * The config as given (stored so that later versions of the schema fill in their own defaults); the body
 * has passed parseCampaignBody, whose limits bound what its aliases expand to.
 */
const givenConfig = (body: string): unknown => parseYaml(body, { maxAliasCount: CONFIG_LIMITS.values });

export async function getCampaign(deps: CampaignApiDeps, id: string): Promise<StoredCampaign> {
  const found = await deps.store.get(id);
  if (!found) throw new NotFoundError(`no campaign ${id}`);
  return found;
}

/** The stored config, parsed again (defaults filled in) for the use cases. */
export const configOf = (stored: StoredCampaign): Campaign => Campaign.parse(stored.config);

export async function createCampaign(deps: CampaignApiDeps, body: string): Promise<StoredCampaign> {
  const campaign = parseCampaignBody(body, deps.policy);
  const now = deps.clock.now().toISOString();
  const stored: StoredCampaign = {
    id: campaign.id,
    config: givenConfig(body),
    state: 'draft',
    waves: Object.fromEntries(campaign.waves.map((w) => [w.id, 'pending' as WaveState])),
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.create(stored);
  return stored;
}

/**
 * A draft's config may change (its id may not). Once any wave has left `pending` (launched, run or
 * cancelled) the config is frozen: the waves' states and what was sent refer to it.
 */
export async function updateCampaign(
  deps: CampaignApiDeps,
  id: string,
  body: string,
): Promise<StoredCampaign> {
  const current = await getCampaign(deps, id);
  const moved = Object.entries(current.waves).filter(([, s]) => s !== 'pending');
  if (moved.length > 0)
    throw new IllegalTransitionError(
      `campaign ${id} is ${current.state}: its config is frozen once a wave is launched or cancelled (${moved.map(([w, s]) => `${w} ${s}`).join(', ')}); only a draft can be changed`,
    );
  const campaign = parseCampaignBody(body, deps.policy);
  if (campaign.id !== id) throw new UserError(`the body's id ${campaign.id} is not the campaign's (${id})`);
  const next: StoredCampaign = {
    ...current,
    config: givenConfig(body),
    waves: Object.fromEntries(campaign.waves.map((w) => [w.id, 'pending' as WaveState])),
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.put(next, current.version);
  return { ...next, version: current.version + 1 };
}

/**
 * Launch, pause, resume or cancel the campaign or one wave. The store's version check makes the state
 * change atomic; the scheduler follows it (launch and resume schedule, pause and cancel unschedule).
 */
export async function changeState(
  deps: CampaignApiDeps,
  id: string,
  action: Action,
  waveId?: string,
): Promise<StoredCampaign> {
  const current = await getCampaign(deps, id);
  const { next, moved } = transition(current, action, waveId);
  if (action === 'launch' || action === 'resume') deps.scheduler.refuse?.(configOf(current), moved);
  const stored = { ...next, updatedAt: deps.clock.now().toISOString() };
  await deps.store.put(stored, current.version);
  if (action === 'launch' || action === 'resume') await deps.scheduler.schedule(configOf(current), moved);
  else await deps.scheduler.unschedule(id, moved);
  return { ...stored, version: current.version + 1 };
}

export async function previewStored(deps: CampaignApiDeps, id: string) {
  const campaign = configOf(await getCampaign(deps, id));
  return previewCampaign(deps.warehouse, campaign, {
    policy: effectivePolicy(deps.policy, campaign),
    dialect: deps.dialect,
  });
}

/**
 * Each wave's reconciliation, and its lifecycle. A running wave whose recipients have all settled is done:
 * on AWS nothing else sees it finish, so the status read records it (a concurrent change wins; the next
 * read records it then).
 */
export async function statusOf(deps: CampaignApiDeps, id: string) {
  let stored = await getCampaign(deps, id);
  const campaign = configOf(stored);
  // A recurring or triggered wave: each run so far.
  const waves = await waveStatuses(deps, id, await statusWaveIds(campaign, deps.runs));
  const finished = waves.filter((w) => w.state === 'drained' && stored.waves[w.waveId] === 'running');
  if (finished.length > 0) {
    const next = finished.reduce((c, w) => waveProgress(c, w.waveId, 'done'), stored);
    try {
      await deps.store.put(next, stored.version);
      stored = { ...next, version: stored.version + 1 };
    } catch (e) {
      if (!(e instanceof VersionConflictError)) throw e;
    }
  }
  return { id, state: stored.state, waves: waves.map((w) => ({ ...w, lifecycle: stored.waves[w.waveId] })) };
}

/** The report, attributing across every API campaign (an order goes to at most one of them). */
export async function reportOf(deps: CampaignApiDeps, id: string) {
  const campaign = configOf(await getCampaign(deps, id));
  const all = (await listAll(deps.store)).map(configOf);
  return campaignReport(deps.warehouse, all, campaign);
}
