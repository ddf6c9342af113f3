/**
 * Indicator rescaling held as data (`rescale` on an index node): the schema's errors, the linear
 * map, fixed goalposts and observed ranges across the units compared, values given for published
 * nodes, and standard errors through the map (the slope scales them; an observed range is held fixed).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentSchema, type Answers, type Instrument } from "../../shared/instrument/schema.js";
import { IndexDefinitionSchema, IndexNodeSchema, type IndexDefinition, type IndexNode } from "../../shared/index-model/schema.js";
import {
  countResponses,
  observedRanges,
  observedRangesFromCounts,
  rescalePercent,
  scoreFromCounts,
  scoreFromNodeValues,
  scoreResponses,
} from "../../shared/scoring/index.js";
import { nodeGradients, sumsFromRespondents, treeStatistics, varianceDesignFromSample } from "../../shared/statistics/index.js";
import { generateAnswers } from "../../server/demo/generate.js";
import { seededRng } from "../../server/demo/random.js";
import { REPO_ROOT } from "../../server/config.js";
import { scoredSample } from "../helpers/scored-sample.js";

const yesNo = [
  { code: "yes", label: { vi: "Có", en: "Yes" } },
  { code: "no", label: { vi: "Không", en: "No" } },
];
const tiny: Instrument = InstrumentSchema.parse({
  id: "rescale-2024",
  family: "rescale",
  version: "1.0.0",
  year: 2024,
  title: { vi: "Phiếu thử", en: "Test form" },
  intro: { vi: "Giới thiệu", en: "Intro" },
  unitLevel: "village",
  respondentGroups: [{ code: "citizen", label: { vi: "Người dân", en: "Citizens" } }],
  scales: {},
  sections: [
    {
      id: "main",
      title: { vi: "Phần chính", en: "Main" },
      items: ["q1", "q2", "q3"].map((id) => ({ id, type: "single", label: { vi: id, en: id }, choices: yesNo })),
    },
  ],
});

const leaf = (code: string, question: string, rescale?: unknown) => ({
  code,
  level: "indicator",
  label: { vi: code, en: code },
  question,
  rule: { type: "share", codes: ["yes"] },
  ...(rescale ? { rescale } : {}),
});
const FLOOR = { min: 10, max: 100 };

function tinyIndex(rescale: unknown, parentRescale?: unknown): IndexDefinition {
  return IndexDefinitionSchema.parse({
    id: "rescale-2024",
    instrument: "rescale-2024",
    title: { vi: "Chỉ số thử", en: "Test index" },
    display: "points",
    root: {
      code: "T",
      level: "index",
      label: { vi: "Tổng", en: "Total" },
      aggregate: { type: "sum" },
      children: [
        {
          code: "S",
          level: "subdimension",
          label: { vi: "S", en: "S" },
          max: 2.5,
          aggregate: { type: "mean" },
          ...(parentRescale ? { rescale: parentRescale } : {}),
          children: [leaf("S.a", "q1", rescale), leaf("S.b", "q2", rescale)],
        },
        { code: "U", level: "subdimension", label: { vi: "U", en: "U" }, max: 2.5, aggregate: { type: "mean" }, children: [leaf("U.a", "q3")] },
      ],
    },
  });
}

/** n respondents of which `yes` answer yes to q1, q2 and q3 (the rest no). */
const respondents = (n: number, yes: [number, number, number]) =>
  Array.from({ length: n }, (_, i): { answers: Answers } => ({
    answers: { q1: i < yes[0] ? "yes" : "no", q2: i < yes[1] ? "yes" : "no", q3: i < yes[2] ? "yes" : "no" },
  }));

