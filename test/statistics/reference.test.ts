/**
 * Every statistic of shared/statistics against R's survey package on the committed fixtures
 * (scripts/r/reference-statistics.R): items and composites, estimate, SE, interval, design effects
 * of both kinds, effective n, n and df, for the two-stage, FPC, unstratified, SRS, lonely-PSU,
 * post-stratified, raked (with R's raking variance) and raked-weights-as-given designs, each to 1e-9 relative.
 */
import { describe, expect, it } from "vitest";
import {
  compositeEstimate,
  itemEstimate,
  momentsFromRespondents,
  postStratifyWeights,
  rakeWeights,
  rakedRatioCovariance,
  ratioCovariance,
  sumsFromRespondents,
  varianceDesignFromSample,
  LonelyPsuError,
  type LonelyPsu,
  type ScoredRespondent,
  type VarianceDesign,
  type Estimate,
  type DeffKind,
} from "../../shared/statistics/index.js";
import { ITEMS, PROPORTION, readJson, readRows, scored, type DesignInputs, type Reference, type ReferenceInterval, type Row } from "./fixture-data.js";

const rows = readRows();
const inputs = readJson<DesignInputs>("design-inputs.json");
const reference = readJson<Reference>("reference.json");

const TOLERANCE = 1e-9;
function close(actual: number | null | undefined, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  const scale = Math.max(Math.abs(expected), Math.abs(actual!), 1e-300);
  const rel = Math.abs(actual! - expected) / scale;
  if (!(rel <= TOLERANCE)) throw new Error(`${what}: ${actual} vs R ${expected} (relative difference ${rel.toExponential(2)})`);
}

const cell = (r: Row) => `${r.sex}:${r.age}`;
const calibrationUnits = rows.map((r) => ({ weight: r.weight, categories: { sex: r.sex, age: r.age, ps: cell(r) } }));
const postWeights = postStratifyWeights(calibrationUnits, { variables: ["ps"], population: new Map(Object.entries(inputs.postStrata)) });
const raked = rakeWeights(calibrationUnits, [
  { variables: ["sex"], population: new Map(Object.entries(inputs.rakeSex)) },
  { variables: ["age"], population: new Map(Object.entries(inputs.rakeAge)) },
]);

interface Built {
  sample: ScoredRespondent[];
  design: VarianceDesign;
}

/** The same designs as the R script, respondent by respondent. */
function build(name: string, lonely: LonelyPsu): Built {
  const n = rows.length;
  let sample: ScoredRespondent[];
  let populationPsus: Map<string, number> | undefined;
  let postStratified = false;
  switch (name) {
    case "two-stage":
      sample = rows.map((r) => scored(r, r.stratum, r.psu, r.weight));
      break;
    case "two-stage-fpc":
      sample = rows.map((r) => scored(r, r.stratum, r.psu, r.weight));
      populationPsus = new Map(Object.entries(inputs.stratumVillages));
      break;
    case "two-stage-no-strata":
      sample = rows.map((r) => scored(r, "all", r.psu, r.weight));
      break;
    case "srs":
      sample = rows.map((r) => scored(r, "all", r.id, 1));
      break;
    case "srs-fpc":
      sample = rows.map((r) => scored(r, "all", r.id, inputs.srsPopulation / n));
      populationPsus = new Map([["all", inputs.srsPopulation]]);
      break;
    case "post-stratified":
      sample = rows.map((r, i) => scored(r, r.stratum, r.psu, postWeights[i]!, cell(r)));
      postStratified = true;
      break;
    case "raked":
    case "raked-weights-given":
      sample = rows.map((r, i) => scored(r, r.stratum, r.psu, raked.weights[i]!));
      break;
    default:
      if (!name.startsWith("lonely-")) throw new Error(`unknown design ${name}`);
      sample = rows.map((r) => scored(r, r.psu === "V19" ? "S6a" : r.psu === "V20" ? "S6b" : r.stratum, r.psu, r.weight));
  }
  const design = varianceDesignFromSample(sample, { lonelyPsu: lonely, postStratified, ...(populationPsus ? { populationPsus } : {}) });
  return { sample, design };
}

const inDomain = (domain: string) => (r: Row) => domain === "all" || r.district === (domain === "districtB" ? "DB" : "DA");

const COMPOSITES: Record<string, (R: number[]) => { value: number; gradient: number[] }> = {
  mean123: (R) => ({ value: (R[0]! + R[1]! + R[2]!) / 3, gradient: [1 / 3, 1 / 3, 1 / 3, 0, 0] }),
  weighted: (R) => ({ value: (R[0]! + 2 * R[1]! + R[2]! + R[3]! + 3 * R[4]!) / 8, gradient: [1, 2, 1, 1, 3].map((a) => a / 8) }),
  nonlinear: (R) => ({
    value: (R[0]! * R[3]!) / R[1]!,
    gradient: [R[3]! / R[1]!, (-R[0]! * R[3]!) / R[1]! ** 2, 0, R[0]! / R[1]!, 0],
  }),
};

function checkInterval(actual: Estimate["ci"], expected: ReferenceInterval, what: string): void {
  expect(actual, what).not.toBeNull();
  expect(actual!.method).toBe(expected.method);
  close(actual!.lo, expected.lo, `${what} lo`);
  close(actual!.hi, expected.hi, `${what} hi`);
}

