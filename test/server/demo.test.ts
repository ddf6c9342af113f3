/**
 * The demo a newcomer sees on first start: for each index an open round and a closed one for the
 * year before, so that year on year, rank changes and "+10 points over last year" targets show at
 * once; the leader survey's two rounds are invitation-only. Real HTTP, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { ensureDemoRounds } from "../../server/demo/seed.js";
import { nodeMap } from "../../shared/results/tree.js";
import type { RankingResponse, ResultsResponse, TargetResult } from "../../shared/results/types.js";

describe("demo rounds", () => {
  let server: TestServer;
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    await server.authenticate("admin");
    // As many responses as the demo makes by default: enough for every commune to pass the minimum.
    await ensureDemoRounds(server.ctx, 300);
  }, 180_000);
  afterAll(async () => {
    await server.close();
  });

  it("each index has this year's open round and last year's closed one, clearly labelled demo", async () => {
    const rounds = (await server.api("/api/rounds")).body.rounds as Array<{
      id: string;
      status: string;
      title: { vi: string; en: string };
      periodStart: string | null;
      modes: string[];
    }>;
    for (const edition of ["sipas-2022", "papi-2022", "par-leaders-2022"]) {
      const current = rounds.find((r) => r.id === `${edition}-demo`)!;
      const previous = rounds.find((r) => r.id === `${edition}-demo-previous`)!;
      expect(current.status).toBe("open");
      expect(previous).toMatchObject({ status: "closed", periodStart: `${year - 1}-01-01` });
      expect(previous.title.vi).toContain(`đợt mẫu năm ${year - 1}`);
      expect(previous.title.en).toContain(`demo round, ${year - 1}`);
      if (edition === "par-leaders-2022") expect(previous.modes).toEqual(["invitation"]);
    }
  });

  it("year on year: SIPAS and PAPI change, and communes move in rank", async () => {
    for (const edition of ["sipas-2022", "papi-2022"]) {
      const compared = (await server.api(`/api/rounds/${edition}-demo/results?compare=${edition}-demo-previous`)).body as ResultsResponse;
      const root = compared.root as ResultsResponse["root"] & { previous?: { value: number | null } | null; delta?: { value: number | null } | null };
      expect(root.previous?.value, edition).not.toBeNull();
      expect(root.delta?.value, edition).not.toBeNull();
      // Last year's units were on the whole a little less satisfied.
      expect(root.delta!.value!, edition).toBeGreaterThan(0);
      const ranking = (await server.api(`/api/rounds/${edition}-demo/results/ranking?level=commune&compare=${edition}-demo-previous`)).body as RankingResponse;
      const moved = ranking.rows.filter((r) => r.delta?.rank !== null && r.delta?.rank !== undefined && r.delta.rank !== 0);
      expect(moved.length, `${edition}: communes whose rank changed`).toBeGreaterThan(0);
    }
  });

  it("the rule target '+10 points over last year' is evaluated on every sub-criterion", async () => {
    for (const [edition, level] of [
      ["sipas-2022", 2],
      ["papi-2022", 2],
    ] as const) {
      const view = (await server.api(`/api/rounds/${edition}-demo/targets`)).body as { evaluation: TargetResult[] };
      const rules = view.evaluation.filter((t) => t.kind === "rule");
      expect(rules.length, edition).toBeGreaterThan(3);
      const before = nodeMap(((await server.api(`/api/rounds/${edition}-demo-previous/results`)).body as ResultsResponse).root);
      for (const r of rules) {
        expect(r.node.split(".").length, r.node).toBe(level);
        expect(r.flags, r.node).not.toContain("no_base");
        expect(r.goal!, r.node).toBeCloseTo(before.get(r.node)!.percent! + 10, 9);
      }
    }
  });
});
