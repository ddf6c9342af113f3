/**
 * Golden tests for surveys/par-leaders-2022: from the item scores Thừa Thiên Huế prints (004:278-318),
 * the index definition must reproduce its areas and its total 17.42/22, at the published 2 decimals.
 * Where the seed's own numbers do not add up, the test names the number and says why.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IndexDefinitionSchema, type IndexDefinition, type IndexNode } from "../../shared/index-model/schema.js";
import { InstrumentSchema } from "../../shared/instrument/schema.js";
import { checkIndex, roundHalfAwayFromZero, scoreFromNodeValues } from "../../shared/scoring/index.js";
import { HUE_LEADER_ITEMS as HUE_ITEMS } from "./seeds/hue-2022.js";

const folder = new URL("../../surveys/par-leaders-2022/", import.meta.url);
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(name, folder), "utf8"));

const index = IndexDefinitionSchema.parse(readJson("index.json"));
const instrument = InstrumentSchema.parse(readJson("instrument.json"));

const round2 = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : roundHalfAwayFromZero(x, 2));
const points = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([code, p]) => [code, { points: p }]));

/** The item percentages printed beside them ("Tỷ lệ (%)"). */
const HUE_ITEM_PERCENTS: Record<string, number> = {
  "2.4.1": 80.34,
  "2.4.2": 78.67,
  "2.4.3": 77.33,
  "2.4.4": 88.97,
  "4.1.4": 80.04,
  "4.1.5": 79.88,
  "4.1.6": 81.16,
  "4.3.4": 80.71,
  "5.2.a": 80.99,
  "5.2.b": 84.59,
  "5.3.a": 81.39,
  "5.3.b": 85.93,
  "5.5.a": 76.05,
  "5.7.a": 75.73,
  "5.7.b": 73.64,
  "5.7.c": 82.86,
  "5.7.d": 66.69,
  "6.1.4": 74.02,
  "6.2.4": 75.78,
  "6.2.5": 78.02,
  "6.3.5": 73.29,
  "7.3.2": 85.26,
};

/** Area points and percentages as printed (004:287-313), and the total (004:286, 004:87, 004:77). */
const HUE_AREAS: Record<string, { points: number; percent: number }> = {
  "2": { points: 3.25, percent: 81.25 },
  "4": { points: 3.22, percent: 80.5 },
  "5": { points: 7.08, percent: 78.6 },
  "6": { points: 3.01, percent: 75.25 },
  "7": { points: 0.85, percent: 85 },
};

function findNode(node: IndexNode, code: string): IndexNode | undefined {
  if (node.code === code) return node;
  for (const child of node.children ?? []) {
    const found = findNode(child, code);
    if (found) return found;
  }
  return undefined;
}

describe("par-leaders-2022 definition", () => {
  it("is bound to its instrument: 22 items of 1 point in 5 areas, total out of 22", () => {
    expect(checkIndex(index, instrument)).toEqual([]);
    expect(index.root.max).toBe(22);
    expect(index.root.children?.map((a) => [a.code, a.max, a.children?.length])).toEqual([
      ["2", 4, 4],
      ["4", 4, 4],
      ["5", 9, 9],
      ["6", 4, 4],
      ["7", 1, 1],
    ]);
    for (const code of Object.keys(HUE_ITEMS)) expect(findNode(index.root, code)?.max, code).toBe(1);
    expect(instrument.respondentGroups.map((g) => g.code)).toEqual(["hdnd", "so", "phong", "huyen"]);
  });
});

