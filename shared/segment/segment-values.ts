import type { Campaign } from '../campaign/campaign-schema.ts';
import { configLocator } from '../campaign/config-file.ts';
import { formatPath } from '../campaign/issue-messages.ts';
import type { Problem } from '../errors.ts';
import { col, rowDecoder } from '../lake/row-decoder.ts';
import { ident, type Sql, sql } from '../lake/sql.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { provinceSpellings } from './provinces.ts';
import { campaignRules, walkRule } from './rule-walk.ts';

/**
 * The values segment rules compare with the shop's data — provinces, acquisition channels, member tiers,
 * categories, skus — checked against the values the lake holds, so that a value that selects nobody
 * (`memberTier: [VIP]` in a shop whose tiers are lower-case, a misspelt channel) is found at validate
 * time instead of as an empty audience. A finding names the closest value in the data and how many
 * customers it would select. Gender is checked by the schema; age bands also against the shop's
 * configured bands (shop-calendar-checks.ts), and here against the data, so a lake written with other
 * labels (a sample shop generated before the report bands) shows.
 */
export type ValueColumn = 'province' | 'acquisitionChannel' | 'memberTier' | 'ageBand' | 'category' | 'sku';

type Path = (string | number)[];

export interface RuleValue {
  column: ValueColumn;
  value: string;
  /** Path in the campaign file, e.g. ['segments', 'vip', 'where', 'memberTier', 0]. */
  path: Path;
}

/** Per column, one query: each value in the data and how many customers it selects. */
const COLUMN_SQL: Record<ValueColumn, Sql> = {
  province: customersBy('province'),
  acquisitionChannel: customersBy('acquisition_channel'),
  memberTier: customersBy('member_tier'),
  ageBand: customersBy('age_band'),
  category: buyersBy('category'),
  sku: buyersBy('sku'),
};

function customersBy(name: string): Sql {
  const column = ident(name);
  return sql`SELECT ${column} AS value, count(*) AS customers FROM customers WHERE ${column} IS NOT NULL GROUP BY ${column}`;
}

/** Buyers of a category or sku: customers with a paid order line of it, as `bought` counts them. */
function buyersBy(name: string): Sql {
  const column = ident(name);
  return sql`SELECT ${column} AS value, count(DISTINCT customer_id) AS customers FROM order_items
  WHERE order_status = 'paid' AND ${column} IS NOT NULL GROUP BY ${column}`;
}

/** What a column is called in a finding. */
const COLUMN_NAME: Record<ValueColumn, string> = {
  province: 'province',
  acquisitionChannel: 'acquisition channel',
  memberTier: 'member tier',
  ageBand: 'age band',
  category: 'category',
  sku: 'sku',
};

/** Every value the campaign's rules (named segments and waves' own rules) compare with the data. */
export function ruleValues(campaign: Campaign): RuleValue[] {
  const out: RuleValue[] = [];
  for (const { rule, at } of campaignRules(campaign)) {
    walkRule(rule, (r, path) => {
      const list = (column: ValueColumn, values: readonly string[] | undefined, ...sub: string[]) =>
        values?.forEach((value, j) => {
          out.push({ column, value, path: [...at, ...path, ...sub, j] });
        });
      if ('region' in r) list('province', r.region.provinces, 'region', 'provinces');
      else if ('acquisitionChannel' in r)
        list('acquisitionChannel', r.acquisitionChannel, 'acquisitionChannel');
      else if ('memberTier' in r) list('memberTier', r.memberTier, 'memberTier');
      else if ('ageBand' in r) list('ageBand', r.ageBand, 'ageBand');
      else if ('crossSell' in r) {
        list('category', r.crossSell.bought, 'crossSell', 'bought');
        list('category', r.crossSell.never, 'crossSell', 'never');
      } else if ('replenishmentDue' in r)
        out.push({
          column: 'category',
          value: r.replenishmentDue.category,
          path: [...at, ...path, 'replenishmentDue', 'category'],
        });
      else
        for (const key of ['bought', 'earlyBuyer', 'unitsBought', 'season'] as const) {
          if (!(key in r)) continue;
          const args = (r as Record<typeof key, { category?: string[]; sku?: string[] }>)[key];
          list('category', args.category, key, 'category');
          list('sku', args.sku, key, 'sku');
        }
    });
  }
  return out;
}

/** Values in the data per column: value → customers it selects. */
export type KnownValues = Map<ValueColumn, Map<string, number>>;

const valueRow = rowDecoder('the values of a segment column', { value: col.text, customers: col.number });

