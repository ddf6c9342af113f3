/** Ranking of units on a value: competition ranks (ties share a rank), quantiles and performance groups. */

/**
 * Competition ranking ("1224"): higher values rank first; equal values share the best rank and the
 * next distinct value skips as many places as were tied. Null values get no rank. Values are compared
 * after rounding to `decimals` + 4 places so that binary noise does not break a tie that is exact
 * in the published figures.
 */
export function competitionRanks(values: ReadonlyArray<number | null>, decimals = 6): Array<number | null> {
  const key = (v: number) => Math.round(v * 10 ** (decimals + 4));
  const present = values
    .map((v, i) => ({ v, i }))
    .filter((x): x is { v: number; i: number } => x.v !== null && Number.isFinite(x.v))
    .sort((a, b) => key(b.v) - key(a.v));
  const ranks: Array<number | null> = values.map(() => null);
  let previous: number | null = null;
  let rank = 0;
  present.forEach((x, position) => {
    const k = key(x.v);
    if (previous === null || k !== previous) rank = position + 1;
    previous = k;
    ranks[x.i] = rank;
  });
  return ranks;
}

/** Quantile by linear interpolation between order statistics (R's default, type 7). */
export function quantile(sortedAscending: readonly number[], p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sortedAscending[lo]! + (h - lo) * (sortedAscending[hi]! - sortedAscending[lo]!);
}

/**
 * Performance groups by quantile (PAPI's four groups by quartile): with k groups, cut points are the
 * j/k quantiles of the values (j = 1..k−1); a value at or above the top cut is group 0 (the highest),
 * and so on down. Returns the group index per value (0 = highest) and the cut points, highest first.
 */
export function performanceGroups(values: ReadonlyArray<number | null>, k: number): { groups: Array<number | null>; cuts: number[] } {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0 || k < 1) return { groups: values.map(() => null), cuts: [] };
  const cuts: number[] = [];
  for (let j = k - 1; j >= 1; j--) cuts.push(quantile(sorted, j / k));
  const eps = 1e-9;
  const groups = values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    // Number of cut points strictly above the value = how many groups lie above it.
    return cuts.filter((c) => v < c - eps).length;
  });
  return { groups, cuts };
}
