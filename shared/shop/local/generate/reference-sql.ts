import { joinSql, type Sql, sql } from '../../../lake/sql.ts';
import { sqlString } from '../../../lake/sql-literals.ts';
import { cityTier } from '../../city-tiers.ts';
import {
  ACQUISITION_CHANNELS,
  CATEGORIES,
  CLIMATE_ZONES,
  GIVEN_NAMES,
  LINE_LAUNCH,
  OVERSEAS_TIME_ZONES,
  PROVINCES,
  SURNAMES,
  ZONE_LEAD_MONTHS,
} from './reference-data.ts';

/** Cumulative lower bounds for weighted picks by ASOF JOIN: [value, cum_lo] with cum_lo in [0, 1). */
function cumulative<T>(items: readonly T[], weight: (t: T) => number): [T, number][] {
  const total = items.reduce((s, t) => s + weight(t), 0);
  let cum = 0;
  return items.map((t) => {
    const out: [T, number] = [t, cum / total];
    cum += weight(t);
    return out;
  });
}

/** A province's climate zone (CLIMATE_ZONES): south, north, or central for the rest. */
function zoneOf(province: string): keyof typeof ZONE_LEAD_MONTHS {
  if (CLIMATE_ZONES.south.includes(province)) return 'south';
  if (CLIMATE_ZONES.north.includes(province)) return 'north';
  return 'central';
}

/**
 * A category's demand in a month of a zone: the central curve shifted by the zone's lead, forward for the
 * warm-weather lines (spring, summer) and backward for the cold-weather ones (autumn, winter).
 */
function zoneMonthly(
  c: (typeof CATEGORIES)[number],
  zone: keyof typeof ZONE_LEAD_MONTHS,
  month: number,
): number {
  const lead = ZONE_LEAD_MONTHS[zone] * (c.season === 'spring' || c.season === 'summer' ? 1 : -1);
  return c.monthly[(((month + lead) % 12) + 12) % 12] ?? 1;
}

/** CREATE TABLE statements for the sample shop's reference data. */
export function referenceSql(): Sql[] {
  const provinces = cumulative(PROVINCES, (p) => p[1]).map(
    ([[name, , cities], lo], i) =>
      sql`(${i}, ${sqlString(name)}, ${cities.length}, ${sqlString(zoneOf(name))}, ${lo})`,
  );
  const cities = PROVINCES.flatMap(([province, , list]) =>
    list.map((city, ci) => {
      const tier = cityTier(province, city);
      if (tier === null) throw new RangeError(`the sample shop's city ${city} has no tier in city-tiers.ts`);
      const zone = OVERSEAS_TIME_ZONES[city];
      return sql`(${sqlString(province)}, ${ci}, ${sqlString(city)}, ${tier}, ${zone ? sqlString(zone) : sql`NULL`})`;
    }),
  );
  const acquisition = cumulative(ACQUISITION_CHANNELS, (a) => a[1]).map(
    ([[name], lo]) => sql`(${sqlString(name)}, ${lo})`,
  );
  const categories = CATEGORIES.map((c, i) => {
    const [m, d] = LINE_LAUNCH[c.season];
    return sql`(${i}, ${sqlString(c.code)}, ${sqlString(c.label)}, ${sqlString(c.season)}, ${c.basePrice}, ${c.maxQuantity}, ${m}, ${d}, ${sqlString(c.partner)})`;
  });
  const catMonth = (['south', 'central', 'north'] as const).flatMap((zone) =>
    Array.from({ length: 12 }, (_, m) =>
      cumulative(CATEGORIES, (c) => zoneMonthly(c, zone, m)).map(
        ([c, lo]) => sql`(${sqlString(zone)}, ${m + 1}, ${sqlString(c.code)}, ${lo})`,
      ),
    ).flat(),
  );
  return [
    sql`CREATE TABLE provinces AS SELECT * FROM (VALUES ${joinSql(provinces)}) v(pidx, province, ncities, zone, cum_lo)`,
    sql`CREATE TABLE cities AS SELECT * FROM (VALUES ${joinSql(cities)}) v(province, ci, city, tier, time_zone)`,
    sql`CREATE TABLE acquisition AS SELECT * FROM (VALUES ${joinSql(acquisition)}) v(channel, cum_lo)`,
    sql`CREATE TABLE categories AS SELECT * FROM (VALUES ${joinSql(categories)}) v(cat_idx, code, label, season, base_price, max_qty, launch_month, launch_day, partner)`,
    sql`CREATE TABLE cat_month AS SELECT * FROM (VALUES ${joinSql(catMonth)}) v(zone, month, code, cum_lo)`,
    sql`CREATE TABLE names AS SELECT [${joinSql(SURNAMES.map(sqlString))}] AS surnames, [${joinSql(GIVEN_NAMES.map(sqlString))}] AS given`,
  ];
}
