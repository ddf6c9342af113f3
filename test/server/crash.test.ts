/**
 * kill -9 in the middle of writes, on SQLite and on PostgreSQL: a real `chiso serve` process takes
 * concurrent public submissions and anonymous invitation answers, is killed with SIGKILL while
 * requests are in flight, restarts on the same database, and everything is sent again. Every
 * response that was acknowledged before the kill is stored; every one is stored exactly once; an
 * acknowledged one sent again gets the same receipt; results (from rollups) equal recomputation
 * from the stored responses. Three kills per database.
 */
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, postgresAvailable, type TestDatabase } from "../helpers/databases.js";
import { spawnServer, type ServerProcess } from "../helpers/process.js";
import { openContext, prepareDatabase } from "../../server/bootstrap.js";
import { REPO_ROOT } from "../../server/config.js";
import { ensureDemoUnits, DEMO_PROVINCE } from "../../server/demo/seed.js";
import { insertRound } from "../../server/rounds/repository.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { ensureCellKeys } from "../../server/invitations/credentials.js";
import { insertInvitations } from "../../server/invitations/repository.js";
import { createUser } from "../../server/accounts/repository.js";
import { demoUnits, makeSubmission } from "../helpers/responses.js";
import { anonymousAnswer, openInvitation, type OpenedInvitation } from "../helpers/invitee.js";
import { seededRng } from "../../server/demo/random.js";
import { scoreResponses, type NodeResult } from "../../shared/scoring/index.js";
import type { AppContext } from "../../server/app-context.js";
import type { TestServer } from "../helpers/server.js";
import { expectStoredResponsesWhole } from "../helpers/stored-whole.js";

const KILLS = 3;