describe("the rescale field of index.json", () => {
  const base = { code: "x", level: "indicator", label: { vi: "x", en: "x" }, question: "q1", rule: { type: "share", codes: ["yes"] } };
  const problems = (rescale: unknown) => {
    const r = IndexNodeSchema.safeParse({ ...base, rescale });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("accepts fixed goalposts and an observed range", () => {
    expect(problems({ from: { min: 0, max: 100 }, to: FLOOR })).toEqual([]);
    expect(problems({ from: "observed", to: FLOOR })).toEqual([]);
  });

  it("names what is wrong, where", () => {
    expect(problems({ from: "observe", to: FLOOR })).toEqual(['rescale.from: expected "observed" or a range { "min": …, "max": … } on the 0–100 scale']);
    expect(problems({ from: { min: 50, max: 50 }, to: FLOOR })).toEqual(["rescale.from: min (50) must be below max (50)"]);
    expect(problems({ from: "observed", to: { min: 100, max: 10 } })).toEqual(["rescale.to: min (100) must be below max (10)"]);
    expect(problems({ from: "observed", to: { min: 10, max: 120 } })).toEqual(["rescale.to.max: Too big: expected number to be <=100"]);
    expect(problems({ from: "observed" })[0]).toMatch(/^rescale\.to: /);
    expect(problems({ from: "observed", to: FLOOR, clamp: true })).toEqual(['rescale: Unrecognized key: "clamp"']);
  });

  it("is refused on an index node deep in the tree with the path to it", () => {
    const r = IndexDefinitionSchema.safeParse({
      ...tinyIndex(undefined),
      root: { ...tinyIndex(undefined).root, children: [{ ...tinyIndex(undefined).root.children![0]!, rescale: { from: "x" } }] },
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toContain("root.children.0.rescale.from");
  });
});

describe("rescalePercent", () => {
  it("maps the from range linearly onto the to range, and does not clamp", () => {
    expect(rescalePercent(0, { min: 0, max: 100 }, FLOOR)).toBe(10);
    expect(rescalePercent(100, { min: 0, max: 100 }, FLOOR)).toBe(100);
    expect(rescalePercent(50, { min: 0, max: 100 }, FLOOR)).toBe(55);
    expect(rescalePercent(30, { min: 20, max: 60 }, FLOOR)).toBeCloseTo(32.5, 12);
    // Outside the observed range (a unit that did not set it): the same line, beyond the floor.
    expect(rescalePercent(10, { min: 20, max: 60 }, FLOOR)).toBeCloseTo(-12.5, 12);
  });
});

describe("fixed goalposts", () => {
  const index = tinyIndex({ from: { min: 0, max: 100 }, to: FLOOR });
  const answers = respondents(10, [3, 8, 5]);

  it("rescale each indicator, and the sub-dimension averages the rescaled values", () => {
    const result = scoreResponses(index, tiny, answers);
    expect(result.nodes.get("S.a")!.percent).toBeCloseTo(10 + 0.9 * 30, 12);
    expect(result.nodes.get("S.b")!.percent).toBeCloseTo(10 + 0.9 * 80, 12);
    expect(result.nodes.get("S")!.points).toBeCloseTo((2.5 * (37 + 82)) / 2 / 100, 12);
    expect(result.nodes.get("U.a")!.percent).toBeCloseTo(50, 12);
    expect(result.nodes.get("S.a")!.rule).toBe("share of yes; 0–100 → 10–100");
    // A fixed map is in the definition; results do not repeat it on every node.
    expect(result.nodes.get("S.a")!.rescale).toBeUndefined();
  });

  it("give the same values from counts as from responses, and one unit's score does not depend on another's", () => {
    const fromCounts = scoreFromCounts(index, tiny, countResponses(tiny, answers));
    const fromResponses = scoreResponses(index, tiny, answers);
    for (const [code, node] of fromResponses.nodes) expect(fromCounts.nodes.get(code)!.percent, code).toBeCloseTo(node.percent!, 12);
  });

  it("leave a value given for a published node as it is; nodes above it are aggregated", () => {
    const result = scoreFromNodeValues(index, { "S.a": { percent: 40 }, "S.b": { percent: 60 }, U: { points: 1 } });
    expect(result.nodes.get("S.a")!.percent).toBe(40);
    expect(result.nodes.get("S")!.percent).toBe(50);
    expect(result.root.points).toBeCloseTo(2.25, 12);
  });
});

describe("observed ranges across the units compared", () => {
  const index = tinyIndex({ from: "observed", to: FLOOR });
  const units = [respondents(10, [2, 5, 1]), respondents(10, [6, 9, 1]), respondents(10, [4, 7, 1])].map((a) => countResponses(tiny, a));

  it("without a range, a node rescaled from the observed range has no value, and says why", () => {
    const result = scoreFromCounts(index, tiny, units[0]!);
    expect(result.nodes.get("S.a")!.percent).toBeNull();
    expect(result.nodes.get("S.a")!.rule).toBe("share of yes; no observed range to rescale from");
    expect(result.nodes.get("S")!.points).toBeNull();
    expect(result.nodes.get("S")!.missing).toEqual(["S.a", "S.b"]);
    expect(result.root.points).toBeNull();
  });

  it("are the lowest and highest raw values of the units; the lowest unit gets the floor, the highest the maximum", () => {
    const ranges = observedRangesFromCounts(index, tiny, units);
    expect(Object.fromEntries(ranges)).toEqual({ "S.a": { min: 20, max: 60 }, "S.b": { min: 50, max: 90 } });
    const scored = units.map((c) => scoreFromCounts(index, tiny, c, { ranges }));
    expect(scored.map((r) => r.nodes.get("S.a")!.percent)).toEqual([10, 100, 55]);
    expect(scored.map((r) => r.nodes.get("S.b")!.percent)).toEqual([10, 100, 55]);
    expect(scored[2]!.nodes.get("S.a")!.rule).toBe("share of yes; observed 20–60 → 10–100");
    // The observed range travels with the result (the standard errors need its slope).
    expect(scored[2]!.nodes.get("S.a")!.rescale).toEqual({ from: { min: 20, max: 60 }, to: FLOOR });
    expect(scored.map((r) => r.nodes.get("S")!.points)).toEqual([0.25, 2.5, 1.375]);
    // The same unit compared with other units gets another score: the range belongs to the comparison.
    const narrower = observedRangesFromCounts(index, tiny, units.slice(1));
    expect(scoreFromCounts(index, tiny, units[2]!, { ranges: narrower }).nodes.get("S.a")!.percent).toBe(10);
  });

  it("leave out a node on which the units do not differ (no range), and need two units with a value", () => {
    // q3 is 10% everywhere: observed on U.a there is no range, and U is left without value.
    const index3 = IndexDefinitionSchema.parse({
      ...index,
      root: {
        ...index.root,
        children: [index.root.children![0]!, { ...index.root.children![1]!, children: [leaf("U.a", "q3", { from: "observed", to: FLOOR })] }],
      },
    });
    const ranges = observedRangesFromCounts(index3, tiny, units);
    expect(ranges.has("U.a")).toBe(false);
    expect(scoreFromCounts(index3, tiny, units[0]!, { ranges }).nodes.get("U")!.points).toBeNull();
    expect(observedRangesFromCounts(index3, tiny, units.slice(0, 1)).size).toBe(0);
    // A unit with no answers has no value and does not widen the range.
    const withEmpty = observedRangesFromCounts(index3, tiny, [...units, countResponses(tiny, [])]);
    expect(withEmpty.get("S.a")).toEqual({ min: 20, max: 60 });
  });

  it("are found bottom-up when an observed node sits under another: the parent's range is over rescaled children", () => {
    const nested = tinyIndex({ from: "observed", to: FLOOR }, { from: "observed", to: { min: 0, max: 100 } });
    let rounds = 0;
    const ranges = observedRanges(nested, (extra) => {
      rounds++;
      return units.map((c) => scoreFromCounts(nested, tiny, c, extra));
    });
    expect(rounds).toBe(2);
    // S before its own rescale is the mean of its rescaled indicators: 10, 100 and 55.
    expect(ranges.get("S")).toEqual({ min: 10, max: 100 });
    const scored = units.map((c) => scoreFromCounts(nested, tiny, c, { ranges }));
    expect(scored.map((r) => r.nodes.get("S")!.percent)).toEqual([0, 100, 50]);
  });
});

describe("standard errors through the rescale", () => {
  const dir = path.join(REPO_ROOT, "surveys", "papi-2022");
  const instrument = InstrumentSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, "instrument.json"), "utf8")));
  const papi = IndexDefinitionSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8")));
  const withoutRescale = (node: IndexNode): IndexNode => {
    const { rescale: _, children, ...rest } = node;
    return { ...rest, ...(children ? { children: children.map(withoutRescale) } : {}) };
  };
  const plain: IndexDefinition = { ...papi, root: withoutRescale(papi.root) };

  const rng = seededRng(25);
  const responses = Array.from({ length: 480 }, (_, i) => ({
    stratum: `S${i % 4}`,
    psu: `C${i % 24}`,
    answers: generateAnswers(instrument, `C${i % 24}`, "citizen", rng),
    weight: 0.5 + rng.next(),
  }));
  const statistics = (index: IndexDefinition) => {
    const result = scoreResponses(index, instrument, responses);
    const gradients = nodeGradients(index, result);
    const sample = scoredSample(index, instrument, gradients.leaves, responses);
    const records = sumsFromRespondents(sample, gradients.leaves.length);
    const design = varianceDesignFromSample(sample, { lonelyPsu: "fail" });
    return { result, gradients, stats: new Map(treeStatistics(index, result, records, design, { deff: "replace" }).map((s) => [s.code, s])) };
  };
  const rescaled = statistics(papi);
  const raw = statistics(plain);

  it("the gradients reproduce the rescaled values: the 10% floor is an offset, 0.9 the slope", () => {
    // Percent of the indicator; points of the sub-dimension (0.25 + 0.9·raw), dimension (1 + …) and total (8 + …).
    for (const [code, scale] of [
      ["D1.1.a", 100],
      ["D1.1", 2.5],
      ["D1", 10],
      ["PAPI", 80],
    ] as const) {
      const measure = scale === 100 ? "percent" : "points";
      const r = rescaled.gradients[measure].get(code)!;
      const p = raw.gradients[measure].get(code)!;
      expect(r.value, code).toBeCloseTo(scale / 10 + 0.9 * p.value, 10);
      r.gradient.forEach((g, k) => expect(g, `${code}[${k}]`).toBeCloseTo(0.9 * p.gradient[k]!, 12));
    }
  });

  it("multiply every SE by the slope, move estimates and intervals with the map, and leave deff and n alone", () => {
    let leaves = 0;
    for (const [code, s] of raw.stats) {
      const r = rescaled.stats.get(code)!;
      expect(r.se, code).toBeCloseTo(0.9 * s.se, 12);
      expect(r.estimate, code).toBeCloseTo(10 + 0.9 * s.estimate, 10);
      expect(r.ci!.method, code).toBe(s.ci!.method);
      expect(r.ci!.lo, code).toBeCloseTo(10 + 0.9 * s.ci!.lo, 10);
      expect(r.ci!.hi, code).toBeCloseTo(10 + 0.9 * s.ci!.hi, 10);
      expect(r.deff, code).toBeCloseTo(s.deff!, 12);
      expect(r.n, code).toBe(s.n);
      if (s.ci!.method === "korn-graubard") leaves++;
    }
    expect(leaves).toBeGreaterThan(50);
    expect(rescaled.stats.get("PAPI")!.se).toBeGreaterThan(0);
  });

  it("hold an observed range fixed: the SE scales by (to range) / (observed range)", () => {
    const observed: IndexDefinition = {
      ...papi,
      root: (function withObserved(node: IndexNode): IndexNode {
        return node.children ? { ...node, children: node.children.map(withObserved) } : { ...node, rescale: { from: "observed", to: FLOOR } };
      })(papi.root),
    };
    const ranges = new Map([...raw.result.nodes].filter(([, n]) => !n.children).map(([code, n]) => [code, { min: n.percent! - 20, max: n.percent! + 30 }]));
    const result = scoreResponses(observed, instrument, responses, { ranges });
    const leafNode = result.nodes.get("D2.1.a")!;
    expect(leafNode.percent).toBeCloseTo(10 + (90 * 20) / 50, 10);
    const gradients = nodeGradients(observed, result);
    const g = gradients.percent.get("D2.1.a")!.gradient;
    const k = gradients.leaves.indexOf("D2.1.a");
    expect(g[k]).toBeCloseTo((100 * 90) / 50, 12);
  });
});
