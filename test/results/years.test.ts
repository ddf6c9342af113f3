/**
 * Results across years and registries over real HTTP on SQLite and PostgreSQL: year on year between
 * two editions (an item removed, one added, one renamed with `continues`), targets of every kind with
 * their flags, and a round collected on pre-2025 units shown as of the 2025 registry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";
import { importEdition, latestEdition } from "../../server/instruments/repository.js";
import { scoreResponses } from "../../shared/scoring/index.js";
import { nodeMap } from "../../shared/results/tree.js";
import type { IndexDefinition } from "../../shared/index-model/schema.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import type { BreakdownRow, ResultNode, ResultsResponse, TargetResult } from "../../shared/results/types.js";
import { addVillages, expectSameTree, randomSubmissions, storedResponses, submitAll } from "./fixtures.js";

/** sipas-2023: the 2022 edition with I.3.8 dropped, I.1.3 added and I.1.2 renamed I.1.2b (continues I.1.2). */
function edition2023(instrument: Instrument, index: IndexDefinition): { instrument: Instrument; index: IndexDefinition } {
  const i = structuredClone(instrument);
  i.id = "sipas-2023";
  i.year = 2023;
  i.title = { vi: "SIPAS năm 2023 (thử)", en: "SIPAS 2023 (test)" };
  const x = structuredClone(index) as IndexDefinition;
  x.id = "sipas-2023";
  x.instrument = "sipas-2023";
  x.previous = "sipas-2022";
  const group1 = x.root.children![0]!;
  const policy = group1.children!.find((c) => c.code === "I.3")!;
  policy.children = policy.children!.filter((c) => c.code !== "I.3.8");
  const accountability = group1.children!.find((c) => c.code === "I.1")!;
  const renamed = accountability.children!.find((c) => c.code === "I.1.2")!;
  renamed.code = "I.1.2b";
  renamed.continues = "I.1.2";
  // The new item reads an existing statement (the same question as II.3.1), enough for a test edition.
  const donor = x.root.children![1]!.children![2]!.children![0]!;
  accountability.children!.push({ ...structuredClone(donor), code: "I.1.3" });
  return { instrument: i, index: x };
}

