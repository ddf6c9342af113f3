/**
 * Building the per-PSU sums the estimators read from respondents directly (the reference path used
 * by tests and by any recomputation from stored responses). From rollup tallies they are built where
 * the tallies are kept (server/results/uncertainty.ts, docs/statistics.md §6).
 */
import type { ItemSums, PsuSums, VarianceDesign } from "./linearisation.js";
import { addRespondentMoments, emptyCrossMoments, type CrossMoments } from "./estimates.js";

export function emptyItemSums(): ItemSums {
  return { n: 0, w: 0, w2: 0, y: 0, yy: 0 };
}

export interface ScoredRespondent {
  stratum: string;
  psu: string;
  postStratum?: string;
  weight: number;
  /** Score per item in the fixed item order; null when the item has no valid answer. */
  scores: ReadonlyArray<number | null>;
}

const recordKey = (r: { stratum: string; psu: string; postStratum?: string | undefined }) => `${r.stratum}\u0000${r.psu}\u0000${r.postStratum ?? ""}`;

/** PSU sums (per PSU × post-stratum when respondents carry one) of the respondents given (a domain). */
export function sumsFromRespondents(respondents: Iterable<ScoredRespondent>, items: number): PsuSums[] {
  const byKey = new Map<string, PsuSums>();
  for (const r of respondents) {
    const key = recordKey(r);
    let rec = byKey.get(key);
    if (!rec) {
      rec = {
        stratum: r.stratum,
        psu: r.psu,
        ...(r.postStratum !== undefined ? { postStratum: r.postStratum } : {}),
        n: 0,
        w: 0,
        w2: 0,
        items: Array.from({ length: items }, emptyItemSums),
      };
      byKey.set(key, rec);
    }
    rec.n += 1;
    rec.w += r.weight;
    rec.w2 += r.weight * r.weight;
    for (let k = 0; k < items; k++) {
      const s = r.scores[k];
      if (s === null || s === undefined) continue;
      const item = rec.items[k]!;
      item.n += 1;
      item.w += r.weight;
      item.w2 += r.weight * r.weight;
      item.y += r.weight * s;
      item.yy += r.weight * s * s;
    }
  }
  return [...byKey.values()];
}

/** The respondent-level cross moments of a domain (for composites' design effects). */
export function momentsFromRespondents(respondents: Iterable<ScoredRespondent>, items: number): CrossMoments {
  const m = emptyCrossMoments(items);
  for (const r of respondents) addRespondentMoments(m, r.scores, r.weight);
  return m;
}

/**
 * The design-wide part of the variance: PSUs per stratum, and for post-stratified designs every
 * PSU × post-stratum weight sum of the whole sample.
 */
export function varianceDesignFromSample(
  sample: Iterable<{ stratum: string; psu: string; postStratum?: string; weight: number }>,
  options: { lonelyPsu: VarianceDesign["lonelyPsu"]; populationPsus?: ReadonlyMap<string, number>; postStratified?: boolean },
): VarianceDesign {
  const psus = new Map<string, Set<string>>();
  const psuWeights = new Map<string, { stratum: string; psu: string; postStratum: string; w: number }>();
  const totals = new Map<string, number>();
  for (const r of sample) {
    let set = psus.get(r.stratum);
    if (!set) psus.set(r.stratum, (set = new Set()));
    set.add(r.psu);
    if (options.postStratified) {
      if (r.postStratum === undefined) throw new Error(`PSU ${r.psu}: respondent without a post-stratum in a post-stratified design`);
      const key = recordKey(r);
      const cell = psuWeights.get(key) ?? { stratum: r.stratum, psu: r.psu, postStratum: r.postStratum, w: 0 };
      cell.w += r.weight;
      psuWeights.set(key, cell);
      totals.set(r.postStratum, (totals.get(r.postStratum) ?? 0) + r.weight);
    }
  }
  return {
    psusPerStratum: new Map([...psus].map(([s, set]) => [s, set.size])),
    lonelyPsu: options.lonelyPsu,
    ...(options.populationPsus ? { populationPsus: options.populationPsus } : {}),
    ...(options.postStratified ? { postStrata: { psuWeights, totals } } : {}),
  };
}
