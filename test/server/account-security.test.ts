/**
 * Accounts and sessions against OWASP ASVS level 2, over real HTTP on SQLite and PostgreSQL: the
 * generated first-start password must be changed, password change and administrator reset, the
 * password policy, scrypt parameters stored with the hash and upgraded at sign-in, device tokens
 * only for enumerators and expiring, lock-out per username and address with a growing delay,
 * X-Forwarded-For read from the right, the public rate limit skipped only for valid credentials,
 * idle timeout and the __Host- cookie over HTTPS.
 */
import { scryptSync, randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, withProductionScrypt, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { ensureFirstAdmin } from "../../server/accounts/first-start.js";
import { countUsers, createDeviceToken, findUserByName, tokenHash } from "../../server/accounts/repository.js";
import { THROTTLE, reserveAttempt } from "../../server/accounts/throttle.js";
import { RateLimiter } from "../../server/http/rate-limit.js";

const strong = () => `Tre-xanh ${randomBytes(6).toString("base64url")} mùa lúa`;
const json = { "content-type": "application/json" };

/** Runs `fn` with environment variables set, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe.each(DIALECTS)("account security on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let firstAdmin: { username: string; password: string };
  let weakFirstStart: unknown;
  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    // Before any other account exists: a weak CHISO_ADMIN_PASSWORD is refused, a generated one is made.
    weakFirstStart = await ensureFirstAdmin(server.ctx, { CHISO_ADMIN_PASSWORD: "password1234" }).catch((e: unknown) => e);
    expect(await countUsers(server.ctx.db.kysely)).toBe(0);
    const created = (await ensureFirstAdmin(server.ctx, {}))!;
    firstAdmin = { username: created.username, password: created.password! };
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });
  afterEach(() => {
    if (!skip) server.defaultHeaders = {};
  });

  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    server.api("/api/auth/login", { json: { username, password }, headers });

  it.skipIf(skip)("refuses a CHISO_ADMIN_PASSWORD that fails the policy, creating nothing", () => {
    expect(weakFirstStart).toMatchObject({ code: "weak_password" });
    expect((weakFirstStart as Error).message).toMatch(/CHISO_ADMIN_PASSWORD/);
  });

  it.skipIf(skip)("makes the generated first-start password usable only to change it", async () => {
    const headers = await server.signIn(firstAdmin.username, firstAdmin.password);
    expect((await server.api("/api/auth/me", { headers })).body.user.mustChangePassword).toBe(true);
    const blocked = await server.api("/api/users", { headers });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe("password_change_required");
    expect((await server.api("/api/devices", { headers })).body.error.code).toBe("password_change_required");
    expect((await server.api("/api/rounds", { method: "POST", json: {}, headers })).body.error.code).toBe("password_change_required");

    const password = strong();
    const changed = await server.api("/api/auth/password", { json: { currentPassword: firstAdmin.password, password }, headers });
    expect(changed.status).toBe(200);
    expect(changed.body.user.mustChangePassword).toBe(false);
    expect((await server.api("/api/users", { headers })).status).toBe(200);
    expect((await login(firstAdmin.username, firstAdmin.password)).status).toBe(401);
    expect((await login(firstAdmin.username, password)).status).toBe(200);
  });

  it.skipIf(skip)("changes one's own password with the current one, ending the other sessions", async () => {
    const user = await server.createUser("analyst");
    const here = await server.signIn(user.username, user.password);
    const elsewhere = await server.signIn(user.username, user.password);

    const wrong = await server.api("/api/auth/password", { json: { currentPassword: "not-the-password", password: strong() }, headers: here });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.errors[0].question).toBe("currentPassword");
    const weak = await server.api("/api/auth/password", { json: { currentPassword: user.password, password: "password12345" }, headers: here });
    expect(weak.status).toBe(422);
    expect(weak.body.error).toMatchObject({ code: "weak_password", errors: [{ question: "password", code: "weak_password" }] });
    expect(weak.body.error.message_vi).toMatch(/dễ đoán/);
    expect(weak.body.error.message_en).toMatch(/easy to guess/);
    expect((await server.api("/api/auth/password", { json: { currentPassword: user.password, password: strong() } })).status).toBe(401);
    const withoutCsrf = await server.api("/api/auth/password", {
      json: { currentPassword: user.password, password: strong() },
      headers: { cookie: here.cookie! },
    });
    expect(withoutCsrf.status).toBe(403);

    const password = strong();
    expect((await server.api("/api/auth/password", { json: { currentPassword: user.password, password }, headers: here })).status).toBe(200);
    expect((await server.api("/api/auth/me", { headers: here })).body.user.username).toBe(user.username);
    expect((await server.api("/api/auth/me", { headers: elsewhere })).body.user).toBeNull();
    expect((await login(user.username, user.password)).status).toBe(401);
    expect((await login(user.username, password)).status).toBe(200);
    const entries = (await server.api("/api/audit", { headers: await server.authenticate("admin") })).body.entries;
    expect(entries.map((e: { action: string }) => e.action)).toContain("user.password-change");
  });

  it.skipIf(skip)("an administrator's reset ends the account's sessions and forces a change at the next sign-in", async () => {
    const target = await server.createUser("admin");
    const targetSession = await server.signIn(target.username, target.password);
    const admin = await server.authenticate("admin");
    const weak = await server.api(`/api/users/${target.id}/password`, {
      method: "PUT",
      json: { password: `${target.username}${target.username}` },
      headers: admin,
    });
    expect(weak.status).toBe(422);
    expect(weak.body.error.errors[0]).toMatchObject({ question: "password", code: "weak_password" });
    const temporary = strong();
    const reset = await server.api(`/api/users/${target.id}/password`, { method: "PUT", json: { password: temporary }, headers: admin });
    expect(reset.status).toBe(200);
    expect((await server.api("/api/auth/me", { headers: targetSession })).body.user).toBeNull();
    // An administrator resets others; their own password goes through the change with the current one.
    const self = (await server.api("/api/auth/me", { headers: admin })).body.user.id;
    expect((await server.api(`/api/users/${self}/password`, { method: "PUT", json: { password: strong() }, headers: admin })).status).toBe(400);

    server.defaultHeaders = {};
    const headers = await server.signIn(target.username, temporary);
    expect((await server.api("/api/users", { headers })).body.error.code).toBe("password_change_required");
    expect((await server.api("/api/auth/password", { json: { currentPassword: temporary, password: temporary }, headers })).status).toBe(422);
    expect((await server.api("/api/auth/password", { json: { currentPassword: temporary, password: strong() }, headers })).status).toBe(200);
    expect((await server.api("/api/users", { headers })).status).toBe(200);
    expect((await server.api("/api/auth/logout", { method: "POST", headers })).status).toBe(200);
  });

  it.skipIf(skip)("refuses short, common and username-based passwords for new accounts, naming the field in both languages", async () => {
    const headers = await server.authenticate("admin");
    const attempt = (username: string, password: string) =>
      server.api("/api/users", { json: { username, displayName: "Cán bộ", role: "analyst", password }, headers });
    const short = await attempt("can-bo-1", "Ab1-xy");
    expect(short.status).toBe(422);
    expect(short.body.error.errors).toEqual([expect.objectContaining({ question: "password", code: "weak_password" })]);
    expect(short.body.error.errors[0].message_vi).toMatch(/ít nhất 12 ký tự/);
    expect(short.body.error.errors[0].message_en).toMatch(/at least 12 characters/);
    expect((await attempt("can-bo-1", "Password123456")).body.error.code).toBe("weak_password");
    const named = await attempt("nguyenvana", "nguyenvananguyenvana");
    expect(named.body.error.errors[0].message_en).toMatch(/username/);
    expect(await findUserByName(server.ctx.db.kysely, "nguyenvana")).toBeUndefined();
    expect((await attempt("can-bo-1", strong())).status).toBe(201);
  });

  it.skipIf(skip)("upgrades a hash made with the old parameters at the next sign-in", async () => {
    // Production's cost: the upgrade must write it (other tests hash at a small cost, for speed).
    await withProductionScrypt(async () => {
      const user = await server.createUser("analyst");
      // The format written before the parameters were stored: scrypt$salt$hash with Node's defaults.
      const salt = randomBytes(16);
      const legacy = `scrypt$${salt.toString("base64url")}$${scryptSync(user.password, salt, 32).toString("base64url")}`;
      await server.ctx.db.kysely.updateTable("users").set({ password_hash: legacy }).where("id", "=", user.id).execute();
      expect((await login(user.username, user.password)).status).toBe(200);
      const row = await findUserByName(server.ctx.db.kysely, user.username);
      expect(row!.password_hash).toMatch(/^scrypt\$N=32768,r=8,p=1\$/);
      expect((await login(user.username, user.password)).status).toBe(200);
    });
  });

  it.skipIf(skip)("issues device tokens only to enumerators, with an expiry that use pushes back", async () => {
    const admin = await server.authenticate("admin");
    const refused = await server.api("/api/devices", { json: { label: "Máy quản trị" }, headers: admin });
    expect(refused.status).toBe(403);
    // A token minted for an administrator before this rule carries no rights at all.
    const adminId = (await server.api("/api/auth/me", { headers: admin })).body.user.id;
    const old = await createDeviceToken(server.ctx.db.kysely, adminId, "cũ");
    server.defaultHeaders = {};
    expect((await server.api("/api/users", { headers: { authorization: `Bearer ${old.token}` } })).status).toBe(401);

    const enumerator = await server.createUser("enumerator");
    const session = await server.signIn(enumerator.username, enumerator.password);
    const device = await server.api("/api/devices", { json: { label: "Máy tính bảng 02" }, headers: session });
    expect(device.status).toBe(201);
    const days = (Date.parse(device.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
    const bearer = { authorization: `Bearer ${device.body.token}` };
    expect((await server.api("/api/auth/me", { headers: bearer })).body.via).toBe("device");
    // A device with ten days left is pushed back to the full lifetime by its next use…
    const db = server.ctx.db.kysely;
    await db
      .updateTable("device_tokens")
      .set({ expires_at: new Date(Date.now() + 10 * 86_400_000).toISOString() })
      .where("id", "=", device.body.id)
      .execute();
    expect((await server.api("/api/auth/me", { headers: bearer })).body.via).toBe("device");
    const refreshed = await db.selectFrom("device_tokens").select("expires_at").where("id", "=", device.body.id).executeTakeFirstOrThrow();
    expect(Date.parse(refreshed.expires_at!) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    // …and one left unused past its expiry stops working.
    await db
      .updateTable("device_tokens")
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", device.body.id)
      .execute();
    expect((await server.api("/api/auth/me", { headers: bearer })).body.user).toBeNull();
    expect((await server.api("/api/sync", { json: { round: "x", responses: [] }, headers: bearer })).status).toBe(401);
  });

  it.skipIf(skip)("an attacker's wrong passwords from one address do not lock the owner out from another", async () => {
    const admin = await server.createUser("admin");
    await withEnv({ CHISO_TRUST_PROXY: "1" }, async () => {
      const attacker = { "x-forwarded-for": "198.51.100.66" };
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await login(admin.username, `guess-${i}`, attacker)).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      expect((await login(admin.username, admin.password, attacker)).status).toBe(429);
      expect((await login(admin.username, admin.password, { "x-forwarded-for": "203.0.113.10" })).status).toBe(200);
    });
  });

  it.skipIf(skip)("a success does not reset the per-address count: 20 failures from one address stop it", async () => {
    const own = await server.createUser("analyst");
    await withEnv({ CHISO_TRUST_PROXY: "1" }, async () => {
      const from = { "x-forwarded-for": "198.51.100.77" };
      for (let i = 0; i < THROTTLE.addressFailures; i++) {
        // Four guesses per name stay under the per-pair delay; signing in to one's own account in between buys nothing.
        expect((await login(`victim-${Math.floor(i / 4)}`, `guess-${i}`, from)).status).toBe(401);
        if (i % 4 === 3 && i < THROTTLE.addressFailures - 1) expect((await login(own.username, own.password, from)).status).toBe(200);
      }
      const stopped = await login("victim-new", "guess", from);
      expect(stopped.status).toBe(429);
      expect(Number(stopped.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await login(own.username, own.password, from)).status).toBe(429);
      expect((await login(own.username, own.password, { "x-forwarded-for": "198.51.100.78" })).status).toBe(200);
    });
  });

  it.skipIf(skip)("doubles the wait after each further failure of a pair, up to 15 minutes", async () => {
    const db = server.ctx.db.kysely;
    const t0 = Date.parse("2026-03-01T08:00:00Z");
    const waits: number[] = [];
    let now = t0;
    for (let i = 0; i < 12; i++) {
      const r = await reserveAttempt(db, "backoff-user", "192.0.2.1", now);
      expect(r.ok).toBe(true);
      if (r.ok) await r.release(false);
      const row = await db.selectFrom("login_throttle").select("locked_until").where("key", "like", "pair:backoff-user|%").executeTakeFirstOrThrow();
      const wait = row.locked_until ? Date.parse(row.locked_until) - now : 0;
      if (wait > 0) {
        // Refused until the wait is over, allowed again right after.
        expect(await reserveAttempt(db, "backoff-user", "192.0.2.1", now + wait - 1000)).toMatchObject({ ok: false, retryAfterS: 1 });
      }
      waits.push(wait / 1000);
      now += wait + 1;
    }
    expect(waits).toEqual([0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
    // A correct password from the pair clears it.
    const ok = await reserveAttempt(db, "backoff-user", "192.0.2.1", now);
    expect(ok.ok).toBe(true);
    if (ok.ok) await ok.release(true);
    const after = await reserveAttempt(db, "backoff-user", "192.0.2.1", now);
    expect(after.ok).toBe(true);
  });

  it.skipIf(skip)("counts concurrent guesses: twenty at once get no more than the free attempts", async () => {
    const user = await server.createUser("analyst");
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => login(user.username, `parallel-${i}`)));
    const wrong = replies.filter((r) => r.status === 401).length;
    expect(wrong).toBeGreaterThan(0);
    expect(wrong).toBeLessThanOrEqual(THROTTLE.freeFailures + 1);
    expect(replies.every((r) => r.status === 401 || r.status === 429)).toBe(true);
  });

  it.skipIf(skip)("ends a session left idle, and keeps one in use alive", async () => {
    const user = await server.createUser("analyst");
    const db = server.ctx.db.kysely;
    const headers = await server.signIn(user.username, user.password);
    const token = decodeURIComponent(headers.cookie!.split("=")[1]!);
    const setLastSeen = (minutesAgo: number) =>
      db
        .updateTable("sessions")
        .set({ last_seen_at: new Date(Date.now() - minutesAgo * 60_000).toISOString() })
        .where("token_hash", "=", tokenHash(token))
        .execute();
    await setLastSeen(20);
    expect((await server.api("/api/auth/me", { headers })).body.user.username).toBe(user.username);
    const touched = await db.selectFrom("sessions").select("last_seen_at").where("token_hash", "=", tokenHash(token)).executeTakeFirstOrThrow();
    expect(Date.now() - Date.parse(touched.last_seen_at!)).toBeLessThan(60_000);
    await setLastSeen(31);
    expect((await server.api("/api/auth/me", { headers })).body.user).toBeNull();
    expect(await db.selectFrom("sessions").select("token_hash").where("token_hash", "=", tokenHash(token)).executeTakeFirst()).toBeUndefined();
    // The idle timeout is configurable.
    const again = await server.signIn(user.username, user.password);
    const next = decodeURIComponent(again.cookie!.split("=")[1]!);
    await db
      .updateTable("sessions")
      .set({ last_seen_at: new Date(Date.now() - 6 * 60_000).toISOString() })
      .where("token_hash", "=", tokenHash(next))
      .execute();
    await withEnv({ CHISO_SESSION_IDLE_MINUTES: "5" }, async () => {
      expect((await server.api("/api/auth/me", { headers: again })).body.user).toBeNull();
    });
  });

  it.skipIf(skip)("names the cookie __Host-chiso_session, Secure, Path=/ and without Domain when served over HTTPS", async () => {
    const user = await server.createUser("analyst");
    await withEnv({ CHISO_PUBLIC_URL: "https://chiso.example.vn" }, async () => {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ username: user.username, password: user.password }),
      });
      const cookie = res.headers.get("set-cookie")!;
      expect(cookie).toMatch(/^__Host-chiso_session=/);
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
      expect(cookie).not.toMatch(/Domain=/i);
      expect(cookie).toMatch(/HttpOnly/i);
      const value = cookie.split(";")[0]!.split("=")[1]!;
      expect((await server.api("/api/auth/me", { headers: { cookie: `__Host-chiso_session=${value}` } })).body.user.username).toBe(user.username);
      // The unprefixed name, which another host or path could plant, is not read.
      expect((await server.api("/api/auth/me", { headers: { cookie: `chiso_session=${value}` } })).body.user).toBeNull();
      const csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
      const out = await fetch(`${server.url}/api/auth/logout`, { method: "POST", headers: { cookie: `__Host-chiso_session=${value}`, "x-csrf-token": csrf } });
      expect(out.headers.get("set-cookie")).toMatch(/^__Host-chiso_session=;.*Max-Age=0/i);
    });
  });

  describe("public rate limit", () => {
    let round: string;
    let submit: (headers: Record<string, string>, i: number) => Promise<number>;
    beforeAll(async () => {
      if (skip) return;
      const sipas = await instrumentOf(server.ctx, "sipas-2022");
      round = await server.createRound("sipas-2022");
      const village = demoUnits(server.ctx, "village")[0]!;
      submit = async (headers, i) =>
        (await server.api(`/api/rounds/${round}/responses`, { json: makeSubmission(sipas, village, "citizen", seededRng(1000 + i)), headers })).status;
    });
    const limited = async (fn: () => Promise<void>) => {
      const saved = server.ctx.rateLimits.perAddress;
      server.ctx.rateLimits.perAddress = new RateLimiter(2, 2);
      try {
        await fn();
      } finally {
        server.ctx.rateLimits.perAddress = saved;
      }
    };

    it.skipIf(skip)("is not skipped by an Authorization header that is not a valid credential", async () => {
      await limited(async () => {
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push(await submit({ authorization: "Bearer not-a-token" }, i));
        expect(statuses).toEqual([201, 201, 429]);
      });
    });

    it.skipIf(skip)("is skipped by a valid device token", async () => {
      const device = await server.deviceHeaders();
      await limited(async () => {
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push(await submit(device, 10 + i));
        expect(statuses).toEqual([201, 201, 201]);
      });
    });

    it.skipIf(skip)("counts the address N proxies from the right of X-Forwarded-For, ignoring what the client wrote", async () => {
      await limited(async () => {
        await withEnv({ CHISO_TRUST_PROXY: "1" }, async () => {
          const statuses = [];
          // The client writes a new address each time; the one proxy appends the real one.
          for (let i = 0; i < 3; i++) statuses.push(await submit({ "x-forwarded-for": `10.9.8.${i}, 198.51.100.20` }, 20 + i));
          expect(statuses).toEqual([201, 201, 429]);
        });
        await withEnv({ CHISO_TRUST_PROXY: "2" }, async () => {
          const statuses = [];
          for (let i = 0; i < 3; i++) statuses.push(await submit({ "x-forwarded-for": `10.9.7.${i}, 198.51.100.21, 10.0.0.2` }, 30 + i));
          expect(statuses).toEqual([201, 201, 429]);
          // Another client behind the same two proxies has its own budget.
          expect(await submit({ "x-forwarded-for": "198.51.100.22, 10.0.0.2" }, 40)).toBe(201);
        });
      });
    });
  });
});
