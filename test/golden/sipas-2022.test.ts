/**
 * Golden tests for surveys/sipas-2022: from the sub-criterion (or component) values the provincial
 * plans print, the index definition must reproduce the values printed beside them, at the published
 * 2 decimals. Where a seed's own numbers do not add up, the test names the number and says why.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IndexDefinitionSchema, type IndexDefinition, type IndexNode } from "../../shared/index-model/schema.js";
import { InstrumentSchema } from "../../shared/instrument/schema.js";
import { checkIndex, roundHalfAwayFromZero, scoreFromNodeValues } from "../../shared/scoring/index.js";

const folder = new URL("../../surveys/sipas-2022/", import.meta.url);
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(name, folder), "utf8"));

const index = IndexDefinitionSchema.parse(readJson("index.json"));
const instrument = InstrumentSchema.parse(readJson("instrument.json"));

const round2 = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : roundHalfAwayFromZero(x, 2));
const percents = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([code, percent]) => [code, { percent }]));

function percentOf(result: ReturnType<typeof scoreFromNodeValues>, code: string): number | null {
  const node = result.nodes.get(code);
  if (!node) throw new Error(`no node ${code} in the result`);
  return round2(node.percent);
}

/** Bắc Kạn 365/KH-UBND, Phụ lục 3 (001:229-314): the 33 sub-criteria, 2022 results. */
const BAC_KAN_ITEMS: Record<string, number> = {
  "I.1.1": 75.59,
  "I.1.2": 76.71,
  "I.2.1": 74.57,
  "I.2.2": 73.13,
  "I.3.1": 72.1,
  "I.3.2": 78.6,
  "I.3.3": 78.18,
  "I.3.4": 78.26,
  "I.3.5": 70.98,
  "I.3.6": 73.86,
  "I.3.7": 75.22,
  "I.3.8": 78.26,
  "I.4.1": 73.45,
  "I.4.2": 75.43,
  "II.1.1": 74.98,
  "II.1.2": 78.26,
  "II.1.3": 78.67,
  "II.1.4": 72.92,
  "II.2.1": 79.7,
  "II.2.2": 81.89,
  "II.2.3": 79.21,
  "II.2.4": 74.16,
  "II.3.1": 76.41,
  "II.3.2": 73.95,
  "II.3.3": 76.25,
  "II.3.4": 78.18,
  "II.3.5": 73.66,
  "II.4.1": 73.74,
  "II.4.2": 75.8,
  "II.4.3": 73.86,
  "II.5.1": 72.42,
  "II.5.2": 73.45,
  "II.5.3": 69.95,
};

/** The component values and the total printed beside them (001:235-313). */
const BAC_KAN_PUBLISHED: Record<string, number> = {
  "I.1": 76.15,
  "I.2": 73.85,
  "I.3": 75.68,
  "I.4": 74.44,
  "II.1": 76.21,
  "II.2": 78.74,
  "II.3": 75.69,
  "II.4": 74.48,
  "II.5": 71.94,
  SIPAS: 75.24,
};

/** Bình Định plan 2023, Phụ lục II (000:369-429): components and groups; total 81.78 (000:12). */
const BINH_DINH_COMPONENTS: Record<string, number> = {
  "I.1": 80.24,
  "I.2": 74.09,
  "I.3": 82.27,
  "I.4": 83.73,
  "II.1": 87.88,
  "II.2": 87.1,
  "II.3": 78.93,
  "II.4": 85.84,
  "II.5": 77.71,
};

function findNode(node: IndexNode, code: string): IndexNode | undefined {
  if (node.code === code) return node;
  for (const child of node.children ?? []) {
    const found = findNode(child, code);
    if (found) return found;
  }
  return undefined;
}

describe("sipas-2022 definition", () => {
  it("is bound to its instrument: every item reads a statement rated on the satisfaction scale", () => {
    expect(checkIndex(index, instrument)).toEqual([]);
    const items = Object.keys(BAC_KAN_ITEMS);
    expect(items).toHaveLength(33);
    for (const code of items) {
      const node = findNode(index.root, code);
      expect(node?.rule, code).toEqual({ type: "share", codes: ["4", "5"] });
      expect(node?.question, code).toBe(`s${code.replace(/^II\./, "2.").replace(/^I\./, "1.").replace(/\./g, "_")}`);
    }
  });
});

