/**
 * Weights: design weights from the stages of selection (1 / product of inclusion probabilities),
 * and calibration to population counts: post-stratification and raking by iterative proportional
 * fitting, as R's survey::postStratify and survey::rake (same stopping rule, so the same weights).
 */
import { problem, type DesignProblem } from "./design.js";

/** One stage of selection of a unit: simple random (n of N) or PPS (n draws, measure M_i of total ΣM). */
export type SelectionStage = { kind: "srs"; sampled: number; population: number } | { kind: "pps"; sampled: number; measure: number; totalMeasure: number };

/** Inclusion probability of a stage; a PPS unit whose n·M_i ≥ ΣM is selected with certainty (and should be its own stratum). */
export function inclusionProbability(stage: SelectionStage): number {
  return stage.kind === "srs" ? stage.sampled / stage.population : Math.min(1, (stage.sampled * stage.measure) / stage.totalMeasure);
}

/**
 * The design weight of a respondent selected through these stages (for SIPAS: villages by PPS of
 * households, then m households by SRS of the village's M; for PAPI: PPS at each stage).
 */
export function designWeight(stages: readonly SelectionStage[]): number {
  return 1 / stages.reduce((p, s) => p * inclusionProbability(s), 1);
}

/** Problems in the stages (non-positive populations, more sampled than exist). */
export function checkStages(stages: readonly SelectionStage[], path: string): DesignProblem[] {
  const out: DesignProblem[] = [];
  for (const s of stages) {
    if (!(s.sampled > 0)) out.push(problem("sample_not_positive", path, `${s.sampled}`));
    if (s.kind === "srs") {
      if (!(s.population > 0)) out.push(problem("population_not_positive", path, `${s.population}`));
      else if (s.sampled > s.population) out.push(problem("sample_exceeds_population", path, `${s.sampled} > ${s.population}`));
    } else {
      if (!(s.measure > 0)) out.push(problem("population_not_positive", path, `${s.measure}`));
      if (!(s.totalMeasure > 0)) out.push(problem("population_not_positive", path, `${s.totalMeasure}`));
    }
  }
  return out;
}

/** A margin: the categories of one or more variables (joined by ":") and their population counts. */
export interface Margin {
  variables: readonly string[];
  population: ReadonlyMap<string, number>;
}

export interface CalibrationUnit {
  weight: number;
  /** The respondent's category for each calibration variable. */
  categories: Readonly<Record<string, string>>;
}

export class CalibrationError extends Error {
  constructor(readonly problems: DesignProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message.en}`).join("; "));
    this.name = "CalibrationError";
  }
}

const cellOf = (unit: CalibrationUnit, variables: readonly string[]) => variables.map((v) => unit.categories[v] ?? "").join(":");

/** Problems of a margin against the sample: a sample cell the population lacks, or a populated cell with no respondent. */
export function checkMargin(units: readonly CalibrationUnit[], margin: Margin): DesignProblem[] {
  const sample = new Map<string, number>();
  for (const u of units) sample.set(cellOf(u, margin.variables), (sample.get(cellOf(u, margin.variables)) ?? 0) + u.weight);
  const out: DesignProblem[] = [];
  const path = `margin ${margin.variables.join(" × ")}`;
  for (const [cell, w] of sample) {
    const pop = margin.population.get(cell);
    if (w > 0 && !(pop !== undefined && pop > 0)) out.push(problem("margin_missing_cell", path, cell));
  }
  for (const [cell, pop] of margin.population) {
    if (pop < 0 || !Number.isFinite(pop)) out.push(problem("population_not_positive", path, `${cell}: ${pop}`));
    else if (pop > 0 && !(sample.get(cell)! > 0)) out.push(problem("margin_cell_not_in_sample", path, cell));
  }
  return out;
}

function postStratifyInPlace(units: readonly CalibrationUnit[], weights: Float64Array, margin: Margin): void {
  const sums = new Map<string, number>();
  const cells = units.map((u) => cellOf(u, margin.variables));
  cells.forEach((c, i) => sums.set(c, (sums.get(c) ?? 0) + weights[i]!));
  cells.forEach((c, i) => {
    weights[i] = (weights[i]! * margin.population.get(c)!) / sums.get(c)!;
  });
}

/** Post-stratified weights: each cell's weights scaled to its population count (survey::postStratify). */
export function postStratifyWeights(units: readonly CalibrationUnit[], margin: Margin): Float64Array {
  const problems = checkMargin(units, margin);
  if (problems.length > 0) throw new CalibrationError(problems);
  const weights = Float64Array.from(units, (u) => u.weight);
  postStratifyInPlace(units, weights, margin);
  return weights;
}

export interface RakeOptions {
  /** Full sweeps over the margins at most (R: control$maxit, 10). */
  maxIterations?: number;
  /** Stop when no cell of the full cross-table moves by this much (R: control$epsilon, 1; below 1 it is a fraction of Σw). */
  epsilon?: number;
}

export interface RakeResult {
  weights: Float64Array;
  /** Per margin, the weights just after its post-stratification in the last sweep (R's raking variance uses them). */
  stepWeights: Float64Array[];
  sweeps: number;
  converged: boolean;
}

/**
 * Raking (iterative proportional fitting): post-stratify on each margin in turn, sweep after sweep,
 * until the cross-table of all margin variables moves by less than epsilon, as survey::rake.
 */
export function rakeWeights(units: readonly CalibrationUnit[], margins: readonly Margin[], options: RakeOptions = {}): RakeResult {
  const problems = margins.flatMap((m) => checkMargin(units, m));
  const totals = margins.map((m) => [...m.population.values()].reduce((s, x) => s + x, 0));
  if (totals.some((t) => Math.abs(t - totals[0]!) > 1e-9 * Math.abs(totals[0]!))) {
    problems.push(problem("margin_totals_differ", "margins", totals.join(" ≠ ")));
  }
  if (problems.length > 0) throw new CalibrationError(problems);
  const maxIterations = options.maxIterations ?? 10;
  const weights = Float64Array.from(units, (u) => u.weight);
  const epsilonGiven = options.epsilon ?? 1;
  const epsilon = epsilonGiven < 1 ? epsilonGiven * weights.reduce((s, w) => s + w, 0) : epsilonGiven;
  const allVariables = [...new Set(margins.flatMap((m) => m.variables))];
  const fullCells = units.map((u) => cellOf(u, allVariables));
  const table = () => {
    const t = new Map<string, number>();
    fullCells.forEach((c, i) => t.set(c, (t.get(c) ?? 0) + weights[i]!));
    return t;
  };
  let old = table();
  let sweeps = 0;
  let stepWeights: Float64Array[] = [];
  while (sweeps < maxIterations) {
    stepWeights = margins.map((m) => {
      postStratifyInPlace(units, weights, m);
      return Float64Array.from(weights);
    });
    const next = table();
    let delta = 0;
    for (const [c, v] of next) delta = Math.max(delta, Math.abs(v - old.get(c)!));
    if (delta < epsilon) return { weights, stepWeights, sweeps: sweeps + 1, converged: true };
    old = next;
    sweeps++;
  }
  return { weights, stepWeights, sweeps, converged: false };
}
