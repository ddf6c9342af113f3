/**
 * Reads the committed reference sample (written by scripts/r/reference-statistics.R) and turns it
 * into the inputs of shared/statistics for each design the R script builds, scored as R scores it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScoredRespondent } from "../../shared/statistics/sums.js";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

export interface Row {
  id: string;
  stratum: string;
  psu: string;
  district: string;
  sex: string;
  age: string;
  weight: number;
  answers: number[];
}

export const ITEMS = ["q1", "q2", "q3", "q4", "q5"] as const;
/** q1–q3 and q5 are shares (Korn–Graubard); q4 is a normalised mean (t interval). */
export const PROPORTION = [true, true, true, false, true];

/** The score of an answer as the R script gives it (9 = don't know: no valid answer). */
export function score(item: number, value: number): number | null {
  if (value === 9) return null;
  if (item === 3) return (value - 1) / 4;
  if (item === 4) return value === 1 ? 1 : 0;
  return value >= 4 ? 1 : 0;
}

export function readRows(dir = FIXTURES): Row[] {
  const [header, ...lines] = readFileSync(`${dir}/respondents.csv`, "utf8").trim().split("\n");
  const cols = header!.split(",");
  const at = (name: string) => cols.indexOf(name);
  return lines.map((line) => {
    const f = line.split(",");
    return {
      id: f[at("id")]!,
      stratum: f[at("stratum")]!,
      psu: f[at("psu")]!,
      district: f[at("district")]!,
      sex: f[at("sex")]!,
      age: f[at("age")]!,
      weight: Number(f[at("weight")]),
      answers: ITEMS.map((q) => Number(f[at(q)])),
    };
  });
}

export function readJson<T>(name: string, dir = FIXTURES): T {
  return JSON.parse(readFileSync(`${dir}/${name}`, "utf8")) as T;
}

export function scored(row: Row, stratum: string, psu: string, weight: number, postStratum?: string): ScoredRespondent {
  return {
    stratum,
    psu,
    weight,
    ...(postStratum !== undefined ? { postStratum } : {}),
    scores: row.answers.map((v, k) => score(k, v)),
  };
}

export interface DesignInputs {
  psuPerStratum: Record<string, number>;
  stratumPopulation: Record<string, number>;
  stratumVillages: Record<string, number>;
  villagePopulation: Record<string, number>;
  postStrata: Record<string, number>;
  rakeSex: Record<string, number>;
  rakeAge: Record<string, number>;
  srsPopulation: number;
}

export interface ReferenceInterval {
  lo: number;
  hi: number;
  method: string;
}

export interface ReferenceItem {
  item: string;
  estimate: number;
  se: number;
  deffWithoutReplacement: number | null;
  deffReplace: number | null;
  n: number;
  nEffKish: number;
  df: number;
  ci: ReferenceInterval;
}

export interface ReferenceComposite {
  name: string;
  estimate: number;
  se: number;
  df: number;
  ci: ReferenceInterval;
  deffWithoutReplacement: number | null;
  deffReplace: number | null;
  n: number;
  nEffKish: number;
}

export interface ReferenceDesign {
  design: string;
  domain: string;
  lonelyPsu: string;
  rows: number;
  items: ReferenceItem[];
  composites: ReferenceComposite[];
}

export interface Reference {
  survey: string;
  designs: ReferenceDesign[];
  lonelyFailErrors: boolean;
  postStratifiedWeights: number[];
  rakedWeights: number[];
  rakedDesignSeQ1: number;
  qbeta: Array<{ p: number; a: number; b: number; q: number }>;
  qt: Array<{ df: number; q975: number; q025: number }>;
}
