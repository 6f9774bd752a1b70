/**
 * Named RFM groups from the R and F scores (1–5, higher is better), first match wins; together they
 * cover every (R, F) pair, so each buyer is in exactly one group.
 *
 *   champions           R 4–5, F 4–5   bought recently and often
 *   cant-lose           R 1,   F 4–5   were among the best, gone quiet for long
 *   at-risk             R 1–2, F 3–5   good customers slipping away
 *   loyal               R 3–5, F 3–5   buy regularly
 *   new                 R 5,   F 1–2   first orders, very recent
 *   potential-loyalist  R 3–4, F 1–2   recent, few orders yet
 *   hibernating         R 2,   F 1–2   a while ago, few orders
 *   lost                R 1,   F 1–2   long ago, few orders
 */
export const RFM_GROUP_RULES: readonly [string, number[], number[]][] = [
  ['champions', [4, 5], [4, 5]],
  ['cant-lose', [1], [4, 5]],
  ['at-risk', [1, 2], [3, 4, 5]],
  ['loyal', [3, 4, 5], [3, 4, 5]],
  ['new', [5], [1, 2]],
  ['potential-loyalist', [3, 4], [1, 2]],
  ['hibernating', [2], [1, 2]],
  ['lost', [1], [1, 2]],
];

export function rfmGroupCase(r: string, f: string): string {
  const whens = RFM_GROUP_RULES.map(
    ([name, rs, fs]) => `WHEN ${r} IN (${rs.join(', ')}) AND ${f} IN (${fs.join(', ')}) THEN '${name}'`,
  );
  return `CASE ${whens.join(' ')} END`;
}
