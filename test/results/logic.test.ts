/**
 * The pure results logic without a database: competition ranks and performance groups, the
 * crosswalk rule, year-on-year node matching, target evaluation and the default work level.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { competitionRanks, performanceGroups, quantile } from "../../shared/results/rank.js";
import { Crosswalk, ancestorMapping, type CrosswalkLink, type CrosswalkUnit } from "../../shared/results/crosswalk.js";
import { attachPrevious, matchNodes } from "../../shared/results/compare.js";
import { checkTargets, evaluateTargets, type TargetContext } from "../../shared/results/targets.js";
import { TargetsBodySchema, type Target } from "../../shared/results/schemas.js";
import { defaultWorkLevel, nodeMap, toResultTree } from "../../shared/results/tree.js";
import { IndexDefinitionSchema, type IndexDefinition } from "../../shared/index-model/schema.js";
import { scoreFromNodeValues } from "../../shared/scoring/index.js";
import type { ResultNode } from "../../shared/results/types.js";

const readIndex = (id: string): IndexDefinition =>
  IndexDefinitionSchema.parse(JSON.parse(readFileSync(new URL(`../../surveys/${id}/index.json`, import.meta.url), "utf8")));
const sipas = readIndex("sipas-2022");
const papi = readIndex("papi-2022");
const leaders = readIndex("par-leaders-2022");

describe("competition ranking", () => {
  it("ties share a rank and the next rank skips (1, 2, 2, 4)", () => {
    expect(competitionRanks([70, 90, 80, 80])).toEqual([4, 1, 2, 2]);
    expect(competitionRanks([5, 5, 5])).toEqual([1, 1, 1]);
    expect(competitionRanks([null, 3, null, 1])).toEqual([null, 1, null, 2]);
    expect(competitionRanks([])).toEqual([]);
  });

  it("treats values equal up to binary noise as a tie", () => {
    expect(competitionRanks([0.1 + 0.2, 0.3, 0.2])).toEqual([1, 1, 3]);
  });

  it("rank = 1 + number of strictly greater values, for any list", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -50, max: 50 }), { nil: null }), { maxLength: 40 }), (values) => {
        const ranks = competitionRanks(values);
        values.forEach((v, i) => {
          if (v === null) expect(ranks[i]).toBeNull();
          else expect(ranks[i]).toBe(1 + values.filter((w) => w !== null && w > v).length);
        });
      }),
    );
  });
});

describe("performance groups by quartile", () => {
  it("splits eight distinct values into four groups of two, highest first", () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8];
    const { groups, cuts } = performanceGroups(values, 4);
    expect(groups).toEqual([3, 3, 2, 2, 1, 1, 0, 0]);
    expect(cuts).toEqual([quantile(values, 0.75), quantile(values, 0.5), quantile(values, 0.25)]);
  });

  it("uses R's type-7 quantiles and keeps ties in one group", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.25)).toBe(10);
    const { groups } = performanceGroups([5, 5, 5, 5, null], 4);
    expect(groups).toEqual([0, 0, 0, 0, null]);
  });

  it("every value is in a group and higher values are never in a lower group", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 80, noNaN: true }), { minLength: 1, maxLength: 63 }), (values) => {
        const { groups } = performanceGroups(values, 4);
        values.forEach((a, i) =>
          values.forEach((b, j) => {
            if (a > b) expect(groups[i]!).toBeLessThanOrEqual(groups[j]!);
          }),
        );
        expect(groups.every((g) => g !== null && g >= 0 && g <= 3)).toBe(true);
      }),
    );
  });
});

describe("crosswalk rule", () => {
  // Old registry: province P1 (communes A, B, C; villages a1, b1, c1), province P2 (commune D).
  // New registry: province Q1 (communes X, Y), province Q2 (commune Z).
  // A → X (full); B → X, Y (partial, both in Q1); C → Y, Z (partial, across provinces); D → Z (full).
  const units: CrosswalkUnit[] = [
    { key: "o:P1", level: "province", parentKey: null },
    { key: "o:P2", level: "province", parentKey: null },
    { key: "o:A", level: "commune", parentKey: "o:P1" },
    { key: "o:B", level: "commune", parentKey: "o:P1" },
    { key: "o:C", level: "commune", parentKey: "o:P1" },
    { key: "o:D", level: "commune", parentKey: "o:P2" },
    { key: "o:a1", level: "village", parentKey: "o:A" },
    { key: "o:b1", level: "village", parentKey: "o:B" },
    { key: "o:c1", level: "village", parentKey: "o:C" },
    { key: "n:Q1", level: "province", parentKey: null },
    { key: "n:Q2", level: "province", parentKey: null },
    { key: "n:X", level: "commune", parentKey: "n:Q1" },
    { key: "n:Y", level: "commune", parentKey: "n:Q1" },
    { key: "n:Z", level: "commune", parentKey: "n:Q2" },
    { key: "n:x1", level: "village", parentKey: "n:X" },
  ];
  const byKey = new Map(units.map((u) => [u.key, u]));
  const lookup = (k: string) => byKey.get(k) ?? null;
  const links: CrosswalkLink[] = [
    { from: "o:P1", to: "n:Q1", level: "province", kind: "full" },
    { from: "o:P2", to: "n:Q2", level: "province", kind: "full" },
    { from: "o:A", to: "n:X", level: "commune", kind: "full" },
    { from: "o:B", to: "n:X", level: "commune", kind: "partial" },
    { from: "o:B", to: "n:Y", level: "commune", kind: "partial" },
    { from: "o:C", to: "n:Y", level: "commune", kind: "partial" },
    { from: "o:C", to: "n:Z", level: "commune", kind: "partial" },
    { from: "o:D", to: "n:Z", level: "commune", kind: "full" },
  ];
  const forward = new Crosswalk(links, lookup);

  it("follows a single or full link from the nearest linked ancestor", () => {
    expect(forward.map("o:a1", "commune")).toEqual({ status: "mapped", key: "n:X" });
    expect(forward.map("o:a1", "province")).toEqual({ status: "mapped", key: "n:Q1" });
    expect(forward.map("o:D", "province")).toEqual({ status: "mapped", key: "n:Q2" });
  });

  it("a split commune is partial at commune level but mapped where all pieces agree", () => {
    expect(forward.map("o:b1", "commune")).toEqual({ status: "partial", candidates: ["n:X", "n:Y"], via: "o:B" });
    expect(forward.map("o:b1", "province")).toEqual({ status: "mapped", key: "n:Q1" });
    // Pieces in two provinces: partial even at province level (never counted twice).
    expect(forward.map("o:c1", "province")).toEqual({ status: "partial", candidates: ["n:Q1", "n:Q2"], via: "o:C" });
  });

  it("a level below the crosswalk's finest is unmapped (no village links)", () => {
    expect(forward.map("o:a1", "village")).toEqual({ status: "unmapped" });
    expect(forward.map("o:unknown", "commune")).toEqual({ status: "unmapped" });
  });

  it("backwards only one-to-one links are exact", () => {
    const backward = new Crosswalk(links, lookup, true);
    // Z came from D and part of C, which lay in different old provinces: not reversible at either level.
    expect(backward.map("n:Z", "commune")).toEqual({ status: "partial", candidates: ["o:C", "o:D"], via: "n:Z" });
    expect(backward.map("n:Z", "province")).toEqual({ status: "partial", candidates: ["o:P1", "o:P2"], via: "n:Z" });
    // X came from A (whole) and part of B, both in P1: the old province is known.
    expect(backward.map("n:x1", "province")).toEqual({ status: "mapped", key: "o:P1" });
    expect(backward.map("n:Q2", "province")).toEqual({ status: "mapped", key: "o:P2" });
  });

  it("within one registry a unit maps to its own ancestor", () => {
    const same = ancestorMapping(lookup);
    expect(same("o:a1", "province")).toEqual({ status: "mapped", key: "o:P1" });
    expect(same("o:P1", "commune")).toEqual({ status: "unmapped" });
  });
});

/** A second edition built in memory: one item dropped, one added, one renamed with `continues`. */
function nextEdition(index: IndexDefinition): IndexDefinition {
  const clone = structuredClone(index) as IndexDefinition;
  clone.id = "sipas-2023";
  clone.previous = "sipas-2022";
  const group1 = clone.root.children![0]!;
  const policy = group1.children!.find((c) => c.code === "I.3")!;
  policy.children = policy.children!.filter((c) => c.code !== "I.3.8");
  const accountability = group1.children!.find((c) => c.code === "I.1")!;
  accountability.children!.push({ ...structuredClone(accountability.children![0]!), code: "I.1.3" });
  const renamed = accountability.children!.find((c) => c.code === "I.1.2")!;
  renamed.code = "I.1.2b";
  renamed.continues = "I.1.2";
  return clone;
}

