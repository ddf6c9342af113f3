/**
 * Standard errors in the results API, over real HTTP on SQLite and PostgreSQL: every node of the
 * total, of each breakdown row and of each derived score equals the pure core (shared/statistics,
 * itself equal to R's survey package on the fixtures) applied to the stored responses under the
 * round's design; dropping the strata changes the SE; an unweighted simple random sample gives
 * the binomial SE with deff 1; designs are validated with 422s naming the field, in vi and en.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { ensureDemoRounds } from "../../server/demo/seed.js";
import { scoreResponses, leafScoreTables } from "../../shared/scoring/index.js";
import {
  momentsFromRespondents,
  nodeGradients,
  sumsFromRespondents,
  treeStatistics,
  varianceDesignFromSample,
  type NodeStatistics,
  type ScoredRespondent,
} from "../../shared/statistics/index.js";
import { nodeMap } from "../../shared/results/tree.js";
import type { IndexDefinition } from "../../shared/index-model/schema.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import type { ResultNode, ResultsResponse } from "../../shared/results/types.js";
import type { SamplingDesignInput } from "../../shared/api/design.js";
import { randomSubmissions, storedResponses, submitAll, type Stored } from "./fixtures.js";

const close = (actual: number | null | undefined, expected: number, label: string) => {
  expect(actual, label).not.toBeNull();
  expect(actual, label).toBeDefined();
  expect(Math.abs(actual! - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
};

describe.each(DIALECTS)("uncertainty in the results API on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let sipas: { instrument: Instrument; index: IndexDefinition };
  let round: string;
  let responses: Stored[];

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    await server.authenticate("admin");
    const edition = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!;
    sipas = { instrument: edition.instrument, index: edition.index! };
    round = await server.createRound("sipas-2022");
    // 24 villages in 12 communes (two per commune: 12 strata of 2 PSUs), unequal weights.
    const villages = demoUnits(server.ctx, "village").slice(0, 24);
    await submitAll(server, round, randomSubmissions(sipas.instrument, villages, ["citizen", "organisation"], 400, 313, { weights: true }));
    responses = await storedResponses(server, round);
  }, 120_000);
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const commune = (unit: string) => server.ctx.units.ancestorAt(unit, "commune")!.key;
  const putDesign = (design: SamplingDesignInput | Record<string, unknown>, id = round) =>
    server.api(`/api/rounds/${id}/design`, { method: "PUT", json: design });

  /** The pure core on the stored responses: the domain's respondents, the design from all of them. */
  function reference(domain: Stored[], group: string | null, strata: boolean, lonelyPsu: "fail" | "adjust" = "fail", round: Stored[] = responses) {
    const result = scoreResponses(sipas.index, sipas.instrument, domain, { group });
    const leaves = nodeGradients(sipas.index, result).leaves;
    const tables = leafScoreTables(sipas.index, sipas.instrument);
    const scored = (r: Stored): ScoredRespondent => ({
      stratum: strata ? commune(r.unit) : "",
      psu: r.unit,
      weight: r.weight ?? 1,
      scores: leaves.map((code) => {
        const t = tables.get(code)!;
        const a = r.answers[t.question];
        return typeof a === "string" ? (t.scores.get(a) ?? null) : null;
      }),
    });
    const design = varianceDesignFromSample(round.map(scored), { lonelyPsu });
    const sample = domain.map(scored);
    const stats = treeStatistics(
      sipas.index,
      result,
      sumsFromRespondents(sample, leaves.length),
      design,
      { deff: "replace" },
      momentsFromRespondents(sample, leaves.length),
    );
    return { result, stats: new Map(stats.map((s) => [`${s.of}:${s.code}`, s])) };
  }

  /** Every node of an API tree carries the core's estimate, SE, interval, deff, nEff and n. */
  function expectSameStatistics(root: ResultNode, derived: ResultsResponse["derived"], ref: ReturnType<typeof reference>) {
    let checked = 0;
    for (const node of nodeMap(root).values()) {
      const s = ref.stats.get(`percent:${node.code}`) as NodeStatistics;
      expect(s, node.code).toBeDefined();
      close(node.percent, s.estimate, `${node.code} estimate`);
      close(node.se, s.se, `${node.code} se`);
      close(node.ci!.lo, s.ci!.lo, `${node.code} ci.lo`);
      close(node.ci!.hi, s.ci!.hi, `${node.code} ci.hi`);
      expect(node.ci!.method, node.code).toBe(s.ci!.method);
      expect(node.df, node.code).toBe(s.ci!.df);
      expect(node.n, node.code).toBe(s.n);
      if (s.deff === null) expect(node.deff, node.code).toBeNull();
      else close(node.deff, s.deff, `${node.code} deff`);
      if (s.nEff === null) expect(node.nEff, node.code).toBeNull();
      // Capped at n, as the NCHS standard does (a design effect below 1 is not credited).
      else close(node.nEff, Math.min(s.nEff, s.n), `${node.code} nEff`);
      close(node.nEffKish, s.nEffKish, `${node.code} nEffKish`);
      expect(typeof node.unreliable).toBe("boolean");
      checked++;
    }
    for (const d of derived) {
      const s = ref.stats.get(`derived:${d.code}`)!;
      close(d.value, s.estimate, `${d.code} value`);
      close(d.se, s.se, `${d.code} se`);
      close(d.ci!.hi, s.ci!.hi, `${d.code} ci.hi`);
    }
    return checked;
  }

  it.skipIf(skip)("a stratified two-stage design: every node of the whole round equals the core", async () => {
    const saved = await putDesign({ psuLevel: "village", strataLevel: "commune", lonelyPsu: "fail" });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ declared: true, sample: { strata: 12, psus: 24, lonelyStrata: [] } });
    const res = await server.api(`/api/rounds/${round}/results`);
    expect(res.status).toBe(200);
    const body = res.body as ResultsResponse;
    const ref = reference(responses, null, true);
    expect(expectSameStatistics(body.root, body.derived, ref)).toBeGreaterThan(40);
    // n is respondents at inner nodes (not a sum of item answers), valid answers at leaves.
    expect(body.root.n).toBe(responses.length);
    expect(body.root.valid).toBeGreaterThan(responses.length);
    const leaf = nodeMap(body.root).get(ref.result.root.children![0]!.children?.[0]?.children?.[0]?.code ?? "")!;
    if (leaf && !leaf.children) expect(leaf.n).toBe(leaf.valid);
    // Share items get Korn–Graubard, composites a t interval.
    const methods = new Set([...nodeMap(body.root).values()].map((n) => n.ci?.method));
    expect(methods).toEqual(new Set(["korn-graubard", "t"]));
    // Composites have a design effect too (cross moments read from the stored answers of a small round).
    expect(body.root.deff).toBeGreaterThan(0);
    expect(body.root.nEff).toBeCloseTo(body.root.n! / body.root.deff!, 9);
  });

  it.skipIf(skip)("breakdowns by commune and by group: every row equals the core on its respondents", async () => {
    expect((await putDesign({ psuLevel: "village", strataLevel: "commune" })).status).toBe(200);
    const byGroup = (await server.api(`/api/rounds/${round}/results?by=group`)).body as ResultsResponse;
    for (const row of byGroup.rows!) {
      const ref = reference(
        responses.filter((r) => r.group === row.group),
        row.group,
        true,
      );
      expectSameStatistics(row.root, row.derived, ref);
    }
    const citizen = (await server.api(`/api/rounds/${round}/results?group=citizen&by=commune`)).body as ResultsResponse;
    expectSameStatistics(
      citizen.root,
      citizen.derived,
      reference(
        responses.filter((r) => r.group === "citizen"),
        "citizen",
        true,
      ),
    );
    let rows = 0;
    for (const row of citizen.rows!) {
      if (row.suppressed) {
        expect(row.root.se, row.unit!.key).toBeUndefined();
        continue;
      }
      const subset = responses.filter((r) => r.group === "citizen" && commune(r.unit) === row.unit!.key);
      expectSameStatistics(row.root, row.derived, reference(subset, "citizen", true));
      rows++;
    }
    expect(rows).toBeGreaterThan(5);
  });

  it.skipIf(skip)("dropping the strata changes the SE (and equals the core without strata)", async () => {
    expect((await putDesign({ psuLevel: "village", strataLevel: "commune" })).status).toBe(200);
    const stratified = ((await server.api(`/api/rounds/${round}/results`)).body as ResultsResponse).root;
    expect((await putDesign({ psuLevel: "village", strataLevel: null })).status).toBe(200);
    const body = (await server.api(`/api/rounds/${round}/results`)).body as ResultsResponse;
    expect(body.root.percent).toBeCloseTo(stratified.percent!, 12);
    expect(Math.abs(body.root.se! - stratified.se!)).toBeGreaterThan(1e-6);
    expect(body.root.df).toBe(23);
    expect(stratified.df).toBe(12);
    expectSameStatistics(body.root, body.derived, reference(responses, null, false));
  });

  it.skipIf(skip)("new responses change the statistics at once (kept sums are dropped when a cell's totals change)", async () => {
    const growing = await server.createRound("sipas-2022");
    const villages = demoUnits(server.ctx, "village").slice(0, 12);
    await submitAll(server, growing, randomSubmissions(sipas.instrument, villages, ["citizen"], 120, 51, { weights: true }));
    expect((await putDesign({ psuLevel: "village", strataLevel: "commune", lonelyPsu: "adjust" }, growing)).status).toBe(200);
    const first = ((await server.api(`/api/rounds/${growing}/results`)).body as ResultsResponse).root;
    const firstRows = ((await server.api(`/api/rounds/${growing}/results?by=commune`)).body as ResultsResponse).rows!;
    // More answers in two villages only: their cells are read again, the others are kept.
    await submitAll(server, growing, randomSubmissions(sipas.instrument, villages.slice(0, 2), ["citizen"], 40, 52, { weights: true }));
    const body = (await server.api(`/api/rounds/${growing}/results`)).body as ResultsResponse;
    expect(body.root.n).toBe(160);
    expect(body.root.se).not.toBe(first.se);
    const all = await storedResponses(server, growing);
    expectSameStatistics(body.root, body.derived, reference(all, null, true, "adjust", all));
    // A breakdown adds the kept tallies of each cell: the rows of the grown communes change, and every
    // row equals the core on its respondents.
    const rows = ((await server.api(`/api/rounds/${growing}/results?by=commune`)).body as ResultsResponse).rows!;
    const grown = new Set(villages.slice(0, 2).map(commune));
    for (const row of rows) {
      const before = firstRows.find((r) => r.unit!.key === row.unit!.key)!;
      if (grown.has(row.unit!.key)) expect(row.responses).toBeGreaterThan(before.responses);
      else expect(row.root.percent).toBe(before.root.percent);
      if (row.suppressed) continue;
      const subset = all.filter((r) => commune(r.unit) === row.unit!.key);
      expectSameStatistics(row.root, row.derived, reference(subset, null, true, "adjust", all));
    }
  });

  it.skipIf(skip)("an unweighted simple random sample: the binomial SE √(p(1−p)/(n−1)) and deff 1", async () => {
    const srs = await server.createRound("sipas-2022");
    // One respondent per village, no weights: each PSU is one element.
    const villages = demoUnits(server.ctx, "village").slice(0, 60);
    const tables = leafScoreTables(sipas.index, sipas.instrument);
    const subs = villages.flatMap((v, i) => randomSubmissions(sipas.instrument, [v], ["citizen"], 1, 900 + i));
    // Half the respondents answer every scored question on the scale (no "không biết"), so that some items have n = N.
    subs.forEach((sub, i) => {
      if (i % 2) return;
      const answers = (sub as { answers: Record<string, unknown> }).answers;
      for (const t of tables.values()) {
        const a = answers[t.question];
        if (typeof a === "string" && !t.scores.has(a)) answers[t.question] = [...t.scores.keys()][0]!;
      }
    });
    await submitAll(server, srs, subs);
    expect((await putDesign({ psuLevel: "village", strataLevel: null }, srs)).status).toBe(200);
    const body = (await server.api(`/api/rounds/${srs}/results`)).body as ResultsResponse;
    let complete = 0;
    let partial = 0;
    const N = 60;
    for (const node of nodeMap(body.root).values()) {
      if (node.children || node.ci?.method !== "korn-graubard" || node.n! < 2) continue;
      const p = node.percent! / 100;
      const n = node.n!;
      if (p === 0 || p === 1) continue;
      if (n === N) {
        // Everyone answered on the scale: the binomial SE with the n − 1 sample variance, deff 1.
        close(node.se! / 100, Math.sqrt((p * (1 - p)) / (n - 1)), `${node.code} se`);
        close(node.deff, 1, `${node.code} deff`);
        close(node.nEff, n, `${node.code} nEff`);
        complete++;
      } else {
        // Some answered "không biết": a ratio over the respondents who did, the others' PSUs count as zeros (as R).
        close(node.se! / 100, Math.sqrt(((N / (N - 1)) * p * (1 - p)) / n), `${node.code} se`);
        close(node.deff, (N * (n - 1)) / ((N - 1) * n), `${node.code} deff`);
        partial++;
      }
    }
    expect(complete).toBeGreaterThan(3);
    expect(partial + complete).toBeGreaterThan(10);
  });

  it.skipIf(skip)("flags unreliable values by the design's thresholds, which are configurable", async () => {
    expect((await putDesign({ psuLevel: "village", strataLevel: "commune" })).status).toBe(200);
    const byVillage = (await server.api(`/api/rounds/${round}/results?by=village&group=organisation`)).body as ResultsResponse;
    const shown = byVillage.rows!.filter((r) => !r.suppressed);
    expect(shown.length).toBeGreaterThan(0);
    // A village is one PSU: no design df inside it, so every value is flagged.
    for (const row of shown) {
      expect(row.root.unreliable, row.unit!.key).toBe(true);
      expect(row.root.reasons!.length).toBeGreaterThan(0);
    }
    const flags = (root: ResultNode) => [...nodeMap(root).values()].filter((n) => n.unreliable).length;
    const strict = ((await server.api(`/api/rounds/${round}/results?group=organisation`)).body as ResultsResponse).root;
    expect(
      (await putDesign({ psuLevel: "village", strataLevel: "commune", reliability: { minEffectiveN: 0, maxWidth: 100, maxRelativeWidth: 100, minDf: 0 } }))
        .status,
    ).toBe(200);
    const lax = ((await server.api(`/api/rounds/${round}/results?group=organisation`)).body as ResultsResponse).root;
    expect(flags(strict)).toBeGreaterThan(flags(lax));
    expect(flags(lax)).toBe(0);
    expect(lax.se).toBeCloseTo(strict.se!, 12);
  });

  it.skipIf(skip)("a stratum with one PSU: refused under fail (naming the stratum), accepted with a warning otherwise", async () => {
    const lonely = await server.createRound("sipas-2022");
    const villages = demoUnits(server.ctx, "village");
    // Both villages of the first commune, one village of the second.
    await submitAll(server, lonely, randomSubmissions(sipas.instrument, [villages[0]!, villages[1]!, villages[2]!], ["citizen"], 30, 77));
    const stored = await storedResponses(server, lonely);
    const oneVillage = [...new Set(stored.map((r) => r.unit))].filter((u) => commune(u) === commune(villages[2]!));
    expect(oneVillage).toHaveLength(1);
    const refused = await putDesign({ psuLevel: "village", strataLevel: "commune", lonelyPsu: "fail" }, lonely);
    expect(refused.status).toBe(422);
    const error = refused.body.error.errors.find((e: { question: string }) => e.question === "lonelyPsu");
    expect(error.message_vi).toContain(commune(villages[2]!));
    expect(error.message_vi).toMatch(/tầng/);
    expect(error.message_en).toContain("stratum");
    const adjusted = await putDesign({ psuLevel: "village", strataLevel: "commune", lonelyPsu: "adjust" }, lonely);
    expect(adjusted.status).toBe(200);
    expect(adjusted.body.sample.lonelyStrata).toEqual([commune(villages[2]!)]);
    expect(adjusted.body.warnings.map((w: { code: string }) => w.code)).toContain("lonely_psu");
    const body = (await server.api(`/api/rounds/${lonely}/results`)).body as ResultsResponse;
    expect(body.root.se).toBeGreaterThan(0);
    // Without a declared design (default rule "fail") a single PSU has no SE, and says so.
    const single = await server.createRound("sipas-2022");
    await submitAll(server, single, randomSubmissions(sipas.instrument, [villages[5]!], ["citizen"], 8, 78));
    const none = (await server.api(`/api/rounds/${single}/results`)).body as ResultsResponse;
    expect(none.root).toMatchObject({ se: null, ci: null, unreliable: true, reasons: ["no_variance"], n: 8 });
  });

  it.skipIf(skip).each([
    [{ psuLevel: "village", strataLevel: "district" }, "strataLevel"],
    [{ psuLevel: "agency" }, "psuLevel"],
    [{ psuLevel: "commune", strataLevel: "village" }, "strataLevel"],
    [{ psuLevel: "village", strataLevel: "commune", lonelyPsu: "sometimes" }, "lonelyPsu"],
    [{ psuLevel: "village", weights: { kind: "raked" } }, "weights.kind"],
    [{ psuLevel: "village", colour: "blue" }, "design"],
    [{ psuLevel: "village", strataLevel: null, fpc: { "": 3 } }, "fpc."],
    [{ psuLevel: "village", reliability: { minEffectiveN: -1 } }, "reliability.minEffectiveN"],
  ] as const)("refuses design %j with a 422 naming %s, in vi and en", async (design, field) => {
    const res = await putDesign(design as Record<string, unknown>);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    const errors = res.body.error.errors as Array<{ question: string; message_vi: string; message_en: string }>;
    const hit = errors.find((e) => e.question === field || e.question.startsWith(field));
    expect(hit, JSON.stringify(errors)).toBeDefined();
    expect(hit!.message_vi.normalize("NFC")).toBe(hit!.message_vi);
    expect(hit!.message_vi).not.toBe(hit!.message_en);
  });

  it.skipIf(skip || dialect === "postgres")(
    "the demo rounds declare two-stage designs, and their scores carry intervals",
    async () => {
      const demo = await startTestServer(dialect);
      try {
        await demo.authenticate("admin");
        await ensureDemoRounds(demo.ctx, 120);
        const sipasDesign = await demo.api("/api/rounds/sipas-2022-demo/design");
        expect(sipasDesign.body).toMatchObject({ declared: true, design: { psuLevel: "village", strataLevel: "commune", lonelyPsu: "adjust" } });
        const papiDesign = await demo.api("/api/rounds/papi-2022-demo/design");
        expect(papiDesign.body).toMatchObject({ declared: true, design: { psuLevel: "commune", strataLevel: null } });
        for (const id of ["sipas-2022-demo", "papi-2022-demo"]) {
          const body = (await demo.api(`/api/rounds/${id}/results`)).body as ResultsResponse;
          expect(body.root.se, id).toBeGreaterThan(0);
          expect(body.root.ci!.lo).toBeLessThan(body.root.value!);
          expect(body.root.ci!.hi).toBeGreaterThan(body.root.value!);
          expect(body.root.deff).toBeGreaterThan(0);
        }
      } finally {
        await demo.close();
      }
    },
    120_000,
  );

  it.skipIf(skip)("only administrators declare or read a design", async () => {
    const analyst = await server.createUser("analyst");
    const headers = await server.signIn(analyst.username, analyst.password);
    expect((await server.api(`/api/rounds/${round}/design`, { headers })).status).toBe(403);
    expect((await server.api(`/api/rounds/${round}/design`, { method: "PUT", json: { psuLevel: "village" }, headers })).status).toBe(403);
    expect((await server.api(`/api/rounds/no-such-round/design`)).status).toBe(404);
  });
});
