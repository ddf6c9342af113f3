/**
 * The scoring engine: known rates from raw responses, exclusion of missing and "không biết"
 * answers, every aggregation rule, and a property test that the pre-aggregated path (counts) and
 * the answer-by-answer path agree on random data.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { InstrumentSchema, type Answers, type Instrument } from "../../shared/instrument/schema.js";
import { IndexDefinitionSchema, type IndexDefinition } from "../../shared/index-model/schema.js";
import {
  checkIndex,
  countResponses,
  scoreFromCounts,
  scoreResponses,
  scoreFromNodeValues,
  leaves,
  roundHalfAwayFromZero,
  formatNumber,
} from "../../shared/scoring/index.js";
import { REPO_ROOT } from "../../server/config.js";

function loadEdition(id: string): { instrument: Instrument; index: IndexDefinition } {
  const dir = path.join(REPO_ROOT, "surveys", id);
  return {
    instrument: InstrumentSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, "instrument.json"), "utf8"))),
    index: IndexDefinitionSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8"))),
  };
}

const scale5 = {
  label: { vi: "Mức độ hài lòng", en: "Satisfaction" },
  points: ["1", "2", "3", "4", "5"].map((c, i) => ({ code: c, value: i + 1, label: { vi: `Mức ${c}`, en: `Level ${c}` } })),
  outside: [{ code: "dk", label: { vi: "Không biết", en: "Don't know" } }],
};

const tiny: Instrument = InstrumentSchema.parse({
  id: "tiny-2024",
  family: "tiny",
  version: "1.0.0",
  year: 2024,
  title: { vi: "Phiếu thử", en: "Test form" },
  intro: { vi: "Giới thiệu", en: "Intro" },
  unitLevel: "village",
  respondentGroups: [
    { code: "a", label: { vi: "Nhóm A", en: "Group A" } },
    { code: "b", label: { vi: "Nhóm B", en: "Group B" } },
  ],
  scales: { s5: scale5 },
  sections: [
    {
      id: "main",
      title: { vi: "Phần chính", en: "Main" },
      items: [
        { id: "q1", type: "rating", scale: "s5", label: { vi: "Câu 1", en: "Q1" } },
        { id: "q2", type: "rating", scale: "s5", label: { vi: "Câu 2", en: "Q2" } },
        { id: "q3", type: "rating", scale: "s5", label: { vi: "Câu 3", en: "Q3" } },
        {
          id: "q4",
          type: "single",
          label: { vi: "Câu 4", en: "Q4" },
          choices: [
            { code: "yes", label: { vi: "Có", en: "Yes" } },
            { code: "no", label: { vi: "Không", en: "No" } },
            { code: "dk", label: { vi: "Không biết", en: "Don't know" }, outside: true },
          ],
        },
      ],
    },
  ],
});

const tinyIndex: IndexDefinition = IndexDefinitionSchema.parse({
  id: "tiny-2024",
  instrument: "tiny-2024",
  title: { vi: "Chỉ số thử", en: "Test index" },
  display: "points",
  root: {
    code: "T",
    level: "index",
    label: { vi: "Tổng", en: "Total" },
    aggregate: { type: "sum" },
    children: [
      {
        code: "A",
        level: "component",
        label: { vi: "A", en: "A" },
        max: 6,
        aggregate: { type: "mean" },
        children: [
          { code: "A.1", level: "item", label: { vi: "A1", en: "A1" }, question: "q1", rule: { type: "share", codes: ["4", "5"] } },
          { code: "A.2", level: "item", label: { vi: "A2", en: "A2" }, question: "q2", rule: { type: "normalisedMean" } },
        ],
      },
      {
        code: "B",
        level: "component",
        label: { vi: "B", en: "B" },
        max: 4,
        aggregate: { type: "weightedMean", weights: { "B.1": 3, "B.2": 1 } },
        children: [
          {
            code: "B.1",
            level: "item",
            label: { vi: "B1", en: "B1" },
            question: "q3",
            rule: { type: "points", points: { "1": 0, "2": 0.25, "3": 0.5, "4": 0.75, "5": 1 } },
            groups: ["a"],
          },
          { code: "B.2", level: "item", label: { vi: "B2", en: "B2" }, question: "q4", rule: { type: "share", codes: ["yes"] } },
        ],
      },
    ],
  },
  derived: [{ code: "D", label: { vi: "Quy đổi", en: "Converted" }, formula: "${points:A} + ${B} / 100", max: 7 }],
});

describe("scoring from raw responses", () => {
  it("gives exactly the known top-two-box rate and excludes missing and 'không biết'", () => {
    // q1: 4,5,5 (top-two) and 1,2 (not) → 3/5 = 60 %; dk and missing are not in the denominator.
    const answers: Answers[] = [{ q1: "4" }, { q1: "5" }, { q1: "5" }, { q1: "1" }, { q1: "2" }, { q1: "dk" }, {}];
    const result = scoreResponses(
      tinyIndex,
      tiny,
      answers.map((a) => ({ answers: a })),
    );
    const a1 = result.nodes.get("A.1")!;
    expect(a1.percent).toBeCloseTo(60, 10);
    expect(a1.valid).toBe(5);
    expect(a1.answered).toBe(6);
    expect(result.responses).toBe(7);
  });

  it("normalised mean, points per code, weighted mean, sum and derived formulas", () => {
    const responses = [{ answers: { q1: "5", q2: "5", q3: "5", q4: "yes" } }, { answers: { q1: "1", q2: "3", q3: "3", q4: "no" } }];
    const r = scoreResponses(tinyIndex, tiny, responses);
    expect(r.nodes.get("A.2")!.percent).toBeCloseTo(75, 10); // mean 4 → (4−1)/4
    expect(r.nodes.get("A")!.percent).toBeCloseTo((50 + 75) / 2, 10);
    expect(r.nodes.get("A")!.points).toBeCloseTo(6 * 0.625, 10);
    expect(r.nodes.get("B.1")!.percent).toBeCloseTo(75, 10); // (1 + 0.5) / 2
    expect(r.nodes.get("B")!.percent).toBeCloseTo((3 * 75 + 50) / 4, 10);
    expect(r.root.points).toBeCloseTo(3.75 + 4 * 0.6875, 10);
    expect(r.root.max).toBe(10);
    expect(r.derived[0]!.value).toBeCloseTo(3.75 + 0.6875, 10);
  });

  it("weights responses", () => {
    const r = scoreResponses(tinyIndex, tiny, [
      { answers: { q1: "5" }, weight: 3 },
      { answers: { q1: "1" }, weight: 1 },
    ]);
    expect(r.nodes.get("A.1")!.percent).toBeCloseTo(75, 10);
  });

  it("scores one respondent group on its own subset of items", () => {
    const r = scoreResponses(tinyIndex, tiny, [{ answers: { q1: "5", q2: "5", q3: "1", q4: "yes" } }], { group: "b" });
    expect(r.nodes.has("B.1")).toBe(false);
    expect(r.nodes.get("B")!.percent).toBe(100);
  });

  it("leaves a sum without value when a part has none, and lists what is missing", () => {
    const r = scoreResponses(tinyIndex, tiny, [{ answers: { q1: "5" } }]);
    expect(r.nodes.get("A")!.missing).toEqual(["A.2"]);
    expect(r.nodes.get("A")!.percent).toBe(100);
    expect(r.root.points).toBeNull();
    expect(r.derived[0]!.value).toBeNull();
  });
});

describe("counts and raw responses agree", () => {
  const sipas = loadEdition("sipas-2022");
  const papi = loadEdition("papi-2022");
  const leaders = loadEdition("par-leaders-2022");

  for (const [name, edition] of [
    ["tiny", { instrument: tiny, index: tinyIndex }],
    ["sipas-2022", sipas],
    ["papi-2022", papi],
    ["par-leaders-2022", leaders],
  ] as const) {
    it(`on random data for ${name}`, () => {
      const tables = leaves(edition.index.root).map((leaf) => leaf.question!);
      // On-scale codes, outside codes and codes no question has, mixed at random.
      const codes = ["1", "2", "3", "4", "5", "dk", "na", "yes", "no", "0", "x"];
      const answerArb = fc.dictionary(fc.constantFrom(...tables), fc.constantFrom(...codes), { maxKeys: tables.length });
      fc.assert(
        fc.property(
          fc.array(fc.record({ answers: answerArb, weight: fc.option(fc.double({ min: 0.1, max: 5, noNaN: true }), { nil: undefined }) }), { maxLength: 40 }),
          (responses) => {
            const direct = scoreResponses(edition.index, edition.instrument, responses);
            const viaCounts = scoreFromCounts(edition.index, edition.instrument, countResponses(edition.instrument, responses));
            for (const [code, node] of direct.nodes) {
              const other = viaCounts.nodes.get(code)!;
              for (const key of ["percent", "points"] as const) {
                if (node[key] === null) expect(other[key]).toBeNull();
                else expect(other[key]).toBeCloseTo(node[key]!, 9);
              }
              expect(other.valid).toBe(node.valid);
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it("every edition's index is consistent with its instrument", () => {
    for (const e of [sipas, papi, leaders]) expect(checkIndex(e.index, e.instrument)).toEqual([]);
  });
});

describe("published values and display", () => {
  it("aggregates values given at any level", () => {
    const r = scoreFromNodeValues(tinyIndex, { A: { points: 3 }, "B.1": { percent: 40 }, "B.2": { percent: 80 } });
    expect(r.nodes.get("B")!.percent).toBeCloseTo(50, 10);
    expect(r.root.points).toBeCloseTo(5, 10);
  });

  it("rounds half away from zero and writes the Vietnamese decimal comma", () => {
    expect(roundHalfAwayFromZero(79.555, 2)).toBe(79.56);
    expect(roundHalfAwayFromZero(-0.125, 2)).toBe(-0.13);
    expect(roundHalfAwayFromZero(17.4161, 2)).toBe(17.42);
    expect(formatNumber(79.5555, 2, "vi")).toBe("79,56");
    expect(formatNumber(79.5555, 2, "en")).toBe("79.56");
    expect(formatNumber(null, 2, "vi")).toBe("–");
  });

  it("refuses an index that names a question that does not exist", () => {
    const broken = structuredClone(tinyIndex);
    broken.root.children![0]!.children![0]!.question = "nope";
    expect(checkIndex(broken, tiny).map((p) => p.path)).toContain("node A.1");
  });
});