describe("Bắc Kạn 2022 (001:229-314): sub-criteria → components → total", () => {
  const result = scoreFromNodeValues(index, percents(BAC_KAN_ITEMS));

  it.each(Object.entries(BAC_KAN_PUBLISHED).filter(([code]) => code !== "II.4"))("reproduces %s = %s", (code, published) => {
    expect(percentOf(result, code)).toBe(published);
  });

  it("the total is the mean of the 9 components (default rule), not of the 2 groups", () => {
    expect(result.nodes.get("SIPAS")?.rule).toBe("mean of 9 component");
    const byGroups = scoreFromNodeValues(index, percents(BAC_KAN_ITEMS), { variant: "mean-of-groups" });
    // (75.0306 + 75.4088) / 2 = 75.2197: the group rule does not give Bắc Kạn's published 75.24.
    expect(percentOf(byGroups, "SIPAS")).toBe(75.22);
  });

  // 001:307 prints 74.48 for "Kết quả dịch vụ", but (73.74 + 75.80 + 73.86) / 3 = 74.4667. Even
  // allowing for the rounding of the printed sub-criteria (±0.005 each) the mean stays below 74.472,
  // so 74.48 is a slip in the seed (or a different, unstated rule for this one component).
  it.fails("reproduces II.4 Kết quả dịch vụ = 74.48 as printed (seed slip: the mean is 74.47)", () => {
    expect(percentOf(result, "II.4")).toBe(74.48);
  });

  it("computes II.4 Kết quả dịch vụ = 74.47, 0.01 below the printed 74.48", () => {
    expect(percentOf(result, "II.4")).toBe(74.47);
  });

  it("derives the PAR INDEX criterion 8.1 points from the two groups with the configured formula", () => {
    const derived = result.derived.find((d) => d.code === "PAR-8.1");
    const groupI = result.nodes.get("I")!.percent!;
    const groupII = result.nodes.get("II")!.percent!;
    expect(derived?.max).toBe(10);
    expect(derived?.value).toBeCloseTo((groupI + groupII) / 20, 10);
    expect(round2(derived?.value)).toBe(7.52);
  });
});

describe("Bình Định 2022 (000:369-429): components → groups → total with the mean-of-groups variant", () => {
  const result = scoreFromNodeValues(index, percents(BINH_DINH_COMPONENTS), { variant: "mean-of-groups" });

  it("reproduces group I = 80.08 and group II = 83.49", () => {
    expect(percentOf(result, "I")).toBe(80.08);
    expect(percentOf(result, "II")).toBe(83.49);
  });

  // The seed prints 81.78 (000:12), but the mean of its own groups is (80.0825 + 83.492) / 2 =
  // 81.78725 → 81.79; even from the printed groups, (80.08 + 83.49) / 2 = 81.785 → 81.79. The
  // published figure must come from unrounded component values below ours, which the seed does
  // not print: within the rounding of its inputs, but not reproducible from them.
  it.fails("reproduces the published total 81.78 (not reproducible from the printed components)", () => {
    expect(percentOf(result, "SIPAS")).toBe(81.78);
  });

  it("computes 81.79, within the rounding of the printed inputs of the published 81.78", () => {
    const total = result.nodes.get("SIPAS")!.percent!;
    expect(round2(total)).toBe(81.79);
    expect(Math.abs(total - 81.78)).toBeLessThan(0.01);
    const fromPrintedGroups = scoreFromNodeValues(index, percents({ I: 80.08, II: 83.49 }), { variant: "mean-of-groups" });
    expect(percentOf(fromPrintedGroups, "SIPAS")).toBe(81.79);
  });

  it("the default rule (mean of 9 components) gives 81.98, far from Bình Định's 81.78", () => {
    const byDefault = scoreFromNodeValues(index, percents(BINH_DINH_COMPONENTS));
    expect(percentOf(byDefault, "SIPAS")).toBe(81.98);
  });
});

describe("Thừa Thiên Huế 2022 (004:108-113): the service index is the mean of its 5 components", () => {
  it("reproduces the service index 79.56", () => {
    const result = scoreFromNodeValues(index, percents({ "II.1": 83.08, "II.2": 80.95, "II.3": 77.36, "II.4": 79.69, "II.5": 76.72 }));
    expect(percentOf(result, "II")).toBe(79.56);
    // Group I is not published by Huế, so the overall index and the derived points have no value.
    expect(result.nodes.get("I")?.percent).toBeNull();
    expect(result.derived.find((d) => d.code === "PAR-8.1")?.value).toBeNull();
  });
});

describe("the golden test can fail", () => {
  it("dropping sub-criterion I.3.8 from Chất lượng chính sách no longer reproduces 75.68 and 75.24", () => {
    const broken = structuredClone(index) as IndexDefinition;
    const component = findNode(broken.root, "I.3")!;
    component.children = component.children!.filter((c) => c.code !== "I.3.8");
    const result = scoreFromNodeValues(broken, percents(BAC_KAN_ITEMS));
    expect(percentOf(result, "I.3")).toBe(75.31);
    expect(percentOf(result, "I.3")).not.toBe(BAC_KAN_PUBLISHED["I.3"]);
    expect(percentOf(result, "SIPAS")).not.toBe(BAC_KAN_PUBLISHED.SIPAS);
  });
});