describe("statistics equal R's survey package", () => {
  it("was computed with the survey package", () => {
    expect(reference.survey).toMatch(/^\d+\.\d+/);
    expect(reference.designs.length).toBeGreaterThanOrEqual(12);
  });

  it("post-stratified and raked weights equal survey::postStratify and survey::rake", () => {
    reference.postStratifiedWeights.forEach((w, i) => close(postWeights[i], w, `post-stratified weight ${i}`));
    reference.rakedWeights.forEach((w, i) => close(raked.weights[i], w, `raked weight ${i}`));
  });

  for (const ref of reference.designs) {
    it(`${ref.design} (${ref.domain}${ref.lonelyPsu !== "fail" ? `, lonely PSU ${ref.lonelyPsu}` : ""})`, () => {
      const { sample, design } = build(ref.design, ref.lonelyPsu as LonelyPsu);
      const keep = inDomain(ref.domain);
      const domain = sample.filter((_, i) => keep(rows[i]!));
      const records = sumsFromRespondents(domain, ITEMS.length);
      const cov =
        ref.design === "raked"
          ? rakedRatioCovariance(
              rows.map((r, i) => ({
                stratum: r.stratum,
                psu: r.psu,
                categories: [r.sex, r.age],
                weight: raked.weights[i]!,
                stepWeights: raked.stepWeights.map((w) => w[i]!),
                inDomain: keep(r),
                scores: sample[i]!.scores,
              })),
              ITEMS.length,
              design,
            )
          : ratioCovariance(records, design);
      for (const kind of ["without-replacement", "replace"] as DeffKind[]) {
        // R keeps every row in subsets of calibrated designs only (its nrow(design) in svyciprop).
        const options = { deff: kind, ...(ref.design === "post-stratified" || ref.design === "raked" ? { designRows: ref.rows } : {}) };
        ref.items.forEach((expected, k) => {
          const what = `${ref.design}/${ref.domain} ${expected.item}`;
          const got = itemEstimate(records, cov, k, PROPORTION[k]!, options)!;
          close(got.estimate, expected.estimate, `${what} estimate`);
          close(got.se, expected.se, `${what} se`);
          close(got.deff, kind === "replace" ? expected.deffReplace : expected.deffWithoutReplacement, `${what} deff (${kind})`);
          expect(got.n).toBe(expected.n);
          expect(got.ci?.df).toBe(expected.df);
          close(got.nEffKish, expected.nEffKish, `${what} Kish n`);
          checkInterval(got.ci, expected.ci, `${what} interval`);
        });
        const moments = momentsFromRespondents(domain, ITEMS.length);
        const R = cov.ratios.map((r) => r!);
        for (const expected of ref.composites) {
          const what = `${ref.design}/${ref.domain} ${expected.name}`;
          const { value, gradient } = COMPOSITES[expected.name]!(R);
          const got = compositeEstimate(records, cov, value, gradient, options, moments);
          close(got.estimate, expected.estimate, `${what} estimate`);
          close(got.se, expected.se, `${what} se`);
          close(got.deff, kind === "replace" ? expected.deffReplace : expected.deffWithoutReplacement, `${what} deff (${kind})`);
          expect(got.n).toBe(expected.n);
          expect(got.ci?.df).toBe(expected.df);
          close(got.nEffKish, expected.nEffKish, `${what} Kish n`);
          checkInterval(got.ci, expected.ci, `${what} interval`);
        }
      }
    });
  }

  it('a lonely PSU under the rule "fail" is an error, as in R', () => {
    expect(reference.lonelyFailErrors).toBe(true);
    const { sample, design } = build("lonely-fail", "fail");
    expect(() => ratioCovariance(sumsFromRespondents(sample, ITEMS.length), design)).toThrow(LonelyPsuError);
  });

  it("dropping the strata changes every standard error", () => {
    const se = (name: string) => {
      const { sample, design } = build(name, "fail");
      const records = sumsFromRespondents(sample, ITEMS.length);
      const cov = ratioCovariance(records, design);
      return ITEMS.map((_, k) => itemEstimate(records, cov, k, PROPORTION[k]!, { deff: "replace" })!.se);
    };
    const stratified = se("two-stage");
    const unstratified = se("two-stage-no-strata");
    stratified.forEach((s, k) => expect(Math.abs(s - unstratified[k]!) / s).toBeGreaterThan(0.01));
  });

  it("under SRS the SE is the binomial one: √(p(1−p)/(n−1)), times √(1 − n/N) with the FPC", () => {
    // 50 respondents, 17 of them "yes", every one a PSU of one stratum.
    const n = 50;
    const sample: ScoredRespondent[] = Array.from({ length: n }, (_, i) => ({ stratum: "all", psu: `r${i}`, weight: 1, scores: [i < 17 ? 1 : 0] }));
    for (const N of [Infinity, 400]) {
      const design = varianceDesignFromSample(sample, { lonelyPsu: "fail", ...(N < Infinity ? { populationPsus: new Map([["all", N]]) } : {}) });
      const records = sumsFromRespondents(sample, 1);
      const got = itemEstimate(records, ratioCovariance(records, design), 0, true, { deff: "replace" })!;
      const fpc = N < Infinity ? 1 - n / N : 1;
      close(got.se, Math.sqrt((fpc * (17 / n) * (1 - 17 / n)) / (n - 1)), `binomial SE, N = ${N}`);
    }
  });
});
