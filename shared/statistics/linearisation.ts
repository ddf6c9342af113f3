/**
 * Taylor-linearisation variances from per-PSU sums, as R's survey package computes them
 * (svyrecvar with the ultimate-cluster, with-replacement first stage, optional FPC, lonely-PSU
 * rules and post-stratification residuals).
 *
 * Every estimate here is a smooth function of item ratios R_k = Y_k / X_k (Y_k = Σ w·score over
 * valid answers to item k, X_k = Σ w over them). The linearised value of R_k for one PSU is
 * U_k = (Y_k,psu − R_k · X_k,psu) / X_k, so the covariance matrix of all ratios needs only each
 * PSU's Y and X per item: the sufficient statistics a rollup keeps (docs/statistics.md).
 */

export type LonelyPsu = "fail" | "remove" | "certainty" | "adjust" | "average";
export const LONELY_PSU_RULES: readonly LonelyPsu[] = ["fail", "remove", "certainty", "adjust", "average"];

/** Sums over the valid answers to one item in one PSU (or PSU × post-stratum) of the domain. */
export interface ItemSums {
  /** Valid answers. */
  n: number;
  /** Σ w over valid answers (X). */
  w: number;
  /** Σ w² over valid answers (for Kish's effective n). */
  w2: number;
  /** Σ w · score (Y). */
  y: number;
  /** Σ w · score² (for the SRS variance in the design effect). */
  yy: number;
}

/** One PSU's sums for a domain (a unit subtree × respondent group), items in a fixed order. */
export interface PsuSums {
  stratum: string;
  psu: string;
  /** Post-stratum of these respondents (post-stratified designs only: one record per PSU × post-stratum). */
  postStratum?: string;
  /** Respondents of the domain here, their weight sum and weight² sum. */
  n: number;
  w: number;
  w2: number;
  items: ItemSums[];
}

/** What the variance needs to know about the design as a whole (not only the domain). */
export interface VarianceDesign {
  /** PSUs sampled in each stratum of the design (all of them, also those outside the domain). */
  psusPerStratum: ReadonlyMap<string, number>;
  /** PSUs in the population of each stratum, for the finite population correction; absent: none. */
  populationPsus?: ReadonlyMap<string, number>;
  lonelyPsu: LonelyPsu;
  /**
   * Post-stratified designs: the final weight sum of the whole sample per PSU × post-stratum
   * (key `${stratum}\u0000${psu}\u0000${postStratum}`) and per post-stratum. Respondents outside the
   * domain carry residuals too, as in R.
   */
  /** Calibrated (raked) without post-strata residuals here: R's subsets then keep every stratum. */
  calibrated?: boolean;
  postStrata?: {
    psuWeights: ReadonlyMap<string, { stratum: string; psu: string; postStratum: string; w: number }>;
    totals: ReadonlyMap<string, number>;
  };
}

export class LonelyPsuError extends Error {
  constructor(readonly stratum: string) {
    super(`stratum "${stratum}" has only one PSU (lonely PSU rule "fail")`);
    this.name = "LonelyPsuError";
  }
}

export interface RatioCovariance {
  /** Item ratios R_k (null where the item has no valid answer in the domain). */
  ratios: Array<number | null>;
  /** Covariance matrix of the ratios, K × K, row-major (0 rows/columns for items without a value). */
  covariance: Float64Array;
  /** Number of items K. */
  size: number;
}

const psuKey = (stratum: string, psu: string) => `${stratum}\u0000${psu}`;

/**
 * The covariance matrix of all item ratios of a domain, from its PSU sums. Cost O(PSUs × K²),
 * independent of the number of responses.
 */