describe.each(DIALECTS)("results across years and registries on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let y2022: string;
  let y2023: string;
  let editions: { a: { instrument: Instrument; index: IndexDefinition }; b: { instrument: Instrument; index: IndexDefinition } };

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    await server.authenticate("admin");
    const e2022 = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!;
    const b = edition2023(e2022.instrument, e2022.index!);
    await importEdition(server.ctx.db.kysely, { dir: "", ...b });
    editions = { a: { instrument: e2022.instrument, index: e2022.index! }, b };
    const villages = demoUnits(server.ctx, "village").slice(0, 16);
    y2022 = await server.createRound("sipas-2022", { minCellSize: 3 });
    y2023 = await server.createRound("sipas-2023", { minCellSize: 3 });
    await submitAll(server, y2022, randomSubmissions(e2022.instrument, villages, ["citizen", "organisation"], 150, 7));
    await submitAll(server, y2023, randomSubmissions(b.instrument, villages, ["citizen", "organisation"], 150, 8));
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("compares every node with its counterpart; new nodes are marked and removed ones listed", async () => {
    const before = (await server.api(`/api/rounds/${y2022}/results`)).body as ResultsResponse;
    const res = await server.api(`/api/rounds/${y2023}/results?compare=${y2022}`);
    expect(res.status).toBe(200);
    const body = res.body as ResultsResponse;
    expect(body.compare).toMatchObject({ round: y2022, index: "sipas-2022", added: ["I.1.3"] });
    expect(body.compare!.removed.map((r) => r.code)).toEqual(["I.3.8"]);
    const earlier = nodeMap(before.root);
    expect(body.compare!.removed[0]!.value).toBeCloseTo(earlier.get("I.3.8")!.value!, 9);
    // Current values are the engine's over the 2023 responses; previous ones the engine's over 2022.
    const stored2023 = await storedResponses(server, y2023);
    expectSameTree(body.root, scoreResponses(editions.b.index, editions.b.instrument, stored2023).root);
    let matched = 0;
    for (const node of nodeMap(body.root).values()) {
      if (node.code === "I.1.3") {
        expect(node).toMatchObject({ counterpart: null, previous: null, delta: null });
        continue;
      }
      const code = node.code === "I.1.2b" ? "I.1.2" : node.code;
      expect(node.counterpart).toBe(code);
      expect(node.previous!.value).toBeCloseTo(earlier.get(code)!.value!, 9);
      expect(node.delta!.value).toBeCloseTo(node.value! - earlier.get(code)!.value!, 9);
      matched++;
    }
    expect(matched).toBe(nodeMap(body.root).size - 1);
  });

  it.skipIf(skip)("gives rank changes for every row of a breakdown (earlier rank − current rank)", async () => {
    const before = new Map(((await server.api(`/api/rounds/${y2022}/results?by=commune`)).body.rows as BreakdownRow[]).map((r) => [r.unit!.key, r]));
    const res = await server.api(`/api/rounds/${y2023}/results?by=commune&compare=${y2022}`);
    const rows = res.body.rows as BreakdownRow[];
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      const earlier = before.get(row.unit!.key);
      const root = row.root;
      if (!earlier || earlier.suppressed || row.suppressed) continue;
      expect(root.previous!.rank).toBe(earlier.root.rank);
      expect(root.delta!.rank).toBe(earlier.root.rank! - root.rank!);
      expect(root.delta!.value).toBeCloseTo(root.value! - earlier.root.value!, 9);
    }
    const ranking = await server.api(`/api/rounds/${y2023}/results/ranking?level=commune&node=II&compare=${y2022}`);
    for (const r of ranking.body.rows as Array<{ unit: { key: string }; rank: number | null; previous: { rank: number | null } | null }>) {
      const earlier = before.get(r.unit.key);
      if (earlier && r.previous) expect(r.previous.rank).toBe(nodeMap(earlier.root).get("II")!.rank);
    }
  });

  it.skipIf(skip)("refuses to compare with a round of another index family", async () => {
    const papi = await server.createRound("papi-2022");
    const res = await server.api(`/api/rounds/${y2023}/results?compare=${papi}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message_vi).toMatch(/bộ chỉ số khác/);
  });

  it.skipIf(skip)("stores targets of every kind and reports gap, met and flags", async () => {
    const current = (await server.api(`/api/rounds/${y2023}/results`)).body as ResultsResponse;
    const nodes = nodeMap(current.root);
    const total = nodes.get("SIPAS")!.value!;
    const put = await server.api(`/api/rounds/${y2023}/targets`, {
      method: "PUT",
      json: {
        targets: [
          { kind: "value", node: "SIPAS", value: 85 },
          { kind: "value", node: "II", value: 1 },
          { kind: "value", node: "I", value: 120 },
          { kind: "rule", level: "component", delta: 10 },
          { kind: "rule", level: "item", delta: 5, base: y2022 },
          { kind: "rank", node: "SIPAS", rank: 20 },
        ],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.targets).toHaveLength(6);
    const evaluation = put.body.evaluation as TargetResult[];
    const [abs, low, impossible] = evaluation;
    expect(abs).toMatchObject({ kind: "value", node: "SIPAS", goal: 85, measure: "percent" });
    expect(abs!.current).toBeCloseTo(total, 9);
    expect(abs!.gap).toBeCloseTo(85 - total, 9);
    expect(low!.flags).toContain("below_current");
    expect(low!.met).toBe(true);
    expect(impossible!.flags).toContain("above_max");
    const components = evaluation.filter((r) => r.kind === "rule" && r.node.split(".").length === 2);
    expect(components).toHaveLength(9);
    for (const c of components) expect(c.goal).toBeCloseTo(nodes.get(c.node)!.value! + 10, 9);
    // +5 over the 2022 round, matched year on year: I.1.2b continues I.1.2; the new I.1.3 has no base.
    const before = nodeMap(((await server.api(`/api/rounds/${y2022}/results`)).body as ResultsResponse).root);
    const items = evaluation.filter((r) => r.kind === "rule" && r.node.split(".").length === 3);
    expect(items).toHaveLength(33);
    expect(items.find((r) => r.node === "I.1.2b")!.goal).toBeCloseTo(before.get("I.1.2")!.value! + 5, 9);
    expect(items.find((r) => r.node === "I.1.3")).toMatchObject({ goal: null, flags: expect.arrayContaining(["no_base"]) });
    // Rank targets need a unit: for the whole round there is no rank.
    expect(evaluation.at(-1)).toMatchObject({ kind: "rank", current: null, flags: ["no_value"] });

    const read = await server.api(`/api/rounds/${y2023}/targets`);
    expect(read.body.targets).toEqual(put.body.targets);
    // Value and rule targets show on the results tree.
    const withTargets = nodeMap(((await server.api(`/api/rounds/${y2023}/results`)).body as ResultsResponse).root);
    expect(withTargets.get("SIPAS")!.target).toMatchObject({ value: 85, measure: "percent" });
    expect(withTargets.get("II.3")!.target!.value).toBeCloseTo(nodes.get("II.3")!.value! + 10, 9);
  });

  it.skipIf(skip)("evaluates rank and performance-group targets of one unit among its peers", async () => {
    const papi = (await latestEdition(server.ctx.db.kysely, "papi-2022"))!;
    const papiRound = await server.createRound("papi-2022", { minCellSize: 1 });
    const villages = demoUnits(server.ctx, "village");
    await submitAll(server, papiRound, randomSubmissions(papi.instrument, villages, ["citizen"], 80, 9));
    const communes = ((await server.api(`/api/rounds/${papiRound}/results?by=commune`)).body.rows as BreakdownRow[]).filter((r) => !r.suppressed);
    const unit = communes[0]!.unit!.key;
    const put = await server.api(`/api/rounds/${papiRound}/targets`, {
      method: "PUT",
      json: {
        targets: [
          { kind: "rank", node: "PAPI", rank: 5, unit },
          { kind: "performanceGroup", node: "PAPI", atLeast: 2, unit },
          { kind: "rule", level: "subdimension", delta: 0.5, unit },
        ],
      },
    });
    expect(put.status).toBe(200);
    const view = await server.api(`/api/rounds/${papiRound}/targets?unit=${unit}`);
    const [rank, group] = view.body.evaluation as TargetResult[];
    const own = nodeMap(communes[0]!.root).get("PAPI")!;
    expect(rank).toMatchObject({ goal: 5, current: own.rank, met: own.rank! <= 5, gap: own.rank! - 5 });
    expect(group!.current).toBeGreaterThanOrEqual(1);
    expect(group!.goalLabel).toEqual({ vi: "Nhóm trung bình cao", en: "High-average performers" });
    const rules = (view.body.evaluation as TargetResult[]).filter((r) => r.kind === "rule");
    expect(rules).toHaveLength(28);
    // A sub-dimension within 0.5 of its maximum gets a goal above it: flagged, as Bắc Kạn's 6.1 (2.01 → 2.51 of 2.50).
    for (const r of rules) {
      const node = nodeMap(communes[0]!.root).get(r.node)!;
      expect(r.flags.includes("above_max")).toBe(node.points! + 0.5 > node.max! + 1e-9);
    }
  });

  describe("refuses bad targets and writes nothing", () => {
    const cases: Array<[string, () => RequestInit & { json?: unknown }, number, string]> = [
      ["unknown node", () => ({ method: "PUT", json: { targets: [{ kind: "value", node: "NOPE", value: 80 }] } }), 422, "targets.0.node"],
      ["unknown level", () => ({ method: "PUT", json: { targets: [{ kind: "rule", level: "criterion", delta: 10 }] } }), 422, "targets.0.level"],
      [
        "points on a percent node",
        () => ({ method: "PUT", json: { targets: [{ kind: "value", node: "II.1.1", value: 2, measure: "points" }] } }),
        422,
        "targets.0.measure",
      ],
      [
        "performance groups the index lacks",
        () => ({ method: "PUT", json: { targets: [{ kind: "performanceGroup", node: "SIPAS", atLeast: 2 }] } }),
        422,
        "targets.0.kind",
      ],
      ["unknown base round", () => ({ method: "PUT", json: { targets: [{ kind: "rule", level: "item", delta: 1, base: "nope" }] } }), 422, "targets.0.base"],
      [
        "group outside the round",
        () => ({ method: "PUT", json: { targets: [{ kind: "value", node: "SIPAS", value: 80, group: "hdnd" }] } }),
        422,
        "targets.0.group",
      ],
      ["wrong shape", () => ({ method: "PUT", json: { targets: [{ kind: "rank", node: "SIPAS", rank: 0 }] } }), 422, "targets.0.rank"],
      ["malformed JSON", () => ({ method: "PUT", body: "{", headers: { "content-type": "application/json" } }), 400, ""],
      ["not JSON", () => ({ method: "PUT", body: "a=1", headers: { "content-type": "text/plain" } }), 415, ""],
    ];
    it.skipIf(skip).each(cases)("%s", async (_name, init, status, path) => {
      const before = (await server.api(`/api/rounds/${y2022}/targets`)).body.targets;
      const res = await server.api(`/api/rounds/${y2022}/targets`, init());
      expect(res.status).toBe(status);
      expect(res.body.error.message_vi).toBeTruthy();
      expect(res.body.error.message_en).toBeTruthy();
      if (path) expect(res.body.error.errors.map((e: { question: string }) => e.question)).toContain(path);
      expect((await server.api(`/api/rounds/${y2022}/targets`)).body.targets).toEqual(before);
    });
    it.skipIf(skip)("unknown round", async () => {
      const res = await server.api(`/api/rounds/nope/targets`, { method: "PUT", json: { targets: [] } });
      expect(res.status).toBe(404);
    });
  });

  it.skipIf(skip)("a round on pre-2025 units, shown as of 2025 through the crosswalk", async () => {
    // Hải Dương (pre2025:30) merged whole into Hải Phòng (2025:31); some of its communes were split.
    const links = await server.ctx.db.kysely.selectFrom("unit_crosswalk").selectAll().where("level", "=", "commune").execute();
    const linksFrom = new Map<string, string[]>();
    for (const l of links) linksFrom.set(l.from_key, [...(linksFrom.get(l.from_key) ?? []), l.to_key]);
    const communes = server.ctx.units.atLevel("pre2025", "commune").filter((c) => server.ctx.units.isWithin(c.key, "pre2025:30"));
    const whole = communes
      .filter((c) => linksFrom.get(c.key)?.length === 1)
      .slice(0, 4)
      .map((c) => c.key);
    const split = communes
      .filter((c) => (linksFrom.get(c.key)?.length ?? 0) > 1)
      .slice(0, 2)
      .map((c) => c.key);
    expect(whole).toHaveLength(4);
    expect(split).toHaveLength(2);
    const villages = await addVillages(server, [...whole, ...split]);
    const sipas = editions.a;
    const old = await server.createRound("sipas-2022", { registry: "pre2025", scope: ["pre2025:30"], minCellSize: 2 });
    await submitAll(server, old, randomSubmissions(sipas.instrument, villages, ["citizen"], 96, 11));
    const stored = await storedResponses(server, old);
    const oldCommune = (village: string) => server.ctx.units.getCached(village)!.parentKey!;

    // As of 2025, by commune: each whole old commune goes to its one new commune; split ones are reported.
    const byCommune = await server.api(`/api/rounds/${old}/results?asOf=2025&by=commune`);
    expect(byCommune.status).toBe(200);
    const body = byCommune.body as ResultsResponse;
    expect(body.registry).toBe("2025");
    expect(body.mapping.partial.map((p) => p.unit.key).sort()).toEqual([...split].sort());
    for (const p of body.mapping.partial) expect(p.candidates.sort()).toEqual([...linksFrom.get(p.unit.key)!].sort());
    const expectedRows = new Map<string, typeof stored>();
    for (const r of stored) {
      const targets = linksFrom.get(oldCommune(r.unit))!;
      if (targets.length === 1) expectedRows.set(targets[0]!, [...(expectedRows.get(targets[0]!) ?? []), r]);
    }
    expect(body.rows!.map((r) => r.unit!.key).sort()).toEqual([...expectedRows.keys()].sort());
    for (const row of body.rows!) {
      expect(row.unit!.key.startsWith("2025:")).toBe(true);
      expectSameTree(row.root, scoreResponses(sipas.index, sipas.instrument, expectedRows.get(row.unit!.key)!).root);
    }
    const partialResponses = body.mapping.partial.reduce((s, p) => s + p.responses, 0);
    expect(body.rows!.reduce((s, r) => s + r.responses, 0) + partialResponses).toBe(96);

    // As of 2025, by province: the split communes stayed inside Hải Phòng, so every response counts there.
    const byProvince = (await server.api(`/api/rounds/${old}/results?asOf=2025&by=province`)).body as ResultsResponse;
    expect(byProvince.rows!.map((r) => r.unit!.key)).toEqual(["2025:31"]);
    expect(byProvince.mapping.partial).toEqual([]);
    expectSameTree(byProvince.rows![0]!.root, scoreResponses(sipas.index, sipas.instrument, stored).root);
    const asUnit = (await server.api(`/api/rounds/${old}/results?asOf=2025&unit=2025:31&rank=1`)).body as ResultsResponse;
    expect(asUnit).toMatchObject({ responses: 96, unit: { key: "2025:31" } });
    expect(asUnit.root.rank).toBe(1);

    // In its own registry the old districts still exist.
    const byDistrict = (await server.api(`/api/rounds/${old}/results?by=district`)).body as ResultsResponse;
    expect(byDistrict.rows!.every((r) => r.unit!.level === "district" && r.unit!.key.startsWith("pre2025:"))).toBe(true);
    expect(byDistrict.rows!.reduce((s, r) => s + r.responses, 0)).toBe(96);

    // Year on year across registries: the 2023 round (2025 units) against this one, as of 2025.
    const crossYear = await server.api(`/api/rounds/${y2023}/results?compare=${old}&unit=2025:31&rank=1`);
    expect(crossYear.status).toBe(200);
    expect((crossYear.body.root as ResultNode).previous!.value).toBeCloseTo(asUnit.root.value!, 9);
  });
});
