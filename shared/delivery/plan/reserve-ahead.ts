import { Channel } from '../../campaign/contact-policy-schema.ts';
import type { Clock } from '../../clock.ts';
import { col, rowDecoder } from '../../lake/row-decoder.ts';
import { type Sql, sql } from '../../lake/sql.ts';
import type { Warehouse } from '../../lake/warehouse.ts';
import { waveAudienceSql, waveRule } from '../../segment/audience-sql.ts';
import type { Dialect } from '../../segment/dialect.ts';
import { readsMessageHistory } from '../../segment/rule-walk.ts';
import { parseDuration } from '../../time/duration.ts';
import type { CampaignCatalog, ScheduledWave } from '../campaign-catalog.ts';
import { reserveChange } from '../contact-policy/claim.ts';
import type { ContactStore } from '../contact-policy/contact-store.ts';

export interface ReserveDeps {
  warehouse: Warehouse;
  dialect: Dialect;
  catalog: CampaignCatalog;
  contacts: ContactStore;
  clock: Clock;
}

/**
 * Look-ahead reservations: before a wave sends, the customers that higher-priority waves starting within
 * the longest cap window will target (their audience as the lake stands now) get a reservation for that
 * wave, so this wave's claims leave them room. Waves whose audience depends on message history are not
 * forecast. A reservation is consumed by its wave's send, ignored
 * after that wave's send-by deadline, and can be released (releaseChange) when a wave is cancelled.
 */
export async function reserveAhead(deps: ReserveDeps, sw: ScheduledWave): Promise<number> {
  const ahead = await wavesAhead(deps.catalog, sw);
  const now = deps.clock.now();
  let count = 0;
  for (const w of ahead)
    for await (const batch of deps.warehouse.stream(forecastSql(w, deps.dialect))) {
      await deps.contacts.apply(batch.map(forecastRow).map((row) => reservationOf(w, row, now)));
      count += batch.length;
    }
  return count;
}

/** The higher-priority waves starting within the longest cap window whose audience can be forecast. */
async function wavesAhead(catalog: CampaignCatalog, sw: ScheduledWave): Promise<ScheduledWave[]> {
  const window = Math.max(0, ...sw.policy.caps.map((c) => parseDuration(c.window)));
  if (window === 0) return [];
  return (await catalog.startingBetween(sw.start, new Date(sw.start.getTime() + window))).filter(
    (w) =>
      w.wave.priority > sw.wave.priority &&
      // An audience that depends on what earlier waves send (not reached by, clicked in) cannot be
      // forecast before they send: forecasting it as if nobody were reached would reserve nearly everyone.
      !readsMessageHistory(waveRule(w.campaign, w.wave), w.campaign.segments),
  );
}

/** A wave's eligible customers as the lake stands now, with the channel each would be sent on. */
function forecastSql(w: ScheduledWave, dialect: Dialect): Sql {
  const audience = waveAudienceSql({
    campaign: w.campaign,
    wave: w.wave,
    policy: w.policy,
    runAt: w.start,
    dialect,
  });
  return sql`SELECT customer_id, channel FROM (${audience}) a WHERE step = 'eligible'`;
}

const forecastRow = rowDecoder('the forecast audience of a wave ahead', {
  customer_id: col.text,
  channel: col.oneOf(Channel.options),
});

function reservationOf(w: ScheduledWave, row: ReturnType<typeof forecastRow>, now: Date) {
  return reserveChange(
    row.customer_id,
    {
      wave: `${w.campaign.id}/${w.wave.id}`,
      at: w.start.getTime(),
      until: w.sendBy.getTime(),
      priority: w.wave.priority,
      channel: row.channel,
      category: w.wave.category,
    },
    now,
  );
}