/** A port nothing listens on now (asked of the system, so never one of the machine's services). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Just enough of the test server's interface for the invitee helper, over a spawned process. */
function apiOf(url: string): TestServer {
  return {
    api: async (pathname: string, init: { json?: unknown } = {}) => {
      const res = await fetch(url + pathname, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(init.json) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
  } as unknown as TestServer;
}

describe.each(DIALECTS)("kill -9 mid-write on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let database: TestDatabase;
  let ctx: AppContext;
  let server: ServerProcess | null = null;
  const env = (): Record<string, string> => (dialect === "postgres" ? { DATABASE_URL: database.databaseUrl! } : { CHISO_DB: database.sqlitePath! });
  const tokens: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase(dialect);
    ctx = await openContext({ databaseUrl: database.databaseUrl, sqlitePath: database.sqlitePath, clientDir: null, minCellSize: 1 });
    await prepareDatabase(ctx, path.join(REPO_ROOT, "surveys"), { quiet: true });
    await ensureDemoUnits(ctx);
    const sipas = (await latestEdition(ctx.db.kysely, "sipas-2022"))!.instrument;
    const leaders = (await latestEdition(ctx.db.kysely, "par-leaders-2022"))!.instrument;
    const common = { status: "open" as const, periodStart: null, periodEnd: null, registry: "2025", scope: [DEMO_PROVINCE], minCellSize: 1 };
    await insertRound(ctx.db.kysely, {
      ...common,
      id: "crash",
      title: { vi: "Tắt đột ngột", en: "Killed" },
      edition: sipas.id,
      version: sipas.version,
      groups: ["citizen", "organisation"],
      modes: ["public"],
    });
    await insertRound(ctx.db.kysely, {
      ...common,
      id: "crash-inv",
      title: { vi: "Thư mời, tắt đột ngột", en: "Invitations, killed" },
      edition: leaders.id,
      version: leaders.version,
      groups: ["so"],
      modes: ["invitation"],
    });
    await insertRound(ctx.db.kysely, {
      ...common,
      id: "crash-batch",
      title: { vi: "Tắt giữa một lô", en: "Killed mid-batch" },
      edition: sipas.id,
      version: sipas.version,
      groups: ["citizen", "organisation"],
      modes: ["public"],
    });
    const agency = demoUnits(ctx, "agency")[0]!;
    await ensureCellKeys(ctx.db.kysely, [{ round: "crash-inv", group: "so", unit: DEMO_PROVINCE }]);
    const rows = await insertInvitations(
      ctx.db.kysely,
      "crash-inv",
      Array.from({ length: 24 }, (_, i) => ({ name: `Lãnh đạo ${i}`, email: `ld${i}@example.vn`, group: "so", agencyKey: agency })),
    );
    tokens.push(...rows.map((r) => r.token));
    await createUser(ctx.db.kysely, { username: "phan-tich", displayName: "Phân tích", role: "analyst", password: "mat-khau-phan-tich-dai" });
  }, 180_000);

  afterAll(async () => {
    if (skip) return;
    await server?.stop();
    await ctx?.db.close();
    await database?.drop();
  });

  it.skipIf(skip)(
    `loses nothing acknowledged and stores nothing twice across ${KILLS} kills`,
    async () => {
      const { instrument, index } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
      const leaders = (await latestEdition(ctx.db.kysely, "par-leaders-2022"))!.instrument;
      const villages = demoUnits(ctx, "village").slice(0, 8);
      const rng = seededRng(91);
      const submissions = Array.from({ length: 400 }, (_, i) =>
        makeSubmission(instrument, villages[i % villages.length]!, i % 4 ? "citizen" : "organisation", rng),
      );
      /** id → receipt, for every acknowledgement seen (before or after a kill). */
      const acknowledged = new Map<string, string>();
      /** Invitation answers: credential opened once (before the first kill), answered possibly many times. */
      const opened: OpenedInvitation[] = [];
      const answerIds = new Map<number, string>();
      /** Requests the kill cut off, unanswered: the kill did land in the middle of writes. */
      let cut = 0;

      const send = async (url: string, i: number): Promise<void> => {
        const s = submissions[i]!;
        const res = await fetch(`${url}/api/rounds/crash/responses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(s),
        });
        const body = (await res.json()) as { receipt: string };
        expect([200, 201], JSON.stringify(body)).toContain(res.status);
        const before = acknowledged.get(s.id);
        if (before) expect(body.receipt).toBe(before);
        acknowledged.set(s.id, body.receipt);
      };
      const answer = async (url: string, k: number): Promise<void> => {
        const o = opened[k]!;
        const res = await fetch(`${url}/api/invitations/responses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(anonymousAnswer(o, makeSubmission(leaders, DEMO_PROVINCE, "so", seededRng(k + 1)).answers)),
        });
        const body = (await res.json()) as { id: string; receipt: string };
        expect([200, 201], JSON.stringify(body)).toContain(res.status);
        const before = acknowledged.get(body.id);
        if (before) expect(body.receipt).toBe(before);
        acknowledged.set(body.id, body.receipt);
        answerIds.set(k, body.id);
      };

      for (let kill = 0; kill <= KILLS; kill++) {
        server = await spawnServer(env(), await freePort());
        if (kill === 0) for (const t of tokens) opened.push(await openInvitation(apiOf(server.url), t));
        const url = server.url;
        if (kill < KILLS) {
          // Sixteen senders go through everything; the process is killed once enough are acknowledged.
          const target = acknowledged.size + 90;
          const jobs = [...submissions.keys()].map((i) => () => send(url, i)).concat([...opened.keys()].map((k) => () => answer(url, k)));
          for (let i = jobs.length - 1; i > 0; i--) {
            const j = Math.floor(rng.next() * (i + 1));
            [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
          }
          let next = 0;
          const killed = new Promise<void>((resolve) => server!.child.once("exit", () => resolve()));
          const worker = async () => {
            while (next < jobs.length && server!.child.exitCode === null) {
              const job = jobs[next++]!;
              try {
                await job();
              } catch (error) {
                // A request cut by the kill: not acknowledged, so nothing is expected of it.
                if (server!.child.exitCode === null && !(error instanceof TypeError)) throw error;
                cut++;
              }
              if (acknowledged.size >= target && server!.child.exitCode === null && server!.child.signalCode === null) server!.child.kill("SIGKILL");
            }
          };
          await Promise.all(Array.from({ length: 16 }, worker));
          if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
          await killed;
          expect(server.child.signalCode).toBe("SIGKILL");
          server = null;
        } else {
          // After the last restart: everything once more, acknowledged or not.
          for (let i = 0; i < submissions.length; i += 16) await Promise.all(submissions.slice(i, i + 16).map((_, j) => send(url, i + j)));
          for (let k = 0; k < opened.length; k += 16) await Promise.all(opened.slice(k, k + 16).map((_, j) => answer(url, k + j)));
        }
      }

      expect(cut, "requests in flight when the process was killed").toBeGreaterThan(0);
      const stored = await ctx.db.kysely.selectFrom("responses").select(["id", "round_id", "receipt_code", "payload_json", "weight"]).execute();
      const publicRows = stored.filter((r) => r.round_id === "crash");
      expect(publicRows).toHaveLength(submissions.length);
      expect(stored.filter((r) => r.round_id === "crash-inv")).toHaveLength(opened.length);
      expect(new Set(stored.map((r) => r.id)).size).toBe(stored.length);
      const byId = new Map(stored.map((r) => [r.id, r]));
      for (const [id, receipt] of acknowledged) expect(byId.get(id)?.receipt_code, id).toBe(receipt);

      // Rollups written by the killed processes equal recomputation from what was stored.
      const expected = scoreResponses(
        index!,
        instrument,
        publicRows.map((r) => ({ answers: JSON.parse(r.payload_json).answers, weight: r.weight })),
      );
      // Asked of the server that took the last round of resends, still running (afterAll stops it).
      if (!server) throw new Error("the server of the last round of resends is gone");
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "phan-tich", password: "mat-khau-phan-tich-dai" }),
      });
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const api = (await (await fetch(`${server.url}/api/rounds/crash/results`, { headers: { cookie } })).json()) as { root: NodeResult; responses: number };
      expect(api.responses).toBe(submissions.length);
      const walk = (n: NodeResult, out: Map<string, NodeResult>) => (out.set(n.code, n), (n.children ?? []).forEach((c) => walk(c, out)), out);
      const got = walk(api.root, new Map());
      for (const [code, node] of expected.nodes) {
        if (node.percent === null) expect(got.get(code)!.percent).toBeNull();
        else expect(got.get(code)!.percent, code).toBeCloseTo(node.percent, 9);
      }
    },
    300_000,
  );

  it.skipIf(skip)(
    "a kill while the writer holds a batch loses nothing acknowledged and leaves no response without its counts",
    async () => {
      const { instrument } = (await latestEdition(ctx.db.kysely, "sipas-2022"))!;
      const villages = demoUnits(ctx, "village").slice(0, 8);
      const rng = seededRng(17);
      // The server left running by the test before (for its results check) is not needed here.
      await server?.stop();
      const victim = (server = await spawnServer(env(), await freePort()));
      const acknowledged = new Map<string, { body: string; receipt: string }>();
      let killed = false;
      // Sixty-four senders keep batches queued behind the one being written; the kill comes the moment
      // an acknowledgement arrives, when the next batch is already in the writer's transaction.
      const senders = Array.from({ length: 64 }, async () => {
        while (!killed) {
          const body = JSON.stringify(makeSubmission(instrument, villages[rng.int(0, villages.length - 1)]!, "citizen", rng));
          try {
            const res = await fetch(`${victim.url}/api/rounds/crash-batch/responses`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            const reply = (await res.json()) as { id: string; receipt: string };
            if (res.status !== 201) throw new Error(`status ${res.status}: ${JSON.stringify(reply)}`);
            acknowledged.set(reply.id, { body, receipt: reply.receipt });
            if (acknowledged.size >= 300 && !killed) {
              killed = true;
              victim.child.kill("SIGKILL");
            }
          } catch (error) {
            // The connection died with the process: not acknowledged, stored or not.
            if (!killed) throw error;
          }
        }
      });
      await Promise.all(senders);
      if (victim.child.exitCode === null && victim.child.signalCode === null) await new Promise((resolve) => victim.child.once("exit", resolve));
      expect(victim.child.signalCode).toBe("SIGKILL");
      server = null;

      const stored = await ctx.db.kysely
        .selectFrom("responses")
        .select(["id", "unit_key", "group_code", "payload_json", "receipt_code"])
        .where("round_id", "=", "crash-batch")
        .execute();
      const byId = new Map(stored.map((r) => [r.id, r]));
      for (const [id, { receipt }] of acknowledged) expect(byId.get(id)?.receipt_code, id).toBe(receipt);
      // Each batch is all or nothing: every stored response has its answers and counts, no count lacks its response.
      await expectStoredResponsesWhole(ctx, instrument, "crash-batch", stored);

      // Restarted on the same database, each acknowledged response sent again is recognised: same receipt.
      server = await spawnServer(env(), await freePort());
      const again = [...acknowledged.values()].slice(0, 64);
      for (const { body, receipt } of again) {
        const res = await fetch(`${server.url}/api/rounds/crash-batch/responses`, { method: "POST", headers: { "content-type": "application/json" }, body });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { receipt: string }).receipt).toBe(receipt);
      }

      // Killed once everything sent was answered, with nothing in flight: no later batch could have
      // committed the last one, so only an answer given after its own COMMIT survives this.
      const restarted = server;
      const last = await Promise.all(
        Array.from({ length: 64 }, async () => {
          const body = JSON.stringify(makeSubmission(instrument, villages[rng.int(0, villages.length - 1)]!, "citizen", rng));
          const res = await fetch(`${restarted.url}/api/rounds/crash-batch/responses`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          expect(res.status).toBe(201);
          return (await res.json()) as { id: string; receipt: string };
        }),
      );
      const exited = new Promise((resolve) => restarted.child.once("exit", resolve));
      restarted.child.kill("SIGKILL");
      await exited;
      server = null;
      const after = await ctx.db.kysely
        .selectFrom("responses")
        .select(["id", "receipt_code"])
        .where(
          "id",
          "in",
          last.map((r) => r.id),
        )
        .execute();
      expect(new Map(after.map((r) => [r.id, r.receipt_code]))).toEqual(new Map(last.map((r) => [r.id, r.receipt])));
    },
    180_000,
  );
});
