/**
 * Design validation, design weights, calibration errors and the comparisons (year on year, rank
 * intervals, targets): each problem named, in Vietnamese and English.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CalibrationError,
  designWeight,
  checkStages,
  independentDifference,
  postStratifyWeights,
  rakeWeights,
  rankIntervals,
  targetStatus,
  tQuantile,
  validateDesign,
  type SamplingDesign,
} from "../../shared/statistics/index.js";
import { readJson, readRows, type DesignInputs } from "./fixture-data.js";

const base: SamplingDesign = { psuLevel: "village", strataLevel: "district", weights: { kind: "given" }, lonelyPsu: "fail" };

describe("design validation", () => {
  it("a PSU in two strata, a lonely PSU, FPC below the sample and bad weights are each named", () => {
    const problems = validateDesign({ ...base, fpc: { A: 1, B: 5 } }, [
      { psu: "V1", stratum: "A" },
      { psu: "V2", stratum: "A" },
      { psu: "V2", stratum: "B", weight: 0 },
      { psu: "V3", stratum: "C", weight: 1.5 },
    ]);
    const codes = problems.map((p) => `${p.code} ${p.path}`);
    expect(codes).toContain("psu_in_two_strata PSU V2");
    expect(codes).toContain("lonely_psu stratum B");
    expect(codes).toContain("lonely_psu stratum C");
    expect(codes).toContain("fpc_below_sample stratum A");
    expect(codes).toContain("fpc_missing stratum C");
    expect(codes).toContain("weight_not_positive weights");
    const lonely = problems.find((p) => p.code === "lonely_psu")!;
    expect(lonely.severity).toBe("error");
    expect(lonely.message.vi).toContain("chỉ có một đơn vị mẫu");
    expect(lonely.message.en).toContain("only one primary sampling unit");
  });

  it("under a rule that handles it, a lonely PSU is a warning that names the rule", () => {
    const [p] = validateDesign({ ...base, lonelyPsu: "adjust" }, [{ psu: "V1", stratum: "A" }]);
    expect(p).toMatchObject({ code: "lonely_psu", severity: "warning" });
    expect(p!.detail).toContain("adjust");
  });

  it("the fixture's weights are the PPS two-stage design weights M_h / (n_h · m_hi)", () => {
    const inputs = readJson<DesignInputs>("design-inputs.json");
    const rows = readRows();
    const m = new Map<string, number>();
    for (const r of rows) m.set(r.psu, (m.get(r.psu) ?? 0) + 1);
    for (const r of rows) {
      const M = inputs.villagePopulation[r.psu]!;
      const w = designWeight([
        { kind: "pps", sampled: inputs.psuPerStratum[r.stratum]!, measure: M, totalMeasure: inputs.stratumPopulation[r.stratum]! },
        { kind: "srs", sampled: m.get(r.psu)!, population: M },
      ]);
      expect(Math.abs(w - r.weight) / r.weight).toBeLessThan(1e-12);
    }
    expect(checkStages([{ kind: "srs", sampled: 30, population: 0 }], "village V9").map((p) => p.code)).toEqual(["population_not_positive"]);
    expect(checkStages([{ kind: "srs", sampled: 30, population: 20 }], "village V9").map((p) => p.code)).toEqual(["sample_exceeds_population"]);
  });

  it("margins that do not cover the sample, or cells without respondents, are refused", () => {
    const units = [
      { weight: 1, categories: { sex: "F" } },
      { weight: 2, categories: { sex: "M" } },
    ];
    const attempt = (population: Map<string, number>) => {
      try {
        postStratifyWeights(units, { variables: ["sex"], population });
        return [];
      } catch (e) {
        expect(e).toBeInstanceOf(CalibrationError);
        return (e as CalibrationError).problems.map((p) => `${p.code} ${p.detail}`);
      }
    };
    expect(attempt(new Map([["F", 10]]))).toEqual(["margin_missing_cell M"]);
    expect(
      attempt(
        new Map([
          ["F", 10],
          ["M", 0],
        ]),
      ),
    ).toEqual(["margin_missing_cell M"]);
    expect(
      attempt(
        new Map([
          ["F", 10],
          ["M", 5],
          ["X", 3],
        ]),
      ),
    ).toEqual(["margin_cell_not_in_sample X"]);
    expect(
      attempt(
        new Map([
          ["F", 10],
          ["M", -5],
        ]),
      ),
    ).toEqual(["margin_missing_cell M", "population_not_positive M: -5"]);
    expect(
      Array.from(
        postStratifyWeights(units, {
          variables: ["sex"],
          population: new Map([
            ["F", 10],
            ["M", 5],
          ]),
        }),
      ),
    ).toEqual([10, 5]);
    expect(() =>
      rakeWeights(
        [{ weight: 1, categories: { sex: "F", age: "a" } }],
        [
          { variables: ["sex"], population: new Map([["F", 10]]) },
          { variables: ["age"], population: new Map([["a", 12]]) },
        ],
      ),
    ).toThrow(/margins/);
  });
});

describe("comparisons", () => {
  it("year on year: variances add (independent samples), Satterthwaite df, significance", () => {
    const d = independentDifference({ estimate: 57.8, se: 4.5, df: 14 }, { estimate: 59.6, se: 4.1, df: 14 });
    expect(d.difference).toBeCloseTo(1.8, 12);
    expect(d.se).toBeCloseTo(Math.sqrt(4.5 ** 2 + 4.1 ** 2), 12);
    const v1 = 4.5 ** 2;
    const v2 = 4.1 ** 2;
    expect(d.df).toBeCloseTo((v1 + v2) ** 2 / (v1 ** 2 / 14 + v2 ** 2 / 14), 12);
    expect(d.ci.hi - d.difference).toBeCloseTo(tQuantile(0.975, d.df) * d.se, 12);
    expect(d.significant).toBe(false);
    expect(independentDifference({ estimate: 50, se: 1, df: 30 }, { estimate: 56, se: 1, df: 30 }).significant).toBe(true);
  });

  it("ranks: the range of ranks consistent with the intervals", () => {
    const r = rankIntervals([
      { key: "a", estimate: 80, lo: 76, hi: 84 },
      { key: "b", estimate: 70, lo: 66, hi: 74 },
      { key: "c", estimate: 72, lo: 60, hi: 85 },
      { key: "d", estimate: 50, lo: 45, hi: 55 },
    ]);
    expect(r).toEqual([
      { key: "a", rank: 1, best: 1, worst: 2 },
      { key: "b", rank: 3, best: 2, worst: 3 },
      { key: "c", rank: 2, best: 1, worst: 3 },
      { key: "d", rank: 4, best: 4, worst: 4 },
    ]);
  });

  it("ranks: counted in sorted copies, the same as comparing every pair (ties, open intervals)", () => {
    const pairwise = (units: Array<{ key: string; estimate: number; lo: number; hi: number }>) =>
      units.map((u) => {
        const others = units.filter((o) => o !== u);
        return {
          key: u.key,
          rank: 1 + others.filter((o) => o.estimate > u.estimate).length,
          best: 1 + others.filter((o) => o.lo > u.hi).length,
          worst: units.length - others.filter((o) => o.hi < u.lo).length,
        };
      });
    const unit = fc.record({ estimate: fc.integer({ min: 0, max: 20 }), half: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(Infinity)) });
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 40 }), (drawn) => {
        const units = drawn.map((d, i) => ({ key: String(i), estimate: d.estimate, lo: d.estimate - d.half, hi: d.estimate + d.half }));
        expect(rankIntervals(units)).toEqual(pairwise(units));
      }),
      { numRuns: 300 },
    );
  });

  it("targets: met, not met, cannot tell", () => {
    expect(targetStatus({ lo: 86, hi: 90 }, 85)).toBe("met");
    expect(targetStatus({ lo: 80, hi: 84.9 }, 85)).toBe("not-met");
    expect(targetStatus({ lo: 83, hi: 88 }, 85)).toBe("cannot-tell");
  });
});