export function ratioCovariance(records: readonly PsuSums[], design: VarianceDesign): RatioCovariance {
  const size = records[0]?.items.length ?? 0;
  const Y = new Float64Array(size);
  const X = new Float64Array(size);
  for (const r of records) {
    for (let k = 0; k < size; k++) {
      Y[k] = Y[k]! + r.items[k]!.y;
      X[k] = X[k]! + r.items[k]!.w;
    }
  }
  const ratios = Array.from(X, (x, k) => (x > 0 ? Y[k]! / x : null));
  // Linearised values per PSU (summed over its post-strata), U_k = (Y_k − R_k X_k) / X_k.
  const byPsu = new Map<string, { stratum: string; u: Float64Array }>();
  const psuEntry = (stratum: string, psu: string) => {
    const key = psuKey(stratum, psu);
    let entry = byPsu.get(key);
    if (!entry) byPsu.set(key, (entry = { stratum, u: new Float64Array(size) }));
    return entry;
  };
  const postMeans = design.postStrata ? new Map<string, Float64Array>() : null;
  for (const r of records) {
    const { u } = psuEntry(r.stratum, r.psu);
    let mean: Float64Array | undefined;
    if (postMeans) {
      if (r.postStratum === undefined) throw new Error(`PSU ${r.psu}: a post-stratified design needs the post-stratum of every record`);
      mean = postMeans.get(r.postStratum);
      if (!mean) postMeans.set(r.postStratum, (mean = new Float64Array(size)));
    }
    for (let k = 0; k < size; k++) {
      const x = X[k]!;
      if (x <= 0) continue;
      const value = (r.items[k]!.y - ratios[k]! * r.items[k]!.w) / x;
      u[k] = u[k]! + value;
      if (mean) mean[k] = mean[k]! + value;
    }
  }
  if (postMeans && design.postStrata) {
    // Residuals from each post-stratum's weighted mean: U ← U − W_psu,g · (Σ_g U / W_g), for every
    // PSU of the sample that has respondents in g (inside the domain or not).
    for (const [g, sum] of postMeans) {
      const total = design.postStrata.totals.get(g);
      if (!total) throw new Error(`post-stratum "${g}" has no weight total`);
      for (let k = 0; k < size; k++) sum[k] = sum[k]! / total;
    }
    for (const cell of design.postStrata.psuWeights.values()) {
      const mean = postMeans.get(cell.postStratum);
      if (!mean) continue;
      const { u } = psuEntry(cell.stratum, cell.psu);
      for (let k = 0; k < size; k++) u[k] = u[k]! - cell.w * mean[k]!;
    }
  }
  const covariance = stratifiedCovariance(byPsu.values(), size, design);
  return { ratios, covariance, size };
}

/**
 * Σ_h scale_h · Σ_i (U_hi − Ū_h)(U_hi − Ū_h)ᵀ, with scale_h = f_h · n_h / (n_h − 1) and
 * f_h = (N_h − n_h) / N_h; PSUs of the design missing from the domain count as zeros.
 */
export function stratifiedCovariance(psus: Iterable<{ stratum: string; u: Float64Array }>, size: number, design: VarianceDesign): Float64Array {
  const byStratum = new Map<string, Float64Array[]>();
  for (const p of psus) {
    let list = byStratum.get(p.stratum);
    if (!list) byStratum.set(p.stratum, (list = []));
    list.push(p.u);
  }
  const out = new Float64Array(size * size);
  for (const [stratum, list] of byStratum) {
    const nPsu = design.psusPerStratum.get(stratum);
    if (nPsu === undefined) throw new Error(`stratum "${stratum}" is not part of the design`);
    const population = design.populationPsus?.get(stratum);
    const f = population === undefined || population === Infinity ? 1 : (population - nPsu) / population;
    if (f < 1e-7) continue;
    let centred = true;
    if (nPsu === 1) {
      switch (design.lonelyPsu) {
        case "fail":
          throw new LonelyPsuError(stratum);
        case "remove":
        case "certainty":
          continue;
        case "average":
          continue;
        case "adjust":
          // Centred at the grand mean, which is 0 for linearised values of ratios.
          centred = list.length > 1;
          break;
      }
    }
    const scale = nPsu > 1 ? (f * nPsu) / (nPsu - 1) : f;
    const mean = new Float64Array(size);
    if (centred) {
      for (const u of list) for (let k = 0; k < size; k++) mean[k] = mean[k]! + u[k]!;
      for (let k = 0; k < size; k++) mean[k] = mean[k]! / nPsu;
    }
    for (const u of list) addOuter(out, u, mean, scale, size);
    // The design's PSUs with no respondent in the domain contribute (0 − Ū)(0 − Ū)ᵀ each.
    const absent = nPsu - list.length;
    if (absent > 0 && centred) addOuter(out, new Float64Array(size), mean, scale * absent, size);
  }
  // R's "average": the other strata's mean contribution stands in for the lonely ones. R counts the
  // strata its subset keeps: the domain's for an ordinary design, the design's for a calibrated one.
  const counted = design.postStrata || design.calibrated ? [...design.psusPerStratum.keys()] : [...byStratum.keys()];
  const lonelyAveraged = design.lonelyPsu === "average" ? counted.filter((s) => design.psusPerStratum.get(s) === 1).length : 0;
  if (lonelyAveraged > 0) {
    const strata = counted.length;
    const factor = strata / (strata - lonelyAveraged);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * factor;
  }
  return out;
}

