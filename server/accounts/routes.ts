/**
 * Sign-in and account management: /api/auth (login, logout, me, password), /api/users
 * (administrators; resetting a password), /api/devices (enumerator device tokens, revocable,
 * expiring), /api/audit (the audit log). Rules: docs/security.md, "Accounts and sessions".
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-context.js";
import { allow, clearSessionCookie, currentUser, principal, sessionToken, setSessionCookie } from "../http/access.js";
import { readJson, parseWith } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { hashSecret, needsRehash, randomToken, verifySecret } from "../lib/secrets.js";
import { clientAddress, trustedProxyHops } from "../http/rate-limit.js";
import { fieldError } from "../../shared/errors.js";
import { PASSWORD_MAX_LENGTH } from "../../shared/accounts/password-policy.js";
import {
  ROLES,
  createDeviceToken,
  createSession,
  createUser,
  deleteSession,
  findUserByName,
  listDevices,
  listUsers,
  revokeDevice,
  setPassword,
  setUserDisabled,
  toUser,
  findUser,
  upgradePasswordHash,
  type User,
} from "./repository.js";
import { sessionPolicy } from "./policy.js";
import { reserveAttempt } from "./throttle.js";
import { requireStrongPassword } from "./passwords.js";
import { audit, listAudit } from "./audit.js";

const LoginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(500) }).strict();
/** The policy itself (length, strength) is checked after parsing, with a message in both languages. */
const PasswordField = z.string().max(PASSWORD_MAX_LENGTH * 4);
const ChangePasswordSchema = z.object({ currentPassword: z.string().min(1).max(500), password: PasswordField }).strict();
const ResetPasswordSchema = z.object({ password: PasswordField }).strict();

export const NewUserSchema = z
  .object({
    username: z.string().regex(/^[a-z0-9._-]{3,40}$/, "username: 3–40 lower-case letters, digits, . _ -"),
    displayName: z.string().min(1).max(100),
    role: z.enum(ROLES),
    password: PasswordField,
    unitScope: z.array(z.string()).default([]),
    rounds: z.array(z.string()).default([]),
  })
  .strict();

const invalidLogin = () =>
  new Problem("unauthenticated", undefined, undefined, { vi: "Tên đăng nhập hoặc mật khẩu không đúng.", en: "Wrong username or password." });

function throttled(c: Context<AppEnv>, retryAfterS: number): Problem {
  c.header("retry-after", String(retryAfterS));
  const [vi, en] =
    retryAfterS < 120 ? [`${retryAfterS} giây`, `${retryAfterS} seconds`] : [`${Math.ceil(retryAfterS / 60)} phút`, `${Math.ceil(retryAfterS / 60)} minutes`];
  return new Problem(
    "rate_limited",
    undefined,
    { retryAfterS },
    { vi: `Đăng nhập sai quá nhiều lần. Thử lại sau ${vi}.`, en: `Too many failed sign-ins. Try again in ${en}.` },
  );
}

/** Compared against for unknown usernames, so that response time does not reveal which names exist. */
let dummyHash: Promise<string> | null = null;

/**
 * Checks a password under the sign-in throttle (per username and address, see throttle.ts) and
 * upgrades a hash made with older scrypt parameters. Returns the account, or null for a wrong
 * password, unknown name or disabled account.
 */
export async function checkPassword(c: Context<AppEnv>, username: string, password: string): Promise<User | null> {
  const db = c.var.ctx.db.kysely;
  const attempt = await reserveAttempt(db, username, clientAddress(c));
  if (!attempt.ok) throw throttled(c, attempt.retryAfterS);
  const row = await findUserByName(db, username);
  dummyHash ??= hashSecret(randomToken());
  const ok = await verifySecret(password, row?.password_hash ?? (await dummyHash));
  if (!row || !ok || row.disabled === 1) {
    await attempt.release(false);
    return null;
  }
  await attempt.release(true);
  if (needsRehash(row.password_hash)) await upgradePasswordHash(db, row.id, row.password_hash, password);
  return toUser(row);
}

