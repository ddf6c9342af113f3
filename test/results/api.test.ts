/**
 * The results API over real HTTP on SQLite and PostgreSQL: every value of every breakdown equals the
 * scoring engine applied to the raw responses read back from the database; ranks with ties, peer
 * groups and performance groups; small-cell suppression; bad parameters get a 4xx in vi and en.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, makeSubmission } from "../helpers/responses.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { seededRng } from "../../server/demo/random.js";
import { scoreResponses } from "../../shared/scoring/index.js";
import { competitionRanks, performanceGroups } from "../../shared/results/rank.js";
import { nodeMap } from "../../shared/results/tree.js";
import type { IndexDefinition } from "../../shared/index-model/schema.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import type { BreakdownRow, RankingRow, ResultsResponse } from "../../shared/results/types.js";
import { expectSameTree, expectSuppressed, randomSubmissions, storedResponses, submitAll, type Stored } from "./fixtures.js";

describe.each(DIALECTS)("results API on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let sipas: { instrument: Instrument; index: IndexDefinition };
  let round: string;
  let responses: Stored[];
  let villages: string[];

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    await server.authenticate("admin");
    const edition = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!;
    sipas = { instrument: edition.instrument, index: edition.index! };
    round = await server.createRound("sipas-2022");
    villages = demoUnits(server.ctx, "village");
    // Uneven: most responses in a few communes, so that some cells are above and some below the minimum.
    const busy = villages.slice(0, 12);
    await submitAll(server, round, [
      ...randomSubmissions(sipas.instrument, busy, ["citizen", "organisation"], 220, 101, { weights: true }),
      ...randomSubmissions(sipas.instrument, villages, ["citizen", "organisation"], 60, 102),
    ]);
    responses = await storedResponses(server, round);
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const ancestor = (unit: string, level: string) => server.ctx.units.ancestorAt(unit, level)?.key ?? null;
  const score = (subset: Stored[], group: string | null = null, variant?: string) =>
    scoreResponses(sipas.index, sipas.instrument, subset, { group, ...(variant ? { variant } : {}) });

  /** Each row equals the engine over exactly the responses that belong to it (or is suppressed). */
  function checkRows(rows: BreakdownRow[], belongs: (r: Stored, row: BreakdownRow) => boolean, pool: Stored[], min = 5) {
    for (const row of rows) {
      const subset = pool.filter((r) => belongs(r, row));
      expect(row.responses, row.unit?.key ?? row.group ?? "").toBe(subset.length);
      if (subset.length < min) {
        expect(row.suppressed).toBe(true);
        expectSuppressed(row.root);
      } else {
        expect(row.suppressed).toBe(false);
        expectSameTree(row.root, score(subset, row.group).root);
      }
    }
  }

  it.skipIf(skip)("the round total equals the engine over all responses, in both variants", async () => {
    expect(responses).toHaveLength(280);
    const res = await server.api(`/api/rounds/${round}/results`);
    expect(res.status).toBe(200);
    const body = res.body as ResultsResponse;
    expect(body).toMatchObject({ responses: 280, suppressed: false, display: "percent", registry: "2025", by: null, minCellSize: 5 });
    expectSameTree(body.root, score(responses).root);
    expect(body.weightedResponses).toBeCloseTo(
      responses.reduce((s, r) => s + (r.weight ?? 1), 0),
      9,
    );
    const variant = await server.api(`/api/rounds/${round}/results?variant=mean-of-groups`);
    expectSameTree(variant.body.root, score(responses, null, "mean-of-groups").root);
    expect(variant.body.root.value).not.toBeCloseTo(body.root.value!, 6);
  });

  it.skipIf(skip).each(["province", "commune", "village"])("every %s row equals the engine over its responses", async (level) => {
    const res = await server.api(`/api/rounds/${round}/results?by=${level}`);
    expect(res.status).toBe(200);
    const rows = res.body.rows as BreakdownRow[];
    const expectedKeys = [...new Set(responses.map((r) => ancestor(r.unit, level)))].sort();
    expect(rows.map((r) => r.unit!.key).sort()).toEqual(expectedKeys);
    checkRows(rows, (r, row) => ancestor(r.unit, level) === row.unit!.key, responses);
    if (level === "village") expect(rows.some((r) => r.suppressed)).toBe(true);
    if (level === "commune") expect(rows.some((r) => !r.suppressed)).toBe(true);
    expect(rows.reduce((s, r) => s + r.responses, 0)).toBe(280);
  });

  it.skipIf(skip)("every group row, and every commune row within one group, equals the engine", async () => {
    const byGroup = await server.api(`/api/rounds/${round}/results?by=group`);
    expect((byGroup.body.rows as BreakdownRow[]).map((r) => r.group)).toEqual(["citizen", "organisation"]);
    checkRows(byGroup.body.rows, (r, row) => r.group === row.group, responses);
    const org = responses.filter((r) => r.group === "organisation");
    const res = await server.api(`/api/rounds/${round}/results?by=commune&group=organisation`);
    expectSameTree(res.body.root, score(org, "organisation").root);
    for (const row of res.body.rows as BreakdownRow[]) {
      const subset = org.filter((r) => ancestor(r.unit, "commune") === row.unit!.key);
      expect(row.responses).toBe(subset.length);
      if (!row.suppressed) expectSameTree(row.root, score(subset, "organisation").root);
    }
  });

  it.skipIf(skip)("a unit filter scores its subtree and ranks the unit among all units of its level", async () => {
    const byCommune = (await server.api(`/api/rounds/${round}/results?by=commune`)).body.rows as BreakdownRow[];
    const busiest = [...byCommune].sort((a, b) => b.responses - a.responses)[0]!;
    const res = await server.api(`/api/rounds/${round}/results?unit=${busiest.unit!.key}&rank=1`);
    expect(res.status).toBe(200);
    const subset = responses.filter((r) => ancestor(r.unit, "commune") === busiest.unit!.key);
    expect(res.body.responses).toBe(subset.length);
    expectSameTree(res.body.root, score(subset).root);
    const values = byCommune.map((r) => r.root.value);
    const ranks = competitionRanks(values, 2);
    expect(res.body.root.rank).toBe(ranks[byCommune.indexOf(busiest)]);
    expect(res.body.root.of).toBe(values.filter((v) => v !== null).length);
    // Villages under it, with the commune's tree as the total.
    const villagesRes = await server.api(`/api/rounds/${round}/results?unit=${busiest.unit!.key}&by=village`);
    expectSameTree(villagesRes.body.root, score(subset).root);
    checkRows(villagesRes.body.rows, (r, row) => r.unit === row.unit!.key, subset);
  });

  it.skipIf(skip)("suppresses cells under the minimum size everywhere: tree, derived scores, ranks", async () => {
    const counts = new Map<string, number>();
    for (const r of responses) counts.set(r.unit, (counts.get(r.unit) ?? 0) + 1);
    const small = [...counts.entries()].find(([, n]) => n > 0 && n < 5)![0];
    const res = await server.api(`/api/rounds/${round}/results?unit=${small}`);
    expect(res.body.suppressed).toBe(true);
    expectSuppressed(res.body.root);
    expect(res.body.derived.every((d: { value: number | null }) => d.value === null)).toBe(true);
    const ranking = await server.api(`/api/rounds/${round}/results/ranking?level=village`);
    const row = (ranking.body.rows as RankingRow[]).find((r) => r.unit.key === small)!;
    expect(row).toMatchObject({ suppressed: true, value: null, rank: null });
    expect(row.responses).toBe(counts.get(small));
  });

  it.skipIf(skip)("ranks ties with competition ranking, nationally and within a peer group", async () => {
    const tieRound = await server.createRound("sipas-2022");
    const [a, b, c] = villages.slice(20, 23) as [string, string, string];
    const one = makeSubmission(sipas.instrument, a, "citizen", seededRng(5));
    const other = makeSubmission(sipas.instrument, c, "citizen", seededRng(6));
    const copies = (base: typeof one, unit: string, n: number) =>
      Array.from({ length: n }, () => ({ ...base, id: crypto.randomUUID(), unit, answers: { ...base.answers } }));
    await submitAll(server, tieRound, [...copies(one, a, 5), ...copies(one, b, 5), ...copies(other, c, 5)]);
    const ranking = await server.api(`/api/rounds/${tieRound}/results/ranking?level=village`);
    expect(ranking.status).toBe(200);
    const byKey = new Map((ranking.body.rows as RankingRow[]).map((r) => [r.unit.key, r]));
    expect(byKey.get(a)!.value).toBe(byKey.get(b)!.value);
    expect(byKey.get(a)!.rank).toBe(byKey.get(b)!.rank);
    const cHigher = byKey.get(c)!.value! > byKey.get(a)!.value!;
    expect([byKey.get(a)!.rank, byKey.get(c)!.rank]).toEqual(cHigher ? [2, 1] : [1, 3]);
    expect(byKey.get(c)!.of).toBe(3);

    const put = await server.api("/api/peer-groups/vung-thu", {
      method: "PUT",
      json: { label: { vi: "Vùng thử", en: "Test region" }, registry: "2025", members: [b, c] },
    });
    expect(put.status).toBe(200);
    const peers = await server.api(`/api/rounds/${tieRound}/results/ranking?level=village&peers=vung-thu`);
    const peerRows = new Map((peers.body.rows as RankingRow[]).map((r) => [r.unit.key, r]));
    expect(peers.body.peers).toMatchObject({ id: "vung-thu", members: 2 });
    expect(peerRows.get(a)!.peerRank).toBeUndefined();
    expect(peerRows.get(b)).toMatchObject({ peerRank: cHigher ? 2 : 1, peerOf: 2 });
    expect(peerRows.get(c)).toMatchObject({ peerRank: cHigher ? 1 : 2, peerOf: 2 });
    const badPeers = await server.api("/api/peer-groups/vung-sai", {
      method: "PUT",
      json: { label: { vi: "Sai", en: "Wrong" }, registry: "2025", members: ["2025:nope"] },
    });
    expect(badPeers.status).toBe(422);
    expect(badPeers.body.error.errors[0].question).toBe("members.0");
    expect((await server.api(`/api/rounds/${tieRound}/results/ranking?level=village&peers=none`)).status).toBe(400);
  });

  it.skipIf(skip)("PAPI (points, sums): totals, commune rows and quartile performance groups", async () => {
    const papi = (await latestEdition(server.ctx.db.kysely, "papi-2022"))!;
    const papiRound = await server.createRound("papi-2022", { minCellSize: 3 });
    await submitAll(server, papiRound, randomSubmissions(papi.instrument, villages, ["citizen"], 120, 303));
    const stored = await storedResponses(server, papiRound);
    const res = await server.api(`/api/rounds/${papiRound}/results?by=commune`);
    expect(res.body.display).toBe("points");
    expect(res.body.root.max).toBe(80);
    expectSameTree(res.body.root, scoreResponses(papi.index!, papi.instrument, stored).root);
    expect(res.body.root.value).toBeCloseTo(res.body.root.points, 12);
    for (const row of res.body.rows as BreakdownRow[]) {
      const subset = stored.filter((r) => ancestor(r.unit, "commune") === row.unit!.key);
      if (subset.length >= 3) expectSameTree(row.root, scoreResponses(papi.index!, papi.instrument, subset).root);
      else expectSuppressed(row.root);
    }
    const ranking = await server.api(`/api/rounds/${papiRound}/results/ranking?level=commune&node=D3`);
    expect(ranking.body.node).toMatchObject({ code: "D3", max: 10 });
    expect(ranking.body.performanceGroups.labels.map((l: { vi: string }) => l.vi)).toEqual([
      "Nhóm cao nhất",
      "Nhóm trung bình cao",
      "Nhóm trung bình thấp",
      "Nhóm thấp nhất",
    ]);
    const rows = ranking.body.rows as RankingRow[];
    const expected = performanceGroups(
      rows.map((r) => r.value),
      4,
    ).groups;
    rows.forEach((r, i) => expect(r.performanceGroup?.index ?? null).toBe(expected[i]));
    expect(new Set(rows.filter((r) => r.performanceGroup).map((r) => r.performanceGroup!.index))).toEqual(new Set([0, 1, 2, 3]));
    // Rows come ranked: values never increase down the list.
    const valued = rows.filter((r) => r.value !== null).map((r) => r.value!);
    expect(valued).toEqual([...valued].sort((x, y) => y - x));
  });

  it.skipIf(skip)("leader survey: by agency and by respondent group", async () => {
    const leaders = (await latestEdition(server.ctx.db.kysely, "par-leaders-2022"))!;
    const agencies = demoUnits(server.ctx, "agency");
    const leadersRound = await server.createRound("par-leaders-2022");
    await submitAll(server, leadersRound, randomSubmissions(leaders.instrument, agencies, ["hdnd", "so", "phong", "huyen"], 90, 404));
    const stored = await storedResponses(server, leadersRound);
    const byAgency = await server.api(`/api/rounds/${leadersRound}/results?by=agency`);
    for (const row of byAgency.body.rows as BreakdownRow[]) {
      const subset = stored.filter((r) => r.unit === row.unit!.key);
      if (subset.length >= 5) expectSameTree(row.root, scoreResponses(leaders.index!, leaders.instrument, subset).root);
    }
    const byGroup = await server.api(`/api/rounds/${leadersRound}/results?by=group`);
    expect((byGroup.body.rows as BreakdownRow[]).map((r) => r.group)).toEqual(["hdnd", "so", "phong", "huyen"]);
    for (const row of byGroup.body.rows as BreakdownRow[]) {
      const subset = stored.filter((r) => r.group === row.group);
      expectSameTree(row.root, scoreResponses(leaders.index!, leaders.instrument, subset, { group: row.group }).root);
    }
    expect(byGroup.body.root.max).toBe(22);
  });

  it.skipIf(skip)("weakest criteria: nodes of a level ordered by distance to the maximum", async () => {
    const res = await server.api(`/api/rounds/${round}/results/weakest?limit=40`);
    expect(res.status).toBe(200);
    expect(res.body.level).toBe("item");
    const rows = res.body.rows as Array<{ code: string; value: number; gapToMax: number }>;
    expect(rows).toHaveLength(33);
    const engine = score(responses);
    for (const r of rows) expect(r.gapToMax).toBeCloseTo(100 - engine.nodes.get(r.code)!.percent!, 9);
    expect(rows.map((r) => r.gapToMax)).toEqual([...rows.map((r) => r.gapToMax)].sort((x, y) => y - x));
    const components = await server.api(`/api/rounds/${round}/results/weakest?level=component&limit=3`);
    expect(components.body.rows).toHaveLength(3);
    expect((await server.api(`/api/rounds/${round}/results/weakest?level=nope`)).status).toBe(400);
  });

  it.skipIf(skip)("progress: responses by unit, group, day and channel against sample targets", async () => {
    const { setTargets } = await import("../../server/rounds/repository.js");
    const communes = [...new Set(villages.slice(0, 4).map((v) => ancestor(v, "commune")!))];
    await setTargets(
      server.ctx.db.kysely,
      round,
      communes.map((c) => ({ unitKey: c, group: "citizen", target: 30 })),
    );
    const res = await server.api(`/api/rounds/${round}/progress`);
    expect(res.status).toBe(200);
    expect(res.body.level).toBe("commune");
    expect(res.body.total).toEqual({ responses: 280, target: 30 * communes.length });
    expect(res.body.byUnit).toHaveLength(demoUnits(server.ctx, "commune").length);
    const first = res.body.byUnit.find((u: { unit: { key: string } }) => u.unit.key === communes[0]);
    expect(first).toMatchObject({ target: 30, responses: responses.filter((r) => ancestor(r.unit, "commune") === communes[0]).length });
    expect(res.body.byGroup.map((g: { group: string; responses: number }) => [g.group, g.responses])).toEqual([
      ["citizen", responses.filter((r) => r.group === "citizen").length],
      ["organisation", responses.filter((r) => r.group === "organisation").length],
    ]);
    expect(res.body.byDay.reduce((s: number, d: { responses: number }) => s + d.responses, 0)).toBe(280);
    expect(res.body.byChannel).toEqual([{ channel: "enumerator", responses: 280 }]);
    expect((await server.api(`/api/rounds/${round}/progress?level=village`)).body.byUnit).toHaveLength(villages.length);
    expect((await server.api(`/api/rounds/${round}/progress?level=street`)).status).toBe(400);
  });

  describe("refuses bad parameters with a 4xx in Vietnamese and English", () => {
    const cases: Array<[string, () => string, number]> = [
      ["unknown round", () => `/api/rounds/nope/results`, 404],
      ["unknown unit", () => `/api/rounds/${round}/results?unit=2025:nope`, 404],
      ["unit of another registry", () => `/api/rounds/${round}/results?unit=pre2025:46`, 400],
      ["group not in the round", () => `/api/rounds/${round}/results?group=hdnd`, 400],
      ["unknown variant", () => `/api/rounds/${round}/results?variant=nope`, 400],
      ["unknown level", () => `/api/rounds/${round}/results?by=street`, 400],
      ["level above the filter unit", () => `/api/rounds/${round}/results?unit=2025:46&by=province`, 400],
      ["level missing from the registry", () => `/api/rounds/${round}/results?by=district`, 400],
      ["unknown registry", () => `/api/rounds/${round}/results?asOf=1999`, 400],
      ["unknown comparison round", () => `/api/rounds/${round}/results?compare=nope`, 400],
      ["comparison with itself", () => `/api/rounds/${round}/results?compare=${round}`, 400],
      ["ranking without level", () => `/api/rounds/${round}/results/ranking`, 400],
      ["ranking of groups (not units)", () => `/api/rounds/${round}/results/ranking?level=group`, 400],
      ["ranking of an unknown node", () => `/api/rounds/${round}/results/ranking?level=commune&node=ZZ`, 400],
      ["weakest against nonsense", () => `/api/rounds/${round}/results/weakest?against=moon`, 400],
    ];
    it.skipIf(skip).each(cases)("%s", async (_name, url, status) => {
      const res = await server.api(url());
      expect(res.status).toBe(status);
      expect(res.body.error.message_vi).toBeTruthy();
      expect(res.body.error.message_en).toBeTruthy();
    });
  });

  it.skipIf(skip)("rows, partial and unmapped responses add up to the round: nothing counted twice", async () => {
    for (const by of ["province", "commune"]) {
      const res = await server.api(`/api/rounds/${round}/results?asOf=pre2025&by=${by}`);
      expect(res.status).toBe(200);
      const body = res.body as ResultsResponse;
      const inRows = body.rows!.reduce((s, r) => s + r.responses, 0);
      const partial = body.mapping.partial.reduce((s, p) => s + p.responses, 0);
      const unmapped = body.mapping.unmapped.reduce((s, p) => s + p.responses, 0);
      expect(inRows + partial + unmapped, by).toBe(280);
      if (by === "province") {
        // Huế is the same province in both registries (one-to-one): all responses, exactly.
        expect(body.rows!.map((r) => r.unit!.key)).toEqual(["pre2025:46"]);
        expectSameTree(body.rows![0]!.root, score(responses).root);
      }
    }
    const nodes = nodeMap((await server.api(`/api/rounds/${round}/results?asOf=pre2025&unit=pre2025:46`)).body.root as ResultsResponse["root"]);
    expect(nodes.get("SIPAS")!.value).toBeCloseTo(score(responses).root.percent!, 9);
  });
});
