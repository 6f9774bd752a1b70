import { waveSegment } from '../../campaign/campaign-schema.ts';
import { Channel } from '../../campaign/contact-policy-schema.ts';
import { col, rowDecoder } from '../../lake/row-decoder.ts';
import type { ScheduledWave } from '../campaign-catalog.ts';
import type { SuppressedReason } from '../ledger/ledger.ts';
import type { BatchRecipient } from '../send-batch-message.ts';

const AUDIENCE = 'the wave audience';

/**
 * A row of the wave's audience query as planning reads it (shared/segment/audience-sql.ts with
 * `recipients`): the step where the customer leaves the send, and the recipient's details. `grp` is
 * there for a grouped wave only, `value` with `byValue` only.
 */
export const audienceRow = rowDecoder(AUDIENCE, {
  customer_id: col.text,
  tier: col.optionalText,
  channel: col.optionalOneOf(Channel.options),
  step: col.oneOf(['suppressed', 'capped', 'holdout', 'wave-holdout', 'eligible']),
  /** For a suppressed row what stops its channel; for a capped row the cap's id. */
  reason: col.optionalText,
  name: col.optionalText,
  nickname: col.optionalText,
  province: col.optionalText,
  city: col.optionalText,
  member_tier: col.optionalText,
  time_zone: col.optionalText,
  points: col.optionalNumber,
  grp: col.optionalText,
  address: col.optionalText,
  value: col.optionalNumber,
});
export type AudienceRow = ReturnType<typeof audienceRow>;

/** What stops a suppressed row's channel: the suppressions table's reasons, or no address. */
const suppressedRow = rowDecoder(`${AUDIENCE}, a suppressed row`, {
  reason: col.oneOf(['opt-out', 'no-address', 'bounced', 'complained'] satisfies SuppressedReason[]),
});

/** An eligible row has its channel and that channel's address. */
const eligibleRow = rowDecoder(`${AUDIENCE}, an eligible row`, {
  channel: col.oneOf(Channel.options),
  address: col.text,
});

/** Why a row leaves the send suppressed: what stops its channel. */
export function suppressedReason(row: AudienceRow): SuppressedReason {
  return suppressedRow(row).reason;
}

/** The channel and address an eligible row is sent to. */
export function eligibleContact(row: AudienceRow): { channel: Channel; address: string } {
  return eligibleRow(row);
}

/**
 * The ledger's `segment` for an audience row: the customer's group in a grouped wave (a grouped pilot or
 * a rollout that picks groups: the rows carry `grp`), so segment_response reports per group; else the
 * wave's segment.
 */
export function ledgerSegment(wave: ScheduledWave['wave'], row: AudienceRow): string {
  return row.grp ?? waveSegment(wave);
}

/** The queued recipient for an eligible row, with the variant chosen for them. */
export function toRecipient(row: AudienceRow, address: string, variant: string | null): BatchRecipient {
  return {
    ...(row.grp === null ? {} : { segment: row.grp }),
    customerId: row.customer_id,
    address,
    name: row.name,
    nickname: row.nickname,
    province: row.province,
    city: row.city,
    memberTier: row.member_tier,
    points: row.points,
    timeZone: row.time_zone,
    variant,
    tier: row.tier,
    attempt: 1,
  };
}
