/**
 * Sign-in and account management: /api/auth (login, logout, me, password), /api/users
 * (administrators; resetting a password), /api/devices (enumerator device tokens, revocable,
 * expiring), /api/audit (the audit log). Rules: docs/security.md, "Accounts and sessions".
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { clearSessionCookie, currentUser, principal, sessionToken, setSessionCookie } from "../http/access.js";
import { readJson, parseWith } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { fieldError } from "../../shared/errors.js";
import {
  ChangePasswordSchema,
  LoginSchema,
  NewDeviceSchema,
  NewUserSchema,
  ResetPasswordSchema,
  UserDisabledSchema,
  type AccountList,
  type AccountReply,
  type AuditList,
  type DeviceCreated,
  type DeviceList,
  type LoginReply,
  type Ok,
  type WhoAmI,
} from "../../shared/api/accounts.js";
import {
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
  findUser,
} from "./repository.js";
import { requireStrongPassword } from "./passwords.js";
import { audit, listAudit } from "./audit.js";
import { checkPassword, publicUser } from "./service.js";

const invalidLogin = () => new Problem("wrong_credentials");

export const accountHandlers = {
  login: async (c: Context<AppEnv>) => {
    const db = c.var.ctx.db.kysely;
    const { username, password } = parseWith(LoginSchema, await readJson(c));
    const user = await checkPassword(c, username, password);
    if (!user) throw invalidLogin();
    const session = await createSession(db, user.id);
    setSessionCookie(c, session.token);
    await audit(db, user.username, "sign-in", null);
    return c.json({ user: publicUser(user), csrfToken: session.csrf } satisfies LoginReply);
  },

  logout: async (c: Context<AppEnv>) => {
    const token = sessionToken(c);
    if (token) await deleteSession(c.var.ctx.db.kysely, token);
    clearSessionCookie(c);
    return c.json({ ok: true });
  },

  /** The signed-in user changes their own password, proving the current one; their other sessions end. */
  changePassword: async (c: Context<AppEnv>) => {
    const db = c.var.ctx.db.kysely;
    // Also from an enumerator's device: the current password is still required, so the token alone is not enough.
    const who = (await principal(c))!;
    const { currentPassword, password } = parseWith(ChangePasswordSchema, await readJson(c));
    if (!(await checkPassword(c, who.user.username, currentPassword))) {
      throw new Problem("current_password_wrong", [fieldError("currentPassword", "current_password_wrong")]);
    }
    if (password === currentPassword) {
      throw new Problem("password_unchanged", [fieldError("password", "password_unchanged")], { field: "password", reason: "unchanged" });
    }
    requireStrongPassword(password, [who.user.username, who.user.displayName]);
    await setPassword(db, who.user.id, password, { mustChange: false, keepSession: who.via === "session" ? sessionToken(c) : undefined });
    await audit(db, who.user.username, "user.password-change", who.user.username);
    return c.json({ user: publicUser({ ...who.user, mustChangePassword: false }) } satisfies AccountReply);
  },

  me: async (c: Context<AppEnv>) => {
    // "Who am I" answers everyone; anonymous callers learn that they are not signed in.
    const who = await principal(c);
    if (!who) return c.json({ user: null, csrfToken: null, via: null } satisfies WhoAmI);
    return c.json({ user: publicUser(who.user), csrfToken: who.via === "session" ? who.csrf : null, via: who.via } satisfies WhoAmI);
  },

  listUsers: async (c: Context<AppEnv>) => c.json({ users: (await listUsers(c.var.ctx.db.kysely)).map(publicUser) } satisfies AccountList),

  createUser: async (c: Context<AppEnv>) => {
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
    return c.json({ user: publicUser(user) } satisfies AccountReply, 201);
  },

  setDisabled: async (c: Context<AppEnv, "/:id">) => {
    const db = c.var.ctx.db.kysely;
    const { disabled } = parseWith(UserDisabledSchema, await readJson(c));
    const user = await findUser(db, c.req.param("id"));
    if (!user) throw new Problem("not_found");
    if (user.id === currentUser(c).id && disabled) throw new Problem("cannot_disable_self");
    await setUserDisabled(db, user.id, disabled);
    await audit(db, currentUser(c).username, disabled ? "user.disable" : "user.enable", user.username);
    return c.json({ user: publicUser({ ...user, disabled }) } satisfies AccountReply);
  },

  /**
   * An administrator sets a new password for another account: it must be changed at that
   * account's next sign-in, and the account's sessions end now.
   */
  resetPassword: async (c: Context<AppEnv, "/:id">) => {
    const db = c.var.ctx.db.kysely;
    const { password } = parseWith(ResetPasswordSchema, await readJson(c));
    const user = await findUser(db, c.req.param("id"));
    if (!user) throw new Problem("not_found");
    if (user.id === currentUser(c).id) {
      throw new Problem("cannot_reset_own_password");
    }
    requireStrongPassword(password, [user.username, user.displayName]);
    await setPassword(db, user.id, password, { mustChange: true });
    await audit(db, currentUser(c).username, "user.password-reset", user.username);
    return c.json({ user: publicUser({ ...user, mustChangePassword: true }) } satisfies AccountReply);
  },

  /**
   * An enumerator registers a device after signing in; the token is shown once. Only enumerator
   * accounts hold device tokens: a token needs no CSRF header, so it must carry no more than an
   * enumerator's rights, and it expires after DEVICE_DAYS without use.
   */
  registerDevice: async (c: Context<AppEnv>) => {
    const db = c.var.ctx.db.kysely;
    const { label } = parseWith(NewDeviceSchema, await readJson(c));
    const user = currentUser(c);
    const device = await createDeviceToken(db, user.id, label);
    await audit(db, user.username, "device.create", device.id, { label });
    return c.json({ id: device.id, token: device.token, expiresAt: device.expiresAt } satisfies DeviceCreated, 201);
  },

  listDevices: async (c: Context<AppEnv>) => c.json({ devices: await listDevices(c.var.ctx.db.kysely) } satisfies DeviceList),

  revokeDevice: async (c: Context<AppEnv, "/:id">) => {
    const db = c.var.ctx.db.kysely;
    if (!(await revokeDevice(db, c.req.param("id")))) throw new Problem("not_found");
    await audit(db, currentUser(c).username, "device.revoke", c.req.param("id"));
    return c.json({ ok: true } satisfies Ok);
  },

  auditLog: async (c: Context<AppEnv>) => {
    // Checked here, not by the database: a negative LIMIT lists the whole log on SQLite and fails on PostgreSQL.
    const limitText = c.req.query("limit") ?? "100";
    const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= 1000)) {
      throw new Problem("audit_limit_invalid", [fieldError("limit", "out_of_range")], { limit: limitText });
    }
    const before = c.req.query("before");
    if (before !== undefined && Number.isNaN(Date.parse(before))) {
      throw new Problem("audit_before_invalid", [fieldError("before", "invalid_field")], { before });
    }
    return c.json({ entries: await listAudit(c.var.ctx.db.kysely, limit, before) } satisfies AuditList);
  },
};
