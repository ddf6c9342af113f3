/**
 * Standard errors on a real index tree (SIPAS 2022, synthetic answers in 30 villages of 6 strata):
 * every node's gradient reproduces the engine's value, leaves are the item estimates, composites
 * and the derived PAR points are ∇ᵀV∇, and the whole tree at thousands of PSUs is fast.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentSchema } from "../../shared/instrument/schema.js";
import { IndexDefinitionSchema } from "../../shared/index-model/schema.js";
import { scoreResponses } from "../../shared/scoring/index.js";
import {
  compositeEstimate,
  itemEstimate,
  momentsFromRespondents,
  nodeGradients,
  quadraticForm,
  ratioCovariance,
  sumsFromRespondents,
  treeStatistics,
  varianceDesignFromSample,
  type PsuSums,
} from "../../shared/statistics/index.js";
import { generateAnswers } from "../../server/demo/generate.js";
import { seededRng } from "../../server/demo/random.js";
import { REPO_ROOT } from "../../server/config.js";
import { scoredSample } from "../helpers/scored-sample.js";

const dir = path.join(REPO_ROOT, "surveys", "sipas-2022");
const instrument = InstrumentSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, "instrument.json"), "utf8")));
const index = IndexDefinitionSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8")));

const rng = seededRng(13);
const responses = Array.from({ length: 600 }, (_, i) => {
  const village = i % 30;
  return {
    stratum: `S${village % 6}`,
    psu: `V${village}`,
    answers: generateAnswers(instrument, `V${village}`, "citizen", rng),
    weight: 0.5 + rng.next() * 2,
  };
});
const result = scoreResponses(index, instrument, responses, { group: "citizen" });
const gradients = nodeGradients(index, result);
const respondents = scoredSample(index, instrument, gradients.leaves, responses);
const K = gradients.leaves.length;
const records = sumsFromRespondents(respondents, K);
const design = varianceDesignFromSample(respondents, { lonelyPsu: "fail" });
const cov = ratioCovariance(records, design);
const options = { deff: "replace" as const };

describe("standard errors on the SIPAS 2022 tree", () => {
  it("every node's gradient reproduces the engine's value (nodes are linear in the leaf ratios)", () => {
    expect(K).toBeGreaterThan(10);
    const R = cov.ratios.map((r) => r ?? 0);
    for (const [code, linear] of [...gradients.percent, ...gradients.points]) {
      if (!linear) continue;
      const value = linear.gradient.reduce((s, g, k) => s + g * R[k]!, 0);
      expect(Math.abs(value - linear.value), code).toBeLessThan(1e-9 * Math.max(1, Math.abs(linear.value)));
    }
  });

  it("leaves are item estimates; inner nodes and derived points are linearised composites", () => {
    const moments = momentsFromRespondents(respondents, K);
    const stats = treeStatistics(index, result, records, design, options, moments);
    const byCode = new Map(stats.map((s) => [`${s.of}:${s.code}`, s]));
    const leaf = gradients.leaves[0]!;
    const item = itemEstimate(records, cov, 0, true, options)!;
    expect(byCode.get(`percent:${leaf}`)!.se).toBeCloseTo(100 * item.se, 12);
    const root = byCode.get(`percent:${result.root.code}`)!;
    const explicit = compositeEstimate(records, cov, result.root.percent!, gradients.percent.get(result.root.code)!.gradient, options, moments);
    expect(root.se).toBe(explicit.se);
    expect(root.se).toBeGreaterThan(0);
    expect(root.deff).toBeGreaterThan(0);
    expect(root.n).toBe(600);
    expect(root.ci!.lo).toBeLessThan(root.estimate);
    // PAR 8.1 = (I + II) / 2 / 10: its gradient is the groups' gradients over 20.
    const derived = index.derived[0]!;
    const I = gradients.percent.get("I")!.gradient;
    const II = gradients.percent.get("II")!.gradient;
    const expected = Math.sqrt(
      quadraticForm(
        cov,
        I.map((g, k) => (g + II[k]!) / 20),
      ),
    );
    expect(byCode.get(`derived:${derived.code}`)!.se).toBeCloseTo(expected, 12);
  });

  // Its speed is measured in bench/ (bench/results.ts), not here.
  it("the whole tree at 5,000 PSUs is computed from the PSU sums alone", () => {
    const big: PsuSums[] = [];
    for (let i = 0; i < 5000; i++) {
      const base = records[i % records.length]!;
      big.push({ ...base, stratum: `S${i % 63}`, psu: `P${i}` });
    }
    const bigDesign = varianceDesignFromSample(
      big.map((r) => ({ stratum: r.stratum, psu: r.psu, weight: 1 })),
      { lonelyPsu: "fail" },
    );
    const stats = treeStatistics(index, result, big, bigDesign, options);
    expect(stats.length).toBeGreaterThan(K);
    for (const s of stats) expect(Number.isFinite(s.se), s.code).toBe(true);
  });
});