describe("Thừa Thiên Huế 2022 (004:278-318): items → areas → total", () => {
  const result = scoreFromNodeValues(index, points(HUE_ITEMS));
  const node = (code: string) => {
    const found = result.nodes.get(code);
    if (!found) throw new Error(`no node ${code} in the result`);
    return found;
  };

  it.each(Object.entries(HUE_ITEM_PERCENTS).filter(([code]) => code !== "5.7.d"))("reproduces item %s = %s%%", (code, published) => {
    expect(round2(node(code).percent)).toBe(published);
  });

  // 004:307 prints 0.6696 points and 66.69%: the digits of the percentage are transposed
  // (0.6696 of 1 point is 66.96%).
  it.fails("reproduces item 5.7.d = 66.69% as printed (seed slip: 0.6696 is 66.96%)", () => {
    expect(round2(node("5.7.d").percent)).toBe(66.69);
  });

  it("computes item 5.7.d = 66.96%", () => {
    expect(round2(node("5.7.d").percent)).toBe(66.96);
  });

  it.each(Object.entries(HUE_AREAS))("reproduces area %s points", (code, published) => {
    expect(round2(node(code).points)).toBe(published.points);
  });

  it("reproduces the total 17.42/22 and the 79.16% of the text (004:77)", () => {
    expect(result.root.code).toBe("PAR-LS");
    expect(result.root.max).toBe(22);
    expect(round2(result.root.points)).toBe(17.42);
    expect(round2(result.root.percent)).toBe(79.16);
  });

  // The tables (004:87, 004:286) print 79.18%: 17.42 / 22 = 79.1818, i.e. the rounded total divided
  // by 22. The unrounded total 17.4161 gives 79.16%, the figure the text itself quotes (004:77).
  it.fails("reproduces the 79.18% of the tables (they divide the rounded total 17.42 by 22)", () => {
    expect(round2(result.root.percent)).toBe(79.18);
  });

  it("area percentages from the unrounded item scores differ from the table's", () => {
    // The table divides rounded area points by the maximum (3.25 / 4 = 81.25%); we keep full precision.
    expect(["2", "4", "5", "6", "7"].map((code) => round2(node(code).percent))).toEqual([81.33, 80.45, 78.68, 75.28, 85.26]);
  });
});

describe("Thừa Thiên Huế 2022: the table's area percentages, from its rounded area points", () => {
  const result = scoreFromNodeValues(index, points(Object.fromEntries(Object.entries(HUE_AREAS).map(([code, a]) => [code, a.points]))));

  it.each(Object.entries(HUE_AREAS).filter(([code]) => code !== "5"))("reproduces area %s percent", (code, published) => {
    expect(round2(result.nodes.get(code)?.percent)).toBe(published.percent);
  });

  // 004:297 prints 78.6% for "Cải cách chế độ công vụ": 7.08 / 9 = 78.67% (and 7.0814 / 9 = 78.68%);
  // 78.6 is 78.67 cut to one decimal, unlike every other percentage in the table.
  it.fails("reproduces area 5 Cải cách chế độ công vụ = 78.6% as printed (seed slip: 7.08/9 = 78.67%)", () => {
    expect(round2(result.nodes.get("5")?.percent)).toBe(78.6);
  });

  it("the rounded area points sum to 17.41, not the published 17.42 (which sums unrounded items)", () => {
    expect(round2(result.root.points)).toBe(17.41);
  });
});

describe("Bình Định 2022 (000:13): 16.89/22 = 76.75%", () => {
  it("is consistent with an unrounded total of 16.885 (16.89 / 22 alone would be 76.77%)", () => {
    expect(round2(scoreFromNodeValues(index, { "PAR-LS": { points: 16.89 } }).root.percent)).toBe(76.77);
    const unrounded = scoreFromNodeValues(index, { "PAR-LS": { points: 16.885 } }).root;
    expect(round2(unrounded.points)).toBe(16.89);
    expect(round2(unrounded.percent)).toBe(76.75);
  });

  it("every item applies to every group: the 20-item subset of district leaders is not identified", () => {
    const district = scoreFromNodeValues(index, points(HUE_ITEMS), { group: "huyen" });
    expect(district.root.max).toBe(22);
  });
});

describe("the golden test can fail", () => {
  it("dropping item 5.7.d from Cải cách chế độ công vụ no longer reproduces 7.08 and 17.42", () => {
    const broken = structuredClone(index) as IndexDefinition;
    const area = findNode(broken.root, "5")!;
    area.children = area.children!.filter((c) => c.code !== "5.7.d");
    const result = scoreFromNodeValues(broken, points(HUE_ITEMS));
    expect(round2(result.nodes.get("5")?.points)).toBe(6.41);
    expect(round2(result.nodes.get("5")?.points)).not.toBe(HUE_AREAS["5"]!.points);
    expect(round2(result.root.points)).not.toBe(17.42);
  });
});
