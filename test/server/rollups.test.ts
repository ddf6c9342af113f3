/**
 * Rollups are right: for random response sets submitted over HTTP, the results API (computed from
 * rollups) equals the scoring engine run on the raw responses read back from the database —
 * whole round, per unit and per group, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { scoreResponses, type NodeResult } from "../../shared/scoring/index.js";

function flatten(node: NodeResult, out = new Map<string, NodeResult>()): Map<string, NodeResult> {
  out.set(node.code, node);
  for (const c of node.children ?? []) flatten(c, out);
  return out;
}

describe.each(DIALECTS)("rollups on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    await server.authenticate("analyst");
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  for (const editionId of ["sipas-2022", "par-leaders-2022"]) {
    it.skipIf(skip)(`equal recomputation from raw responses for ${editionId}`, async () => {
      const instrument = await instrumentOf(server.ctx, editionId);
      const edition = (await latestEdition(server.ctx.db.kysely, editionId))!;
      const units = demoUnits(server.ctx, instrument.unitLevel).slice(0, 4);
      const groups = instrument.respondentGroups.map((g) => g.code);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 25 }), async (seed, count) => {
          const round = await server.createRound(editionId, { minCellSize: 1 });
          const rng = seededRng(seed);
          const sent = [];
          for (let i = 0; i < count; i++) {
            const s = makeSubmission(
              instrument,
              units[rng.int(0, units.length - 1)]!,
              rng.pick(groups),
              rng,
              rng.next() < 0.3 ? { weight: 0.5 + rng.next() * 2 } : {},
            );
            sent.push(s);
          }
          // Send concurrently, with some resends, to exercise the group commit.
          const replies = await Promise.all([...sent, ...sent.slice(0, 3)].map((s) => server.api(`/api/rounds/${round}/responses`, { json: s })));
          expect(replies.every((r) => r.status === 201 || r.status === 200)).toBe(true);

          const stored = await server.ctx.db.kysely
            .selectFrom("responses")
            .select(["payload_json", "unit_key", "group_code", "weight"])
            .where("round_id", "=", round)
            .execute();
          expect(stored).toHaveLength(count);
          const raw = stored.map((r) => ({ answers: JSON.parse(r.payload_json).answers, weight: r.weight, unit: r.unit_key, group: r.group_code }));

          const cells: Array<{ query: string; subset: typeof raw; group?: string }> = [
            { query: "", subset: raw },
            { query: `?unit=${units[0]}`, subset: raw.filter((r) => r.unit === units[0]) },
            { query: `?group=${groups[0]}`, subset: raw.filter((r) => r.group === groups[0]), group: groups[0]! },
          ];
          for (const cell of cells) {
            const api = await server.api(`/api/rounds/${round}/results${cell.query}`);
            expect(api.status).toBe(200);
            expect(api.body.responses).toBe(cell.subset.length);
            if (cell.subset.length === 0) continue;
            const expected = scoreResponses(edition.index!, instrument, cell.subset, cell.group ? { group: cell.group } : {});
            const got = flatten(api.body.root);
            for (const [code, node] of expected.nodes) {
              const other = got.get(code)!;
              expect(other, code).toBeDefined();
              for (const key of ["percent", "points"] as const) {
                if (node[key] === null) expect(other[key], `${code} ${key}`).toBeNull();
                else expect(other[key], `${code} ${key}`).toBeCloseTo(node[key]!, 9);
              }
              expect(other.valid).toBe(node.valid);
            }
          }
        }),
        { numRuns: 4 },
      );
    });
  }
});
