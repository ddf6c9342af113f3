/**
 * Read-only analyst API tokens over real HTTP, on SQLite and PostgreSQL: a token reads results and
 * exports within exactly its analyst's scope, is refused (403) everywhere else and on every write,
 * stops working (401) when expired, revoked or its account disabled, is written to the audit log
 * when made or revoked, and is never stored in clear.
 */
import fs from "node:fs";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { demoUnits } from "../helpers/responses.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { randomSubmissions, submitAll } from "../results/fixtures.js";
import { makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { defaultRateLimits } from "../../server/http/rate-limit.js";

describe.each(DIALECTS)("analyst API tokens on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let round: string;
  let otherRound: string;
  let unit: string;
  let otherUnit: string;
  let analyst: { username: string; password: string; id: string };
  let analystSession: Record<string, string>;
  let adminSession: Record<string, string>;

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  async function create(session: Record<string, string>, body: unknown) {
    return server.api("/api/api-tokens", { method: "POST", json: body, headers: session });
  }

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    const sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    round = await server.createRound("sipas-2022", { minCellSize: 1 });
    otherRound = await server.createRound("sipas-2022", { minCellSize: 1 });
    const villages = demoUnits(server.ctx, "village");
    const communeOf = (v: string) => server.ctx.units.ancestorAt(v, "commune")!.key;
    unit = communeOf(villages[0]!);
    otherUnit = communeOf(villages.find((v) => communeOf(v) !== unit)!);
    const inUnit = villages.filter((v) => communeOf(v) === unit);
    const inOther = villages.filter((v) => communeOf(v) === otherUnit);
    await submitAll(server, round, [...randomSubmissions(sipas, inUnit, ["citizen"], 6, 1), ...randomSubmissions(sipas, inOther, ["citizen"], 6, 2)]);
    analyst = await server.createUser("analyst", { unitScope: [unit], rounds: [round] });
    analystSession = await server.signIn(analyst.username, analyst.password);
    const admin = await server.createUser("admin");
    adminSession = await server.signIn(admin.username, admin.password);
  }, 120_000);
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("reads results and exports within its analyst's scope, and nothing outside it", async () => {
    const made = await create(analystSession, { label: "R – báo cáo quý", expiresInDays: 30 });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const token: string = made.body.token;
    expect(token).toMatch(/^chiso_at_[A-Za-z0-9_-]{40,}$/);
    expect(made.body.apiToken).toMatchObject({ label: "R – báo cáo quý", username: analyst.username, active: true, revokedAt: null });
    const days = (Date.parse(made.body.apiToken.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const results = await server.api(`/api/rounds/${round}/results?unit=${unit}`, { headers: bearer(token) });
    expect(results.status, JSON.stringify(results.body).slice(0, 300)).toBe(200);
    expect(results.body.responses).toBe(6);
    const csv = await fetch(`${server.url}/api/rounds/${round}/export/results?unit=${unit}&format=csv`, { headers: bearer(token) });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await csv.text()).length).toBeGreaterThan(100);
    expect((await server.api(`/api/rounds/${round}/results/ranking?unit=${unit}&level=village`, { headers: bearer(token) })).status).toBe(200);

    // The same refusals as the analyst's session: another round, another commune, the whole round, raw responses.
    const otherRoundRes = await server.api(`/api/rounds/${otherRound}/results?unit=${unit}`, { headers: bearer(token) });
    expect([otherRoundRes.status, otherRoundRes.body.error.code]).toEqual([403, "round_not_assigned"]);
    const otherUnitRes = await server.api(`/api/rounds/${round}/results?unit=${otherUnit}`, { headers: bearer(token) });
    expect([otherUnitRes.status, otherUnitRes.body.error.code]).toEqual([403, "unit_out_of_scope"]);
    expect((await server.api(`/api/rounds/${round}/results`, { headers: bearer(token) })).status).toBe(403);
    expect((await server.api(`/api/rounds/${round}/export/wide`, { headers: bearer(token) })).status).toBe(403);
    // The session sees exactly the same.
    expect((await server.api(`/api/rounds/${otherRound}/results?unit=${unit}`, { headers: analystSession })).status).toBe(403);

    // Who-am-I says it is a token; public reads stay public.
    expect((await server.api("/api/auth/me", { headers: bearer(token) })).body).toMatchObject({
      user: { username: analyst.username },
      via: "api-token",
      csrfToken: null,
    });
    expect((await server.api("/api/rounds", { headers: bearer(token) })).status).toBe(200);
  });

  it.skipIf(skip)("refuses every write and every route that is not a results or export read (403)", async () => {
    const { token } = (await create(analystSession, { label: "Power Query", expiresInDays: 7 })).body;
    const refusals = [
      { path: `/api/rounds/${round}/targets?unit=${unit}`, method: "PUT", body: { targets: [{ kind: "value", node: "SIPAS", value: 80, unit }] } },
      { path: "/api/peer-groups/nhom-thu", method: "PUT", body: { label: { vi: "Nhóm", en: "Group" }, registry: "2025", members: [unit] } },
      { path: "/api/api-tokens", method: "POST", body: { label: "another", expiresInDays: 1 } },
      { path: "/api/api-tokens", method: "GET" },
      { path: "/api/peer-groups", method: "GET" },
      { path: "/api/auth/logout", method: "POST", body: {} },
    ];
    for (const r of refusals) {
      const res = await server.api(r.path, { method: r.method, headers: bearer(token), ...(r.body ? { json: r.body } : {}) });
      expect([r.method, r.path, res.status, res.body?.error?.code]).toEqual([r.method, r.path, 403, "api_token_read_only"]);
      expect(res.body.error.message_vi).toMatch(/Mã API chỉ dùng để đọc/);
      expect(res.body.error.message_en).toMatch(/only reads results and exports/);
    }
    // Nothing was written by those calls.
    const targets = await server.api(`/api/rounds/${round}/targets?unit=${unit}`, { headers: bearer(token) });
    expect(targets.status).toBe(200);
    expect(targets.body.targets).toEqual([]);
  });

  it.skipIf(skip)("stops working when expired, revoked or its account disabled (401), and says why", async () => {
    const expiring = (await create(analystSession, { label: "expiring", expiresInDays: 1 })).body;
    expect((await server.api(`/api/rounds/${round}/results?unit=${unit}`, { headers: bearer(expiring.token) })).status).toBe(200);
    // A day later: the stored expiry is passed.
    await server.ctx.db.kysely
      .updateTable("api_tokens")
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", expiring.apiToken.id)
      .execute();
    const expired = await server.api(`/api/rounds/${round}/results?unit=${unit}`, { headers: bearer(expiring.token) });
    expect([expired.status, expired.body.error.code]).toEqual([401, "api_token_invalid"]);
    expect(expired.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(expired.body.error.message_vi).toMatch(/hết hạn/);

    const revoking = (await create(analystSession, { label: "revoking", expiresInDays: 10 })).body;
    expect((await server.api(`/api/rounds/${round}/results?unit=${unit}`, { headers: bearer(revoking.token) })).status).toBe(200);
    // Without the CSRF header a cookie cannot revoke.
    expect((await server.api(`/api/api-tokens/${revoking.apiToken.id}`, { method: "DELETE", headers: { cookie: analystSession.cookie! } })).status).toBe(403);
    const revoked = await server.api(`/api/api-tokens/${revoking.apiToken.id}`, { method: "DELETE", headers: analystSession });
    expect(revoked.status).toBe(200);
    expect((await server.api(`/api/rounds/${round}/results?unit=${unit}`, { headers: bearer(revoking.token) })).status).toBe(401);
    expect((await server.api(`/api/api-tokens/${revoking.apiToken.id}`, { method: "DELETE", headers: analystSession })).status).toBe(404);

    const listed = await server.api("/api/api-tokens", { headers: analystSession });
    const byId = Object.fromEntries(listed.body.tokens.map((t: { id: string }) => [t.id, t]));
    expect(byId[expiring.apiToken.id]).toMatchObject({ active: false, revokedAt: null });
    expect(byId[revoking.apiToken.id]).toMatchObject({ active: false, revokedBy: analyst.username });
    expect(JSON.stringify(listed.body)).not.toContain("chiso_at_");

    // A made-up token of the right shape is refused the same way.
    expect((await server.api(`/api/rounds/${round}/results?unit=${unit}`, { headers: bearer(`chiso_at_${"x".repeat(43)}`) })).status).toBe(401);

    const other = await server.createUser("analyst", { rounds: [round] });
    const otherSession = await server.signIn(other.username, other.password);
    const otherToken = (await create(otherSession, { label: "disabled soon", expiresInDays: 5 })).body.token;
    expect((await server.api(`/api/rounds/${round}/results`, { headers: bearer(otherToken) })).status).toBe(200);
    expect((await server.api(`/api/users/${other.id}`, { method: "PATCH", json: { disabled: true }, headers: adminSession })).status).toBe(200);
    expect((await server.api(`/api/rounds/${round}/results`, { headers: bearer(otherToken) })).status).toBe(401);
    // Enabled again: the token stays revoked.
    expect((await server.api(`/api/users/${other.id}`, { method: "PATCH", json: { disabled: false }, headers: adminSession })).status).toBe(200);
    expect((await server.api(`/api/rounds/${round}/results`, { headers: bearer(otherToken) })).status).toBe(401);
  });

  it.skipIf(skip)("requires an expiry of 1 to 365 days and a label (422), naming the field in both languages", async () => {
    for (const [body, field] of [
      [{ label: "no expiry" }, "expiresInDays"],
      [{ label: "too long", expiresInDays: 366 }, "expiresInDays"],
      [{ label: "zero", expiresInDays: 0 }, "expiresInDays"],
      [{ label: "fraction", expiresInDays: 1.5 }, "expiresInDays"],
      [{ label: "   ", expiresInDays: 30 }, "label"],
      [{ label: "extra", expiresInDays: 30, rounds: ["x"] }, "rounds"],
    ] as const) {
      const res = await create(analystSession, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const error = res.body.error.errors.find((e: { question: string }) => e.question === field);
      expect(error, JSON.stringify(res.body)).toBeDefined();
      expect(error.message_vi).toMatch(/\S/);
      expect(error.message_en).toMatch(/\S/);
    }
    expect((await create(analystSession, { label: "a year", expiresInDays: 365 })).status).toBe(201);
  });

  it.skipIf(skip)("is made only by analysts; administrators list and revoke everyone's; analysts only their own", async () => {
    expect((await create(adminSession, { label: "admin", expiresInDays: 30 })).status).toBe(403);
    const enumerator = await server.createUser("enumerator");
    expect((await create(await server.signIn(enumerator.username, enumerator.password), { label: "enum", expiresInDays: 30 })).status).toBe(403);
    expect((await server.api("/api/api-tokens", { method: "POST", json: { label: "anon", expiresInDays: 30 } })).status).toBe(401);

    const mine = (await create(analystSession, { label: "mine", expiresInDays: 30 })).body;
    const someone = await server.createUser("analyst", { rounds: [round] });
    const someoneSession = await server.signIn(someone.username, someone.password);
    const theirs = (await create(someoneSession, { label: "theirs", expiresInDays: 30 })).body;

    const ownList = (await server.api("/api/api-tokens", { headers: analystSession })).body.tokens as Array<{ id: string; username: string }>;
    expect(ownList.some((t) => t.id === mine.apiToken.id)).toBe(true);
    expect(ownList.every((t) => t.username === analyst.username)).toBe(true);
    // Another analyst's token answers as unknown, and keeps working.
    expect((await server.api(`/api/api-tokens/${theirs.apiToken.id}`, { method: "DELETE", headers: analystSession })).status).toBe(404);
    expect((await server.api(`/api/rounds/${round}/results`, { headers: bearer(theirs.token) })).status).toBe(200);

    const all = (await server.api("/api/api-tokens", { headers: adminSession })).body.tokens as Array<{ id: string }>;
    expect(all.map((t) => t.id)).toEqual(expect.arrayContaining([mine.apiToken.id, theirs.apiToken.id]));
    expect((await server.api(`/api/api-tokens/${theirs.apiToken.id}`, { method: "DELETE", headers: adminSession })).status).toBe(200);
    expect((await server.api(`/api/rounds/${round}/results`, { headers: bearer(theirs.token) })).status).toBe(401);

    // Creating and revoking are in the audit log, with who did it; the token is not.
    const audit = (await server.api("/api/audit?limit=1000", { headers: adminSession })).body.entries as Array<{
      actor: string;
      action: string;
      target: string;
    }>;
    expect(audit).toContainEqual(expect.objectContaining({ actor: someone.username, action: "api-token.create", target: theirs.apiToken.id }));
    expect(audit).toContainEqual(expect.objectContaining({ action: "api-token.revoke", target: theirs.apiToken.id, detail: { owner: someone.username } }));
    expect(JSON.stringify(audit)).not.toContain(theirs.token);
  });

  it.skipIf(skip)("does not lift the public rate limit, as a session does", async () => {
    const { token } = (await create(analystSession, { label: "rate", expiresInDays: 1 })).body;
    const sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    const village = demoUnits(server.ctx, "village")[0]!;
    const limits = server.ctx.rateLimits;
    // One submission per address at a time (burst 1), many per round.
    server.ctx.rateLimits = defaultRateLimits({ CHISO_RATE_PER_ADDRESS: "2", CHISO_RATE_PER_ROUND: "1000000" });
    try {
      const send = (headers: Record<string, string>, seed: number) =>
        server.api(`/api/rounds/${round}/responses`, { json: makeSubmission(sipas, village, "citizen", seededRng(seed)), headers });
      expect((await send(bearer(token), 101)).status).toBe(201);
      const limited = await send(bearer(token), 102);
      expect([limited.status, limited.body.error.code]).toEqual([429, "rate_limited"]);
      // A signed-in administrator's session is a credential that skips the per-address limit.
      expect((await send({ cookie: adminSession.cookie! }, 103)).status).toBe(201);
    } finally {
      server.ctx.rateLimits = limits;
    }
  });

  it.skipIf(skip)("stores only a hash of each token, never the token", async () => {
    const { token, apiToken } = (await create(analystSession, { label: "hash check", expiresInDays: 30 })).body;
    expect((await server.api(`/api/rounds/${round}/results?unit=${unit}`, { headers: bearer(token) })).status).toBe(200);
    const rows = await server.ctx.db.kysely.selectFrom("api_tokens").selectAll().execute();
    const row = rows.find((r) => r.id === apiToken.id)!;
    expect(row.token_hash).toBe(createHash("sha256").update(token).digest("base64url"));
    expect(row.last_used_at).not.toBeNull();
    const random = token.slice("chiso_at_".length);
    const everything = JSON.stringify(rows) + JSON.stringify(await server.ctx.db.kysely.selectFrom("audit_log").selectAll().execute());
    expect(everything).not.toContain(random);
    if (dialect === "sqlite") {
      // The database file itself (and its write-ahead log) holds no copy either.
      const db = server.ctx.db.sqlite!;
      db.pragma("wal_checkpoint(TRUNCATE)");
      const file = db.name;
      for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) expect(fs.readFileSync(f).includes(Buffer.from(random))).toBe(false);
    }
  });
});
