import { UserError } from '../errors.ts';
import type { CampaignState, StoredCampaign, WaveState } from './campaign-store.ts';

/**
 * A campaign's lifecycle: draft → scheduled → running → done, or cancelled; paused from scheduled or
 * running, and resumed. Each wave has its own state, so one wave can be launched, paused, resumed or
 * cancelled alone. A transition that is not allowed changes nothing and says why (HTTP 409).
 */
export type Action = 'launch' | 'pause' | 'resume' | 'cancel';

export class IllegalTransitionError extends UserError {
  override name = 'IllegalTransitionError';
}

const WAVE_MOVES: Record<Action, Partial<Record<WaveState, WaveState>>> = {
  launch: { pending: 'scheduled' },
  pause: { scheduled: 'paused' },
  resume: { paused: 'scheduled' },
  cancel: { pending: 'cancelled', scheduled: 'cancelled', paused: 'cancelled' },
};

/**
 * The campaign's state, from its waves'. Only a campaign whose every wave is pending is a draft: once one
 * is launched, run or cancelled, a campaign with waves still pending is under way (`running`) until each
 * is done or cancelled.
 */
export function campaignState(waves: Record<string, WaveState>): CampaignState {
  const states = Object.values(waves);
  if (states.every((s) => s === 'pending')) return 'draft';
  if (states.every((s) => s === 'cancelled')) return 'cancelled';
  if (states.every((s) => s === 'done' || s === 'cancelled')) return 'done';
  if (states.some((s) => s === 'running')) return 'running';
  if (states.some((s) => s === 'scheduled'))
    return states.some((s) => s === 'done') ? 'running' : 'scheduled';
  if (states.some((s) => s === 'paused')) return 'paused';
  // Pending waves beside done or cancelled ones.
  return 'running';
}

/**
 * Applies an action to the whole campaign (every wave it can move) or to one wave; returns the campaign
 * as it would be, and the waves that moved. Nothing moving is an illegal transition.
 */
export function transition(
  campaign: StoredCampaign,
  action: Action,
  waveId?: string,
): { next: StoredCampaign; moved: string[] } {
  if (waveId !== undefined && !(waveId in campaign.waves))
    throw new IllegalTransitionError(`campaign ${campaign.id} has no wave ${waveId}`);
  const targets = waveId !== undefined ? [waveId] : Object.keys(campaign.waves);
  const waves = { ...campaign.waves };
  const moved: string[] = [];
  for (const id of targets) {
    const to = WAVE_MOVES[action][waves[id] as WaveState];
    if (to) {
      waves[id] = to;
      moved.push(id);
    }
  }
  if (moved.length === 0) {
    const what =
      waveId !== undefined
        ? `wave ${waveId} (${campaign.waves[waveId]})`
        : `campaign ${campaign.id} (${campaign.state})`;
    throw new IllegalTransitionError(`cannot ${action} ${what}`);
  }
  return { next: { ...campaign, waves, state: campaignState(waves) }, moved };
}

/** Runtime progress of one wave (started, drained): scheduled → running → done. */
export function waveProgress(
  campaign: StoredCampaign,
  waveId: string,
  to: 'running' | 'done',
): StoredCampaign {
  const waves = { ...campaign.waves, [waveId]: to };
  return { ...campaign, waves, state: campaignState(waves) };
}