/** The values of the columns asked for, one query per column. */
export async function knownValues(wh: Warehouse, columns: Iterable<ValueColumn>): Promise<KnownValues> {
  const known: KnownValues = new Map();
  for (const column of new Set(columns)) {
    const { rows } = await wh.query(COLUMN_SQL[column]);
    known.set(column, new Map(rows.map(valueRow).map((r) => [r.value, r.customers])));
  }
  return known;
}

export interface ValueFinding extends RuleValue {
  message: string;
}

/** The rule values that select no customer in the data, each with what to write instead. */
export function valueFindings(values: readonly RuleValue[], known: KnownValues): ValueFinding[] {
  const findings: ValueFinding[] = [];
  for (const v of values) {
    const inData = known.get(v.column);
    if (!inData) continue;
    const spellings = v.column === 'province' ? provinceSpellings(v.value) : [v.value];
    if (spellings.some((s) => inData.has(s))) continue;
    findings.push({ ...v, message: unmatchedMessage(v, inData) });
  }
  return findings;
}

/** A campaign that passed validation, with the text and file it came from (for positions). */
export interface CampaignSource {
  file: string;
  text: string;
  campaign: Campaign;
}

/**
 * The warnings of each campaign (in order): its rule values that select no customer in the warehouse's
 * data, at their line and path. One query per column, for all the campaigns together.
 */
export async function valueWarnings(wh: Warehouse, sources: readonly CampaignSource[]): Promise<Problem[][]> {
  const values = sources.map((s) => ruleValues(s.campaign));
  const known = await knownValues(
    wh,
    values.flatMap((vs) => vs.map((v) => v.column)),
  );
  return sources.map((source, i) => {
    const findings = valueFindings(values[i] ?? [], known);
    if (findings.length === 0) return [];
    const locate = configLocator(source.text);
    return findings.map((f) => ({
      file: source.file,
      ...locate(f.path),
      path: formatPath(f.path),
      message: f.message,
    }));
  });
}

const count = (n: number) => n.toLocaleString('en-US');
const customers = (n: number) => `${count(n)} customer${n === 1 ? '' : 's'}`;
/** Up to this many values in the data are listed when none is close. */
const LISTED = 12;

function unmatchedMessage(v: RuleValue, inData: ReadonlyMap<string, number>): string {
  const head = `${JSON.stringify(v.value)} matches no customer`;
  const best = closest(v.value, inData, v.column === 'province');
  if (best) return `${head}; did you mean ${JSON.stringify(best)} (${customers(inData.get(best) ?? 0)})?`;
  const name = COLUMN_NAME[v.column];
  if (inData.size === 0) return `${head}: the data has no ${name} values`;
  if (inData.size > LISTED)
    return `${head}, and none of the data's ${count(inData.size)} ${name} values is close to it`;
  const listed = [...inData]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([value, n]) => `${value} (${count(n)})`)
    .join(', ');
  return `${head}; the data's ${name} values are ${listed}`;
}

/** Case and width folded: `VIP` and `ｖｉｐ` compare equal to `vip`. */
const fold = (s: string) => s.normalize('NFKC').trim().toLowerCase();

/**
 * The value in the data closest to `value`: the same when case and width are folded, else one that
 * starts with the other (淘抢 → 淘抢购), else within a small edit distance (a third of the longer name,
 * at least one); ties go to the value that selects more customers. Provinces compare by their short
 * names too, so 广冬 finds 广东省.
 */
export function closest(value: string, inData: ReadonlyMap<string, number>, province = false): string | null {
  const v = fold(value);
  let best: { value: string; rank: number; customers: number } | null = null;
  for (const [candidate, n] of inData) {
    const forms = province ? provinceSpellings(candidate).map(fold) : [fold(candidate)];
    const rank = Math.min(...forms.map((f) => distanceRank(v, f)));
    if (rank === Number.POSITIVE_INFINITY) continue;
    if (!best || rank < best.rank || (rank === best.rank && n > best.customers))
      best = { value: candidate, rank, customers: n };
  }
  return best?.value ?? null;
}

/** 0 for the same folded text, 1 for a prefix, 2 + edit distance when close enough, else infinity. */
function distanceRank(a: string, b: string): number {
  if (a === b) return 0;
  const [short, long] = [...a].length <= [...b].length ? [a, b] : [b, a];
  if ([...short].length >= 2 && long.startsWith(short)) return 1;
  const d = editDistance(a, b);
  return d <= Math.max(1, Math.floor([...long].length / 3)) ? 2 + d : Number.POSITIVE_INFINITY;
}

/** Edit distance over code points: insertions, deletions, substitutions and swaps of neighbours (glod → gold). */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const d = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(x.length, y.length);
}
