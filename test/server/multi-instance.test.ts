/**
 * Two server processes on one PostgreSQL database receive concurrent submissions, including
 * resends of the same UUIDs to both: exactly one stored response per UUID, and results (from
 * rollups) equal to recomputation from the stored raw responses. And a server process killed
 * (SIGKILL) while batches are in flight, on SQLite and on PostgreSQL: every response it
 * acknowledged is stored, each with all its counts, and no counts without their response.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable, createPreparedDatabase, type TestDatabase } from "../helpers/databases.js";
import { spawnServer, type ServerProcess } from "../helpers/process.js";
import { openContext, prepareDatabase } from "../../server/bootstrap.js";
import { REPO_ROOT } from "../../server/config.js";
import { ensureDemoUnits, DEMO_PROVINCE } from "../../server/demo/seed.js";
import { insertRound } from "../../server/rounds/repository.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { demoUnits, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { scoreResponses, type NodeResult } from "../../shared/scoring/index.js";
import type { AppContext } from "../../server/app-context.js";
import { createUser } from "../../server/accounts/repository.js";
import { expectStoredResponsesWhole } from "../helpers/stored-whole.js";

describe.skipIf(!postgresAvailable)("two servers on one PostgreSQL", () => {
  let database: TestDatabase;
  let ctx: AppContext;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createPreparedDatabase("postgres");
    ctx = await openContext({ databaseUrl: database.databaseUrl, sqlitePath: database.sqlitePath, clientDir: null, minCellSize: 1 });
    await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
    await ensureDemoUnits(ctx);
    const { instrument } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
    await insertRound(ctx.db.kysely, {
      id: "multi",
      title: { vi: "Hai máy chủ", en: "Two servers" },
      edition: instrument.id,
      version: instrument.version,
      status: "open",
      periodStart: null,
      periodEnd: null,
      registry: "2025",
      scope: [DEMO_PROVINCE],
      groups: ["citizen", "organisation"],
      modes: ["public"],
      minCellSize: 1,
    });
    const base = 5200 + Math.floor(Math.random() * 300);
    servers = await Promise.all([spawnServer({ DATABASE_URL: database.databaseUrl! }, base), spawnServer({ DATABASE_URL: database.databaseUrl! }, base + 1)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await ctx?.db.close();
    await database?.drop();
  });

  it("stores each UUID once and keeps rollups equal to recomputation", async () => {
    const { instrument, index } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
    const villages = demoUnits(ctx, "village").slice(0, 6);
    const rng = seededRng(77);
    const submissions = Array.from({ length: 120 }, (_, i) =>
      makeSubmission(instrument, villages[i % villages.length]!, i % 3 ? "citizen" : "organisation", rng),
    );
    // Every submission goes to both servers at once, and a third of them a second time.
    const sends = submissions.flatMap((s, i) => [servers[0]!, servers[1]!, ...(i % 3 === 0 ? [servers[i % 2]!] : [])].map((server) => ({ server, s })));
    for (let i = sends.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [sends[i], sends[j]] = [sends[j]!, sends[i]!];
    }
    const replies = await Promise.all(
      sends.map(async ({ server, s }) => {
        const res = await fetch(`${server.url}/api/rounds/multi/responses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(s),
        });
        return { id: s.id, status: res.status, body: (await res.json()) as { receipt: string } };
      }),
    );
    expect(replies.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    for (const s of submissions) {
      const mine = replies.filter((r) => r.id === s.id);
      expect(mine.filter((r) => r.status === 201)).toHaveLength(1);
      expect(new Set(mine.map((r) => r.body.receipt)).size).toBe(1);
    }

    const stored = await ctx.db.kysely.selectFrom("responses").select(["id", "payload_json", "weight"]).where("round_id", "=", "multi").execute();
    expect(stored).toHaveLength(submissions.length);
    const expected = scoreResponses(
      index!,
      instrument,
      stored.map((r) => ({ answers: JSON.parse(r.payload_json).answers, weight: r.weight })),
    );
    await createUser(ctx.db.kysely, { username: "phan-tich", displayName: "Phân tích", role: "analyst", password: "mat-khau-phan-tich" });
    const login = await fetch(`${servers[1]!.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "phan-tich", password: "mat-khau-phan-tich" }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const api = (await (await fetch(`${servers[1]!.url}/api/rounds/multi/results`, { headers: { cookie } })).json()) as { root: NodeResult; responses: number };
    expect(api.responses).toBe(submissions.length);
    const walk = (n: NodeResult, out: Map<string, NodeResult>) => (out.set(n.code, n), (n.children ?? []).forEach((c) => walk(c, out)), out);
    const got = walk(api.root, new Map());
    for (const [code, node] of expected.nodes) {
      if (node.percent === null) expect(got.get(code)!.percent).toBeNull();
      else expect(got.get(code)!.percent).toBeCloseTo(node.percent, 9);
    }
  }, 120_000);
});

describe.each(DIALECTS)("a server process killed mid-batch on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let database: TestDatabase;
  let ctx: AppContext;
  let victim: ServerProcess | undefined;

  beforeAll(async () => {
    if (skip) return;
    database = await createPreparedDatabase(dialect);
    ctx = await openContext({ databaseUrl: database.databaseUrl, sqlitePath: database.sqlitePath, clientDir: null, minCellSize: 1 });
    await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
    await ensureDemoUnits(ctx);
  }, 180_000);

  afterAll(async () => {
    if (skip) return;
    victim?.child.kill("SIGKILL");
    await ctx?.db.close();
    await database?.drop();
  });

  it.skipIf(skip)(
    "a server killed in the middle of batches loses nothing it acknowledged, and stores no response without its counts",
    async () => {
      const { instrument } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
      await insertRound(ctx.db.kysely, {
        id: "crash",
        title: { vi: "Máy chủ bị dừng", en: "Killed server" },
        edition: instrument.id,
        version: instrument.version,
        status: "open",
        periodStart: null,
        periodEnd: null,
        registry: "2025",
        scope: [DEMO_PROVINCE],
        groups: ["citizen", "organisation"],
        modes: ["public"],
        minCellSize: 1,
      });
      const env: Record<string, string> = database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : { CHISO_DB: database.sqlitePath };
      const server = (victim = await spawnServer(env, 5600 + Math.floor(Math.random() * 300)));
      const villages = demoUnits(ctx, "village").slice(0, 6);
      const rng = seededRng(78);
      const acknowledged = new Set<string>();
      let killed = false;
      let reachedTarget: () => void;
      const target = new Promise<void>((resolve) => (reachedTarget = resolve));
      // Sixteen senders keep batches in flight until the process is killed (SIGKILL: no shutdown).
      const senders = Array.from({ length: 16 }, async () => {
        while (!killed) {
          const s = makeSubmission(instrument, villages[rng.int(0, villages.length - 1)]!, "citizen", rng);
          try {
            const res = await fetch(`${server.url}/api/rounds/crash/responses`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(s),
            });
            if (res.status === 201) acknowledged.add(s.id);
            if (acknowledged.size >= 150) reachedTarget();
          } catch {
            // The connection died with the process: not acknowledged, stored or not.
          }
        }
      });
      await target;
      server.child.kill("SIGKILL");
      killed = true;
      await Promise.all(senders);
      await new Promise((resolve) => (server.child.exitCode !== null || server.child.signalCode !== null ? resolve(null) : server.child.once("exit", resolve)));

      const stored = await ctx.db.kysely
        .selectFrom("responses")
        .select(["id", "unit_key", "group_code", "payload_json"])
        .where("round_id", "=", "crash")
        .execute();
      const ids = new Set(stored.map((r) => r.id));
      for (const id of acknowledged) expect(ids.has(id), id).toBe(true);
      // Every stored response has its counts, and no counts exist without their response.
      await expectStoredResponsesWhole(ctx, instrument, "crash", stored);
    },
    120_000,
  );
});