export function accountRoutes() {
  const app = new Hono<AppEnv>();
  // A bad CHISO_SESSION_IDLE_MINUTES or CHISO_TRUST_PROXY stops the server at start, not at the first sign-in.
  sessionPolicy();
  trustedProxyHops();

  app.post("/auth/login", allow("public"), async (c) => {
    const db = c.var.ctx.db.kysely;
    const { username, password } = parseWith(LoginSchema, await readJson(c));
    const user = await checkPassword(c, username, password);
    if (!user) throw invalidLogin();
    const session = await createSession(db, user.id);
    setSessionCookie(c, session.token);
    await audit(db, user.username, "sign-in", null);
    return c.json({ user: publicUser(user), csrfToken: session.csrf });
  });

  app.post("/auth/logout", allow(["admin", "analyst", "enumerator"], { duringPasswordChange: true }), async (c) => {
    const token = sessionToken(c);
    if (token) await deleteSession(c.var.ctx.db.kysely, token);
    clearSessionCookie(c);
    return c.json({ ok: true });
  });

  /** The signed-in user changes their own password, proving the current one; their other sessions end. */
  app.post("/auth/password", allow(["admin", "analyst", "enumerator"], { duringPasswordChange: true }), async (c) => {
    const db = c.var.ctx.db.kysely;
    // Also from an enumerator's device: the current password is still required, so the token alone is not enough.
    const who = (await principal(c))!;
    const { currentPassword, password } = parseWith(ChangePasswordSchema, await readJson(c));
    if (!(await checkPassword(c, who.user.username, currentPassword))) {
      const text = { vi: "Mật khẩu hiện tại không đúng.", en: "The current password is wrong." };
      throw new Problem("invalid_field", [fieldError("currentPassword", "invalid_field", text)], undefined, text);
    }
    if (password === currentPassword) {
      const text = { vi: "Mật khẩu mới phải khác mật khẩu hiện tại.", en: "The new password must differ from the current one." };
      throw new Problem("weak_password", [fieldError("password", "weak_password", text)], { field: "password", reason: "unchanged" }, text);
    }
    requireStrongPassword(password, [who.user.username, who.user.displayName]);
    await setPassword(db, who.user.id, password, { mustChange: false, keepSession: who.via === "session" ? sessionToken(c) : undefined });
    await audit(db, who.user.username, "user.password-change", who.user.username);
    return c.json({ user: publicUser({ ...who.user, mustChangePassword: false }) });
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
    requireStrongPassword(input.password, [input.username, input.displayName]);
    if (await findUserByName(db, input.username)) {
      throw new Problem("already_exists", [
        { question: "username", code: "already_exists", message_vi: "Tên đăng nhập đã có.", message_en: "This username is taken." },
      ]);
    }
    // As `chiso user add --scope`: an area is made of units that exist (a misspelt key would leave the account seeing nothing).
    const unknown = [];
    for (const [i, key] of input.unitScope.entries()) if (!(await c.var.ctx.units.get(key))) unknown.push(fieldError(`unitScope.${i}`, "unit_not_found"));
    if (unknown.length) throw new Problem("invalid", unknown);
    const user = await createUser(db, input);
    await audit(db, currentUser(c).username, "user.create", user.username, { role: user.role });
    return c.json({ user: publicUser(user) }, 201);
  });

  app.patch("/users/:id", allow(["admin"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    const { disabled } = parseWith(z.object({ disabled: z.boolean() }).strict(), await readJson(c));
    const user = await findUser(db, c.req.param("id"));
    if (!user) throw new Problem("not_found");
    if (user.id === currentUser(c).id && disabled)
      throw new Problem("bad_request", undefined, undefined, { vi: "Không thể tự khóa tài khoản của mình.", en: "You cannot disable your own account." });
    await setUserDisabled(db, user.id, disabled);
    await audit(db, currentUser(c).username, disabled ? "user.disable" : "user.enable", user.username);
    return c.json({ user: publicUser({ ...user, disabled }) });
  });

  /**
   * An administrator sets a new password for another account: it must be changed at that
   * account's next sign-in, and the account's sessions end now.
   */
  app.put("/users/:id/password", allow(["admin"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    const { password } = parseWith(ResetPasswordSchema, await readJson(c));
    const user = await findUser(db, c.req.param("id"));
    if (!user) throw new Problem("not_found");
    if (user.id === currentUser(c).id) {
      throw new Problem("bad_request", undefined, undefined, {
        vi: "Đổi mật khẩu của chính mình bằng “Đổi mật khẩu” (cần mật khẩu hiện tại).",
        en: "Change your own password with “Change password” (it needs the current one).",
      });
    }
    requireStrongPassword(password, [user.username, user.displayName]);
    await setPassword(db, user.id, password, { mustChange: true });
    await audit(db, currentUser(c).username, "user.password-reset", user.username);
    return c.json({ user: publicUser({ ...user, mustChangePassword: true }) });
  });

  /**
   * An enumerator registers a device after signing in; the token is shown once. Only enumerator
   * accounts hold device tokens: a token needs no CSRF header, so it must carry no more than an
   * enumerator's rights, and it expires after DEVICE_DAYS without use.
   */
  app.post("/devices", allow(["enumerator"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    const { label } = parseWith(z.object({ label: z.string().min(1).max(100) }).strict(), await readJson(c));
    const user = currentUser(c);
    const device = await createDeviceToken(db, user.id, label);
    await audit(db, user.username, "device.create", device.id, { label });
    return c.json({ id: device.id, token: device.token, expiresAt: device.expiresAt }, 201);
  });

  app.get("/devices", allow(["admin"]), async (c) => c.json({ devices: await listDevices(c.var.ctx.db.kysely) }));

  app.delete("/devices/:id", allow(["admin"]), async (c) => {
    const db = c.var.ctx.db.kysely;
    if (!(await revokeDevice(db, c.req.param("id")))) throw new Problem("not_found");
    await audit(db, currentUser(c).username, "device.revoke", c.req.param("id"));
    return c.json({ ok: true });
  });

  app.get("/audit", allow(["admin"]), async (c) => {
    // Checked here, not by the database: a negative LIMIT lists the whole log on SQLite and fails on PostgreSQL.
    const limitText = c.req.query("limit") ?? "100";
    const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= 1000)) {
      throw new Problem(
        "bad_request",
        [fieldError("limit", "out_of_range")],
        { limit: limitText },
        { vi: "limit phải là số nguyên từ 1 đến 1000.", en: "limit must be a whole number from 1 to 1000." },
      );
    }
    const before = c.req.query("before");
    if (before !== undefined && Number.isNaN(Date.parse(before))) {
      throw new Problem(
        "bad_request",
        [fieldError("before", "invalid_field")],
        { before },
        { vi: "before phải là một thời điểm (ISO 8601).", en: "before must be a time (ISO 8601)." },
      );
    }
    return c.json({ entries: await listAudit(c.var.ctx.db.kysely, limit, before) });
  });

  return app;
}

export function publicUser(user: import("./repository.js").User) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    disabled: user.disabled,
    unitScope: user.unitScope,
    rounds: user.rounds,
    mustChangePassword: user.mustChangePassword,
  };
}