function addOuter(out: Float64Array, u: Float64Array, mean: Float64Array, scale: number, size: number): void {
  for (let a = 0; a < size; a++) {
    const da = u[a]! - mean[a]!;
    if (da === 0) continue;
    const row = a * size;
    for (let b = 0; b < size; b++) out[row + b] = out[row + b]! + scale * da * (u[b]! - mean[b]!);
  }
}

/** aᵀ V a for a gradient a over the ratios. */
export function quadraticForm(cov: RatioCovariance, gradient: ArrayLike<number>): number {
  const { size, covariance } = cov;
  let v = 0;
  for (let i = 0; i < size; i++) {
    const gi = gradient[i]!;
    if (gi === 0) continue;
    const row = i * size;
    for (let j = 0; j < size; j++) v += gi * covariance[row + j]! * gradient[j]!;
  }
  return v;
}

/** Design degrees of freedom of a domain, as R's degf: PSUs with respondents minus their strata. */
export interface DomainDegreesOfFreedom {
  /** Per item: PSUs with a valid answer minus their strata. */
  items: number[];
  /** PSUs with a respondent of the domain minus their strata. */
  respondents: number;
}

const dfCache = new WeakMap<readonly PsuSums[], DomainDegreesOfFreedom>();

/** Degrees of freedom of every item and of the domain, in one pass (cached per records array). */
export function degreesOfFreedom(records: readonly PsuSums[]): DomainDegreesOfFreedom {
  const cached = dfCache.get(records);
  if (cached) return cached;
  const size = records[0]?.items.length ?? 0;
  // Per stratum, per PSU: which items have a valid answer (a PSU may come in several post-stratum records).
  const strata = new Map<string, Map<string, { any: boolean; items: Uint8Array }>>();
  for (const r of records) {
    let psus = strata.get(r.stratum);
    if (!psus) strata.set(r.stratum, (psus = new Map()));
    let p = psus.get(r.psu);
    if (!p) psus.set(r.psu, (p = { any: false, items: new Uint8Array(size) }));
    if (r.n > 0) p.any = true;
    for (let k = 0; k < size; k++) if (r.items[k]!.n > 0) p.items[k] = 1;
  }
  const items = new Array<number>(size).fill(0);
  let respondents = 0;
  for (const psus of strata.values()) {
    const perItem = new Array<number>(size).fill(0);
    let any = 0;
    for (const p of psus.values()) {
      if (p.any) any++;
      for (let k = 0; k < size; k++) perItem[k] = perItem[k]! + p.items[k]!;
    }
    if (any > 0) respondents += any - 1;
    for (let k = 0; k < size; k++) if (perItem[k]! > 0) items[k] = items[k]! + perItem[k]! - 1;
  }
  const out = { items, respondents };
  dfCache.set(records, out);
  return out;
}