describe("year on year", () => {
  const next = nextEdition(sipas);

  it("matches by `continues`, else by equal code; lists added and removed nodes", () => {
    const m = matchNodes(next, sipas);
    expect(m.counterpart.get("I.1.2b")).toBe("I.1.2");
    expect(m.counterpart.get("II.3.1")).toBe("II.3.1");
    expect(m.counterpart.get("I.1.3")).toBeNull();
    expect(m.added).toEqual(["I.1.3"]);
    expect(m.removed.map((r) => r.code)).toEqual(["I.3.8"]);
  });

  it("attaches previous values and deltas; a gained place is a positive rank delta", () => {
    const values = (bump: number) =>
      Object.fromEntries([...nodeMap(sipas.root).values()].filter((n) => !n.children).map((n) => [n.code, { percent: 70 + bump }]));
    const earlier = toResultTree(scoreFromNodeValues(sipas, values(0)).root, "percent");
    const nextValues = Object.fromEntries([...nodeMap(next.root).values()].filter((n) => !n.children).map((n) => [n.code, { percent: 75 }]));
    const current = toResultTree(scoreFromNodeValues(next, nextValues).root, "percent");
    earlier.rank = 5;
    current.rank = 2;
    const joined = attachPrevious(current, earlier, matchNodes(next, sipas));
    expect(joined.previous).toMatchObject({ value: 70, rank: 5 });
    expect(joined.delta!.value).toBeCloseTo(5, 10);
    expect(joined.delta!.rank).toBe(3);
    const nodes = nodeMap(joined);
    expect(nodes.get("I.1.3")).toMatchObject({ counterpart: null, previous: null, delta: null });
    expect(nodes.get("I.1.2b")).toMatchObject({ counterpart: "I.1.2", previous: { value: 70 } });
  });
});

