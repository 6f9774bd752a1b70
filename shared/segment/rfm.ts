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

/**
 * The (R, F) cells, as 10 × R + F, whose group (first match in RFM_GROUP_RULES) is one of `groups`: a
 * group filter becomes one IN over a number, which the engines evaluate far faster than a CASE over
 * the two window results (docs/benchmarks.md).
 */
export function rfmGroupCells(groups: readonly string[]): number[] {
  const cells: number[] = [];
  for (let r = 1; r <= 5; r++)
    for (let f = 1; f <= 5; f++) {
      const group = RFM_GROUP_RULES.find(([, rs, fs]) => rs.includes(r) && fs.includes(f))?.[0];
      if (group && groups.includes(group)) cells.push(10 * r + f);
    }
  return cells;
}
