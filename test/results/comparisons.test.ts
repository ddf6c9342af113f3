/**
 * Comparisons that say whether they are real, through the results API on SQLite and PostgreSQL:
 * the year-on-year change at every node with its SE (independent samples), Satterthwaite interval
 * and significance; each row's range of ranks consistent with the intervals; targets met, not met
 * or cannot tell at 95%.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { independentDifference, rankIntervals } from "../../shared/statistics/index.js";
import { nodeMap } from "../../shared/results/tree.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import type { RankingResponse, ResultsResponse } from "../../shared/results/types.js";
import { randomSubmissions, submitAll } from "./fixtures.js";

describe.each(DIALECTS)("comparisons with uncertainty on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let instrument: Instrument;
  let earlier: string;
  let later: string;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    await server.authenticate("admin");
    instrument = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    const villages = demoUnits(server.ctx, "village").slice(0, 40);
    earlier = await server.createRound("sipas-2022");
    later = await server.createRound("sipas-2022");
    for (const [round, seed] of [
      [earlier, 11],
      [later, 12],
    ] as const) {
      await submitAll(server, round, randomSubmissions(instrument, villages, ["citizen"], 300, seed, { weights: true }));
      const res = await server.api(`/api/rounds/${round}/design`, {
        method: "PUT",
        json: { psuLevel: "village", strataLevel: "commune", lonelyPsu: "adjust" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("year on year: every node's change has SE √(SE₁² + SE₂²), a Satterthwaite interval and a significance flag", async () => {
    const before = ((await server.api(`/api/rounds/${earlier}/results`)).body as ResultsResponse).root;
    const now = ((await server.api(`/api/rounds/${later}/results?compare=${earlier}`)).body as ResultsResponse).root;
    const earlierNodes = nodeMap(before);
    let checked = 0;
    for (const node of nodeMap(now).values()) {
      const b = earlierNodes.get(node.counterpart!)!;
      const expected = independentDifference({ estimate: b.value!, se: b.se!, df: b.df! }, { estimate: node.value!, se: node.se!, df: node.df! });
      expect(node.change, node.code).toBeTruthy();
      expect(node.change!.difference).toBeCloseTo(node.delta!.value!, 12);
      expect(node.change!.se).toBeCloseTo(Math.sqrt(b.se! ** 2 + node.se! ** 2), 12);
      expect(node.change!.df).toBeCloseTo(expected.df, 9);
      expect(node.change!.ci.lo).toBeCloseTo(expected.ci.lo, 9);
      expect(node.change!.ci.hi).toBeCloseTo(expected.ci.hi, 9);
      expect(node.change!.significant).toBe(node.change!.ci.lo > 0 || node.change!.ci.hi < 0);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
    // Without a comparison there is no change.
    const plain = ((await server.api(`/api/rounds/${later}/results`)).body as ResultsResponse).root;
    expect(plain.change).toBeUndefined();
  });

  it.skipIf(skip)("rank ranges: every row's range holds its rank and equals the intervals' non-overlap", async () => {
    const body = (await server.api(`/api/rounds/${later}/results?by=commune`)).body as ResultsResponse;
    const rows = body.rows!.filter((r) => !r.suppressed);
    expect(rows.length).toBeGreaterThan(10);
    let wide = 0;
    for (const code of nodeMap(rows[0]!.root).keys()) {
      const nodes = rows.map((r) => nodeMap(r.root).get(code)!).filter((n) => n.value !== null);
      const expected = rankIntervals(nodes.map((n, i) => ({ key: String(i), estimate: n.value!, lo: n.ci?.lo ?? -Infinity, hi: n.ci?.hi ?? Infinity })));
      nodes.forEach((n, i) => {
        expect(n.rankRange, code).toEqual({ best: expected[i]!.best, worst: expected[i]!.worst });
        expect(n.rankRange!.best).toBeLessThanOrEqual(n.rank!);
        expect(n.rankRange!.worst).toBeGreaterThanOrEqual(n.rank!);
        if (n.rankRange!.worst - n.rankRange!.best > 2) wide++;
      });
    }
    // With about 15 respondents per commune, ranks are far from certain.
    expect(wide).toBeGreaterThan(0);
    const ranking = (await server.api(`/api/rounds/${later}/results/ranking?level=commune`)).body as RankingResponse;
    const root = new Map(rows.map((r) => [r.unit!.key, r.root]));
    for (const row of ranking.rows.filter((r) => !r.suppressed)) {
      expect(row.rankRange).toEqual(root.get(row.unit.key)!.rankRange);
      expect(row.ci).toEqual(root.get(row.unit.key)!.ci);
    }
  });

  it.skipIf(skip)("targets are met, not met or cannot tell at 95%", async () => {
    const now = ((await server.api(`/api/rounds/${later}/results`)).body as ResultsResponse).root;
    const [a, b] = now.children!;
    const targets = [
      { kind: "value", node: now.code, value: Math.floor(now.ci!.lo - 1) },
      { kind: "value", node: a!.code, value: Math.ceil(a!.ci!.hi + 1) },
      { kind: "value", node: b!.code, value: Math.round(b!.value! * 100) / 100 },
    ];
    const put = await server.api(`/api/rounds/${later}/targets`, { method: "PUT", json: { targets } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const res = (await server.api(`/api/rounds/${later}/results`)).body as ResultsResponse;
    const nodes = nodeMap(res.root);
    expect(nodes.get(now.code)!.target!.status).toBe("met");
    expect(nodes.get(a!.code)!.target!.status).toBe("not-met");
    expect(nodes.get(b!.code)!.target!.status).toBe("cannot-tell");
  });
});
