/**
 * The composite PAR INDEX scorer on a small definition: each appraisal rule's arithmetic and cap,
 * missing evidence, the A/S/C split, the below-maximum list, what-if without side effects, and the
 * checks that reject a definition whose maxima, agencies or evidence do not fit — at load time too.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ParIndexDefinitionSchema, type ParIndexDefinitionInput } from "../../shared/index-model/par-index.js";
import { InstrumentSchema, type InstrumentInput } from "../../shared/instrument/schema.js";
import { belowMaximum, checkParIndex, diffResults, scoreParIndex, whatIf } from "../../shared/scoring/index.js";
import { DefinitionError, loadEdition, loadSurveys } from "../../server/instruments/load.js";
import { REPO_ROOT } from "../../server/config.js";

const T = (vi: string) => ({ vi, en: vi });
const stated = { type: "stated" as const, cite: "test" };

const instrument = InstrumentSchema.parse({
  id: "mini-assessment",
  family: "par-index",
  version: "1.0.0",
  year: 2022,
  kind: "assessment",
  title: T("Tự đánh giá"),
  intro: T("Tự đánh giá"),
  unitLevel: "agency",
  respondentGroups: [{ code: "tu-danh-gia", label: T("Tự đánh giá") }],
  choiceLists: {
    yes_no: [
      { code: "co", label: T("Có") },
      { code: "khong", label: T("Không") },
    ],
  },
  sections: [
    {
      id: "s1",
      title: T("Phần 1"),
      items: [
        { id: "total", type: "integer", label: T("Tổng số"), min: 0 },
        { id: "done", type: "integer", label: T("Số đúng hạn"), min: 0 },
        { id: "k", type: "decimal", label: T("Tỷ lệ giảm (%)") },
        { id: "rate", type: "decimal", label: T("Tỷ lệ (%)") },
        { id: "published", type: "single", label: T("Đã công bố"), choices: "yes_no" },
        { id: "doc", type: "text", label: T("Tài liệu"), maxLength: 200, document: true },
        {
          id: "level",
          type: "single",
          label: T("Mức"),
          choices: [
            { code: "dat", label: T("Đạt") },
            { code: "mot-phan", label: T("Một phần") },
          ],
        },
      ],
    },
  ],
} satisfies InstrumentInput);

const definitionInput: ParIndexDefinitionInput = {
  id: "mini",
  title: T("Chỉ số CCHC của các sở"),
  year: 2022,
  unitLevel: "agency",
  instrument: "mini-assessment",
  parts: [
    { source: "A", label: T("Thẩm định"), max: 6 },
    { source: "S", label: T("Khảo sát"), max: 1 },
    { source: "C", label: T("SIPAS"), max: 1 },
  ],
  agencies: [
    { code: "snv", label: T("Sở Nội vụ") },
    { code: "vpub", label: T("Văn phòng UBND tỉnh") },
  ],
  root: {
    code: "R",
    level: "index",
    label: T("Tổng"),
    max: 8,
    maxBasis: stated,
    children: [
      {
        code: "1",
        level: "area",
        label: T("Lĩnh vực 1"),
        max: 4,
        maxBasis: stated,
        children: [
          {
            code: "1.1",
            level: "tctp",
            label: T("Tỷ lệ đúng hạn"),
            max: 1.5,
            maxBasis: stated,
            source: "A",
            agencies: ["vpub"],
            evidence: ["total", "done"],
            rule: { type: "rate", rate: "${done} / ${total}" },
            basis: "seed",
          },
          {
            code: "1.2",
            level: "tctp",
            label: T("Giảm đơn vị"),
            max: 1,
            maxBasis: stated,
            source: "A",
            agencies: ["snv"],
            evidence: ["k"],
            rule: { type: "formula", points: "${k} / 20" },
            basis: "seed",
          },
          {
            code: "1.3",
            level: "tctp",
            label: T("Bậc"),
            max: 0.75,
            maxBasis: stated,
            source: "A",
            agencies: ["snv"],
            evidence: ["rate"],
            rule: {
              type: "steps",
              value: "${rate}",
              steps: [
                { from: 85, points: 0.75 },
                { from: 70, below: 85, points: 0.5 },
              ],
            },
            basis: "assumed",
          },
          { code: "1.4", level: "tctp", label: T("Khảo sát"), max: 0.75, maxBasis: stated, source: "S", item: "x.1" },
        ],
      },
      {
        code: "2",
        level: "area",
        label: T("Lĩnh vực 2"),
        max: 4,
        maxBasis: stated,
        children: [
          {
            code: "2.1",
            level: "tctp",
            label: T("Công bố"),
            max: 0.5,
            maxBasis: stated,
            source: "A",
            agencies: ["vpub"],
            evidence: ["published", "doc"],
            rule: { type: "yesNo", condition: "${published} = 'co'", document: "doc" },
            basis: "inferred",
          },
          {
            code: "2.2",
            level: "tctp",
            label: T("Hai phần"),
            max: 1.5,
            maxBasis: stated,
            source: "A",
            agencies: ["snv", "vpub"],
            evidence: ["level", "rate"],
            rule: {
              type: "parts",
              parts: [
                { code: "a", label: T("Mức"), max: 0.75, rule: { type: "level", question: "level", points: { dat: 0.75, "mot-phan": 0.5 } } },
                { code: "b", label: T("Tỷ lệ"), max: 0.75, rule: { type: "rate", rate: "${rate} / 100" } },
              ],
            },
            basis: "assumed",
          },
          { code: "2.3", level: "tctp", label: T("Khảo sát"), max: 0.25, maxBasis: stated, source: "S", item: "x.2" },
          { code: "2.4", level: "criterion", label: T("SIPAS"), max: 1, maxBasis: stated, source: "C", derived: "PAR-8.1" },
          {
            code: "2.5",
            level: "tctp",
            label: T("Dư"),
            max: 0.75,
            maxBasis: stated,
            source: "A",
            agencies: ["snv"],
            evidence: ["rate"],
            rule: { type: "rate", rate: "${rate} / 100" },
            basis: "assumed",
          },
        ],
      },
    ],
  },
};
const definition = ParIndexDefinitionSchema.parse(definitionInput);

const evidence = { total: 200, done: 150, k: 11.41, rate: 70.53, published: "co", doc: "QĐ 1/QĐ-UBND", level: "mot-phan" };
const full = { evidence, survey: { "x.1": 0.6, "x.2": 0.2 }, sipas: { "PAR-8.1": 0.8 } };

describe("appraisal rules", () => {
  const result = scoreParIndex(definition, full);
  const points = (code: string) => result.nodes.get(code)!.points;

  it("rate: max × numerator / denominator", () => expect(points("1.1")).toBeCloseTo(1.125, 12));
  it("formula: its value, capped at the maximum", () => {
    expect(points("1.2")).toBeCloseTo(0.5705, 12);
    expect(scoreParIndex(definition, { evidence: { ...evidence, k: 35 } }).nodes.get("1.2")!.points).toBe(1);
  });
  it("steps: the first band that contains the value; below every band 0", () => {
    expect(points("1.3")).toBe(0.5);
    const at = (rate: number) => scoreParIndex(definition, { evidence: { ...evidence, rate } }).nodes.get("1.3")!.points;
    expect([at(85), at(84.99), at(70), at(69.99)]).toEqual([0.75, 0.5, 0.5, 0]);
  });
  it("yes/no: full points only with a yes and the supporting document named", () => {
    expect(points("2.1")).toBe(0.5);
    const noDoc = scoreParIndex(definition, { evidence: { ...evidence, doc: "" } }).nodes.get("2.1")!;
    expect(noDoc.points).toBe(0);
    expect(noDoc.detail).toMatch(/no supporting document/);
    expect(scoreParIndex(definition, { evidence: { ...evidence, published: "khong" } }).nodes.get("2.1")!.points).toBe(0);
  });
  it("parts: the sum of weighted parts, each by its own rule", () => {
    expect(points("2.2")).toBeCloseTo(0.5 + 0.75 * 0.7053, 12);
  });
  it("splits every node into its A, S and C parts", () => {
    const area2 = result.nodes.get("2")!;
    expect(area2.parts.A).toEqual({ max: 2.75, points: expect.closeTo(0.5 + 1.028975 + 0.528975, 9) });
    expect(area2.parts.S).toEqual({ max: 0.25, points: 0.2 });
    expect(area2.parts.C).toEqual({ max: 1, points: 0.8 });
    expect(result.root.points).toBeCloseTo(result.root.parts.A!.points! + 0.8 + 0.8, 12);
    expect(result.root.percent).toBeCloseTo((100 * result.root.points!) / 8, 12);
  });
});

describe("missing values", () => {
  it("a leaf without its evidence has no value and names the questions; the sums above it have none", () => {
    const withoutDone = Object.fromEntries(Object.entries(evidence).filter(([q]) => q !== "done"));
    const result = scoreParIndex(definition, { ...full, evidence: withoutDone });
    expect(result.nodes.get("1.1")!.points).toBeNull();
    expect(result.nodes.get("1.1")!.missing).toEqual(["done"]);
    expect(result.nodes.get("1")!.points).toBeNull();
    expect(result.root.missing).toEqual(["1.1"]);
    // The parts that are complete keep their value.
    expect(result.root.parts.S?.points).toBeCloseTo(0.8, 12);
  });

  it("a given appraisal score wins over evidence; one outside [0, max] is refused", () => {
    expect(scoreParIndex(definition, { ...full, given: { "1.1": 1.5 } }).nodes.get("1.1")).toMatchObject({ points: 1.5, obtained: "given" });
    expect(() => scoreParIndex(definition, { given: { "1.1": 1.6 } })).toThrow(/1\.1/);
    expect(() => scoreParIndex(definition, { survey: { "x.1": 2 } })).toThrow(/1\.4/);
  });
});

describe("below maximum, what-if, self-assessed vs appraised", () => {
  it("lists A leaves below their maximum in tree order, with points lost, agencies and evidence", () => {
    const result = scoreParIndex(definition, full);
    const rows = belowMaximum(definition, result, { instrument, evidence });
    expect(rows.map((r) => r.code)).toEqual(["1.1", "1.2", "1.3", "2.2", "2.5"]);
    expect(rows[0]).toMatchObject({ lost: 0.375, agencies: [{ code: "vpub", label: T("Văn phòng UBND tỉnh") }] });
    expect(rows[0]!.evidence).toEqual([
      { question: "total", label: T("Tổng số"), value: 200 },
      { question: "done", label: T("Số đúng hạn"), value: 150 },
    ]);
    expect(belowMaximum(definition, result, { sources: ["S"] }).map((r) => r.code)).toEqual(["1.4", "2.3"]);
  });

  it("what-if recomputes from proposed values and leaves the inputs untouched", () => {
    const inputs = structuredClone(full);
    const { base, proposed, changes } = whatIf(definition, inputs, { evidence: { done: 200 }, sipas: { "PAR-8.1": 1 } });
    expect(inputs).toEqual(full);
    expect(proposed.root.points! - base.root.points!).toBeCloseTo(0.375 + 0.2, 12);
    expect(changes.find((c) => c.code === "1.1")).toMatchObject({ before: 1.125, after: 1.5, delta: 0.375 });
    expect(scoreParIndex(definition, inputs).root.points).toBe(base.root.points);
  });

  it("self-assessed and appraised scores are compared node by node", () => {
    const self = scoreParIndex(definition, full);
    const appraised = scoreParIndex(definition, { ...full, given: { "2.1": 0 } });
    expect(diffResults(self, appraised).map((c) => [c.code, c.delta])).toEqual([
      ["2.1", -0.5],
      ["2", -0.5],
      ["R", -0.5],
    ]);
  });
});

describe("checks", () => {
  it("the small definition fits its instrument", () => {
    expect(checkParIndex(definition, instrument)).toEqual([]);
  });

  it("names maxima that do not add up, unknown agencies and rules reading questions outside their evidence", () => {
    const broken = structuredClone(definitionInput) as any;
    broken.root.children[0].children[0].max = 1.25;
    broken.root.children[0].children[1].agencies = ["nobody"];
    broken.root.children[0].children[2].rule.value = "${total}";
    broken.root.children[1].children[1].rule.parts[0].max = 0.5;
    const problems = checkParIndex(ParIndexDefinitionSchema.parse(broken), instrument);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: "node 1", message: "children's maxima sum to 3.75, not the node's 4" },
        { path: "node 1.2", message: 'unknown agency "nobody"' },
        { path: "node 1.3", message: 'the rule reads "total", which is not among its evidence' },
        { path: "node 2.2", message: "parts' maxima sum to 1.25, not 1.5" },
        { path: "part A", message: "its leaves' maxima sum to 5.75, not 6" },
      ]),
    );
  });

  it("rejects a rule of unknown type", () => {
    const broken = structuredClone(definitionInput) as any;
    broken.root.children[0].children[0].rule = { type: "guess" };
    expect(ParIndexDefinitionSchema.safeParse(broken).success).toBe(false);
  });
});

describe("loading surveys/par-index-2022", () => {
  const source = path.join(REPO_ROOT, "surveys", "par-index-2022");

  it("loads with its par-index.json", () => {
    const { edition, problems } = loadEdition(source);
    expect(problems).toEqual([]);
    expect(edition?.parIndex?.root.max).toBe(100);
    expect(edition?.instrument.kind).toBe("assessment");
  });

  it("refuses, at start-up, an S leaf naming an item the leader-survey edition does not have", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-par-"));
    for (const name of ["par-index-2022", "par-leaders-2022", "sipas-2022"]) {
      fs.cpSync(path.join(REPO_ROOT, "surveys", name), path.join(root, name), { recursive: true });
    }
    const file = path.join(root, "par-index-2022", "par-index.json");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"item": "2.4.4"', '"item": "2.4.9"'));
    expect(() => loadSurveys(root)).toThrow(DefinitionError);
    expect(() => loadSurveys(root)).toThrow(/par-index\.json at node 2\.4\.4: leader-survey item "2\.4\.9" is not in par-leaders-2022/);
  });

  it("names the file, node and reason when an evidence question is gone", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chiso-par-")), "par-index-2022");
    fs.cpSync(source, dir, { recursive: true });
    const file = path.join(dir, "instrument.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const s of json.sections) s.items = s.items.filter((q: { id: string }) => q.id !== "a3_4_1_done");
    fs.writeFileSync(file, JSON.stringify(json));
    const { edition, problems } = loadEdition(dir);
    expect(edition).toBeNull();
    expect(problems).toContainEqual({
      file: path.join(dir, "par-index.json"),
      path: "node 3.4.1",
      reason: 'evidence question "a3_4_1_done" is not in par-index-2022',
    });
  });
});
