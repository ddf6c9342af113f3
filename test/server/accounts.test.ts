/**
 * Accounts over real HTTP: sign-in with a session cookie, CSRF on cookie-authenticated writes,
 * login throttling, sign-out ending the session on the server, device tokens and their revocation,
 * disabled accounts, public rate limits and the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { RateLimiter } from "../../server/http/rate-limit.js";
import { seededRng } from "../../server/demo/random.js";

describe.each(DIALECTS)("accounts on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  beforeAll(async () => {
    if (!skip) server = await startTestServer(dialect);
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  it.skipIf(skip)("signs in with an httpOnly SameSite cookie and ends the session at sign-out", async () => {
    const admin = await server.createUser("admin");
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: admin.username, password: admin.password }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const headers = await server.signIn(admin.username, admin.password);
    expect((await server.api("/api/auth/me", { headers })).body.user.username).toBe(admin.username);
    expect((await server.api("/api/users", { headers })).status).toBe(200);
    const out = await server.api("/api/auth/logout", { method: "POST", headers });
    expect(out.status).toBe(200);
    // The same cookie no longer works: the session is gone on the server, not only in the browser.
    expect((await server.api("/api/users", { headers })).status).toBe(401);
  });

  it.skipIf(skip)("rejects a cookie-authenticated write without the CSRF header", async () => {
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const newUser = { username: "phan-tich", displayName: "Chuyên viên phân tích", role: "analyst", password: "mat-khau-dai-du" };
    const without = await server.api("/api/users", { json: newUser, headers: { cookie: headers.cookie! } });
    expect(without.status).toBe(403);
    expect(without.body.error.message_vi).toMatch(/CSRF/);
    const withCsrf = await server.api("/api/users", { json: newUser, headers });
    expect(withCsrf.status).toBe(201);
  });

  it.skipIf(skip)("throttles sign-in after repeated failures, even with the right password", async () => {
    const user = await server.createUser("analyst");
    for (let i = 0; i < 5; i++) {
      const r = await server.api("/api/auth/login", { json: { username: user.username, password: "wrong-password" } });
      expect(r.status).toBe(401);
    }
    const locked = await server.api("/api/auth/login", { json: { username: user.username, password: user.password } });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBeTruthy();
    expect(locked.body.error.message_vi).toMatch(/Thử lại/);
  });

  it.skipIf(skip)("enforces roles: an analyst cannot manage users, an enumerator cannot read results", async () => {
    const analyst = await server.createUser("analyst");
    const headers = await server.signIn(analyst.username, analyst.password);
    expect((await server.api("/api/users", { headers })).status).toBe(403);
    expect((await server.api("/api/users")).status).toBe(401);
  });

  it.skipIf(skip)("device tokens sync until an administrator revokes them; disabling an account ends its access", async () => {
    const sipas = await instrumentOf(server.ctx, "sipas-2022");
    const round = await server.createRound("sipas-2022");
    const village = demoUnits(server.ctx, "village")[0]!;
    const enumerator = await server.createUser("enumerator");
    const session = await server.signIn(enumerator.username, enumerator.password);
    const device = await server.api("/api/devices", { json: { label: "Máy tính bảng 01" }, headers: session });
    expect(device.status).toBe(201);
    const bearer = { authorization: `Bearer ${device.body.token}` };
    const sync = () =>
      server.api("/api/sync", {
        json: { round, responses: [makeSubmission(sipas, village, "citizen", seededRng(Math.random() * 1e6), { channel: "enumerator" })] },
        headers: bearer,
      });
    expect((await sync()).body.results[0].status).toBe("stored");

    const admin = await server.createUser("admin");
    const adminHeaders = await server.signIn(admin.username, admin.password);
    expect((await server.api(`/api/devices/${device.body.id}`, { method: "DELETE", headers: adminHeaders })).status).toBe(200);
    expect((await sync()).status).toBe(401);

    const audit = await server.api("/api/audit", { headers: adminHeaders });
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toContain("device.revoke");

    const users = await server.api("/api/users", { headers: adminHeaders });
    const id = users.body.users.find((u: { username: string }) => u.username === enumerator.username).id;
    expect((await server.api(`/api/users/${id}`, { method: "PATCH", json: { disabled: true }, headers: adminHeaders })).status).toBe(200);
    expect((await server.api("/api/auth/me", { headers: session })).body.user).toBeNull();
  });

  it.skipIf(skip)("an enumerator collects only in assigned units and rounds", async () => {
    const sipas = await instrumentOf(server.ctx, "sipas-2022");
    const round = await server.createRound("sipas-2022");
    const villages = demoUnits(server.ctx, "village");
    const commune = server.ctx.units.getCached(villages[0]!)!.parentKey!;
    const outside = villages.find((v) => !server.ctx.units.isWithin(v, commune))!;
    const device = await server.deviceHeaders({ unitScope: [commune] });
    const res = await server.api("/api/sync", {
      json: {
        round,
        responses: [
          makeSubmission(sipas, villages[0]!, "citizen", seededRng(5), { channel: "enumerator" }),
          makeSubmission(sipas, outside, "citizen", seededRng(6), { channel: "enumerator" }),
        ],
      },
      headers: device,
    });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(["stored", "invalid"]);
    const other = await server.deviceHeaders({ rounds: ["some-other-round"] });
    expect((await server.api("/api/sync", { json: { round, responses: [{}] }, headers: other })).status).toBe(404);
  });
});

describe("rate limiter", () => {
  it("allows a burst, then refills over time", () => {
    const limiter = new RateLimiter(60, 3);
    const t0 = 1_000_000;
    expect([limiter.take("a", t0), limiter.take("a", t0), limiter.take("a", t0), limiter.take("a", t0)]).toEqual([true, true, true, false]);
    expect(limiter.take("b", t0)).toBe(true);
    expect(limiter.take("a", t0 + 1000)).toBe(true);
  });

  it("answers 429 to a public client that sends too much", async () => {
    const server = await startTestServer("sqlite");
    try {
      server.ctx.rateLimits.perAddress = new RateLimiter(2, 2);
      const sipas = await instrumentOf(server.ctx, "sipas-2022");
      const round = await server.createRound("sipas-2022");
      const village = demoUnits(server.ctx, "village")[0]!;
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await server.api(`/api/rounds/${round}/responses`, { json: makeSubmission(sipas, village, "citizen", seededRng(i)) })).status);
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await server.close();
    }
  });
});
