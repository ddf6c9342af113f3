/**
 * Sign-in and account management: /api/auth (login, logout, me), /api/users (administrators),
 * /api/devices (enumerator device tokens, revocable), /api/audit (the audit log).
 */
import { Hono } from "hono";
import { setCookie, deleteCookie, getCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv } from "../app-context.js";
import { allow, currentUser, principal, SESSION_COOKIE } from "../http/access.js";
import { readJson, parseWith } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { verifySecret } from "../lib/secrets.js";
import { clientAddress } from "../http/rate-limit.js";
import {
  ROLES,
  SESSION_HOURS,
  clearLoginFailures,
  createDeviceToken,
  createSession,
  createUser,
  deleteSession,
  findUserByName,
  listDevices,
  listUsers,
  recordLoginFailure,
  revokeDevice,
  setUserDisabled,
  throttleState,
  toUser,
  findUser,
} from "./repository.js";
import { audit, listAudit } from "./audit.js";

const LoginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(500) }).strict();

export const NewUserSchema = z
  .object({
    username: z.string().regex(/^[a-z0-9._-]{3,40}$/, "username: 3–40 lower-case letters, digits, . _ -"),
    displayName: z.string().min(1).max(100),
    role: z.enum(ROLES),
    password: z.string().min(10, "password: at least 10 characters").max(200),
    unitScope: z.array(z.string()).default([]),
    rounds: z.array(z.string()).default([]),
  })
  .strict();

const invalidLogin = () =>
  new Problem("unauthenticated", undefined, undefined, { vi: "Tên đăng nhập hoặc mật khẩu không đúng.", en: "Wrong username or password." });

export function accountRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/auth/login", allow("public"), async (c) => {
    const db = c.var.ctx.db.kysely;
    const { username, password } = parseWith(LoginSchema, await readJson(c));
    const keys = [`user:${username.toLowerCase()}`, `addr:${clientAddress(c)}`];
    for (const key of keys) {
      const state = await throttleState(db, key);
      if (state.locked) {
        c.header("retry-after", String(state.retryAfterS));
        throw new Problem("rate_limited", undefined, { retryAfterS: state.retryAfterS }, {
          vi: `Đăng nhập sai quá nhiều lần. Thử lại sau ${Math.ceil(state.retryAfterS / 60)} phút.`,
          en: `Too many failed sign-ins. Try again in ${Math.ceil(state.retryAfterS / 60)} minutes.`,
        });
      }
    }
    const row = await findUserByName(db, username);
    // Verify even for unknown users so that response time does not reveal which names exist.
    const ok = verifySecret(password, row?.password_hash ?? "scrypt$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    if (!row || !ok || row.disabled === 1) {
      for (const key of keys) await recordLoginFailure(db, key);
      throw invalidLogin();
    }
    for (const key of keys) await clearLoginFailures(db, key);
    const session = await createSession(db, row.id);
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https",
      path: "/",
      maxAge: SESSION_HOURS * 3600,
    });
    const user = toUser(row);
    await audit(db, user.username, "sign-in", null);
    return c.json({ user: publicUser(user), csrfToken: session.csrf });
  });

  app.post("/auth/logout", allow(["admin", "analyst", "enumerator"]), async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteSession(c.var.ctx.db.kysely, token);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  });

  app.get("/auth/me", allow("public"), async (c) => {
    // "Who am I" answers everyone; anonymous callers learn that they are not signed in.
    const who = await principal(c);
    if (!who) return c.json({ user: null, csrfToken: null, via: null });
    return c.json({ user: publicUser(who.user), csrfToken: who.via === "session" ? who.csrf : null, via: who.via });
  });

  app.get("/users", allow(["admin"]), async (c) => c.json({ users: (await listUsers(c.var.ctx.db.kysely)).map(publicUser) }));

  app.post("/users", allow(["admin"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    const input = parseWith(NewUserSchema, await readJson(c));
    if (await findUserByName(db, input.username)) {
      throw new Problem("invalid", [{ question: "username", code: "invalid_field", message_vi: "Tên đăng nhập đã có.", message_en: "This username is taken." }]);
    }
    const user = await createUser(db, input);
    await audit(db, currentUser(c).username, "user.create", user.username, { role: user.role });
    return c.json({ user: publicUser(user) }, 201);
  });

  app.patch("/users/:id", allow(["admin"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    const { disabled } = parseWith(z.object({ disabled: z.boolean() }).strict(), await readJson(c));
    const user = await findUser(db, c.req.param("id"));
    if (!user) throw new Problem("not_found");
    if (user.id === currentUser(c).id && disabled) throw new Problem("bad_request", undefined, undefined, { vi: "Không thể tự khóa tài khoản của mình.", en: "You cannot disable your own account." });
    await setUserDisabled(db, user.id, disabled);
    await audit(db, currentUser(c).username, disabled ? "user.disable" : "user.enable", user.username);
    return c.json({ user: publicUser({ ...user, disabled }) });
  });

  /** An enumerator registers a device after signing in; the token is shown once. */
  app.post("/devices", allow(["enumerator", "admin"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    const { label } = parseWith(z.object({ label: z.string().min(1).max(100) }).strict(), await readJson(c));
    const user = currentUser(c);
    const device = await createDeviceToken(db, user.id, label);
    await audit(db, user.username, "device.create", device.id, { label });
    return c.json({ id: device.id, token: device.token }, 201);
  });

  app.get("/devices", allow(["admin"]), async (c) => c.json({ devices: await listDevices(c.var.ctx.db.kysely) }));

  app.delete("/devices/:id", allow(["admin"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    if (!(await revokeDevice(db, c.req.param("id")))) throw new Problem("not_found");
    await audit(db, currentUser(c).username, "device.revoke", c.req.param("id"));
    return c.json({ ok: true });
  });

  app.get("/audit", allow(["admin"]), async (c) => {
    const limit = Math.min(Number(c.req.query("limit") ?? 100) || 100, 1000);
    return c.json({ entries: await listAudit(c.var.ctx.db.kysely, limit, c.req.query("before")) });
  });

  return app;
}

export function publicUser(user: import("./repository.js").User) {
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role, disabled: user.disabled, unitScope: user.unitScope, rounds: user.rounds };
}