describe("targets", () => {
  // PAPI as in Bắc Kạn 2022 (001:316-375): total 42.41, dimension 6 at 7.14, sub-dimension 6.1 at 2.01 of 2.5.
  const papiValues: Record<string, { points: number }> = {};
  for (const dim of papi.root.children!) for (const sub of dim.children!) papiValues[sub.code] = { points: sub.max! * 0.5 };
  papiValues["D6.1"] = { points: 2.01 };
  const papiTree = toResultTree(scoreFromNodeValues(papi, papiValues).root, "points");

  const ctx = (current: ResultNode, overrides: Partial<TargetContext> = {}): TargetContext => ({
    index: papi,
    current,
    unit: null,
    group: null,
    base: () => null,
    rank: () => ({ rank: 33, of: 63 }),
    performanceGroup: () => 2,
    ...overrides,
  });

  it("a rule target gives every node of the level base + delta, and flags goals above the maximum", () => {
    const targets: Target[] = [{ kind: "rule", level: "subdimension", delta: 0.5 }];
    const results = evaluateTargets(targets, ctx(papiTree));
    expect(results).toHaveLength(28);
    const d61 = results.find((r) => r.node === "D6.1")!;
    // 2.01 + 0.5 = 2.51 > 2.50: the seed's own target for 6.1 cannot be reached (001:365).
    expect(d61.goal).toBeCloseTo(2.51, 10);
    expect(d61.flags).toContain("above_max");
    expect(d61.gap).toBeCloseTo(0.5, 10);
    expect(d61.met).toBe(false);
    const d11 = results.find((r) => r.node === "D1.1")!;
    expect(d11.flags).toEqual([]);
  });

  it("a rule relative to a base round uses the base values; without them it says so", () => {
    const base = new Map([["D1.1", { percent: 20, points: 0.5 }]]);
    const results = evaluateTargets([{ kind: "rule", level: "subdimension", delta: 0.5, base: "papi-2022-round" }], ctx(papiTree, { base: () => base }));
    const d11 = results.find((r) => r.node === "D1.1")!;
    expect(d11.goal).toBeCloseTo(1, 10);
    // The current 1.25 already meets the goal set from the base round: "too low".
    expect(d11.flags).toContain("below_current");
    expect(d11.met).toBe(true);
    expect(results.find((r) => r.node === "D1.2")!.flags).toContain("no_base");
  });

  it("absolute, rank and performance-group targets: gap, met and flags", () => {
    const targets: Target[] = [
      { kind: "value", node: "PAPI", value: 45 },
      { kind: "value", node: "D7", value: 12 },
      { kind: "value", node: "PAPI", value: 30 },
      { kind: "rank", node: "PAPI", rank: 20 },
      { kind: "performanceGroup", node: "PAPI", atLeast: 2 },
      { kind: "performanceGroup", node: "PAPI", atLeast: 5 },
      { kind: "value", node: "PAPI", value: 50, unit: "2025:46" },
    ];
    const results = evaluateTargets(targets, ctx(papiTree));
    expect(results).toHaveLength(6);
    const [total, d7, low, rank, group, impossibleGroup] = results;
    expect(total!.current).toBeCloseTo(papiTree.points!, 10);
    expect(total!.gap).toBeCloseTo(45 - papiTree.points!, 10);
    expect(total!.flags).toEqual([]);
    expect(d7!.flags).toContain("above_max");
    expect(low!.flags).toContain("below_current");
    expect(low!.met).toBe(true);
    expect(rank).toMatchObject({ goal: 20, current: 33, gap: 13, met: false, flags: [] });
    expect(group).toMatchObject({
      goal: 2,
      current: 3,
      gap: 1,
      met: false,
      goalLabel: { vi: "Nhóm trung bình cao" },
      currentLabel: { vi: "Nhóm trung bình thấp" },
    });
    expect(impossibleGroup!.flags).toContain("above_max");
  });

  it("a percent target on a percent index (SIPAS ≥ 85%)", () => {
    const values = Object.fromEntries([...nodeMap(sipas.root).values()].filter((n) => !n.children).map((n) => [n.code, { percent: 86 }]));
    const tree = toResultTree(scoreFromNodeValues(sipas, values).root, "percent");
    const [r] = evaluateTargets([{ kind: "value", node: "SIPAS", value: 85 }], ctx(tree, { index: sipas }));
    expect(r).toMatchObject({ measure: "percent", goal: 85, met: true, flags: ["below_current"] });
  });

  it("checks targets against the index: unknown nodes and levels, points without a maximum, groups", () => {
    const body = TargetsBodySchema.parse({
      targets: [
        { kind: "value", node: "NOPE", value: 1 },
        { kind: "rule", level: "criterion", delta: 10 },
        { kind: "value", node: "II.3.1", value: 3, measure: "points" },
        { kind: "performanceGroup", node: "SIPAS", atLeast: 2 },
      ],
    });
    const problems = checkTargets(body.targets, sipas);
    expect(problems.map((p) => p.path)).toEqual(["targets.0.node", "targets.1.level", "targets.2.measure", "targets.3.kind"]);
    expect(checkTargets([{ kind: "performanceGroup", node: "D1", atLeast: 4 }], papi)).toEqual([]);
    expect(TargetsBodySchema.safeParse({ targets: [{ kind: "rank", node: "PAPI", rank: 0 }] }).success).toBe(false);
    expect(TargetsBodySchema.safeParse({ targets: [{ kind: "value", node: "PAPI", value: 1, extra: true }] }).success).toBe(false);
  });
});

describe("the level remedial work is assigned at", () => {
  it("is the seeds' appendix level for each index", () => {
    expect(defaultWorkLevel(sipas)).toBe("item");
    expect(defaultWorkLevel(papi)).toBe("subdimension");
    expect(defaultWorkLevel(leaders)).toBe("item");
  });
});
