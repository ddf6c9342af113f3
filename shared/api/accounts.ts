/**
 * Payloads of sign-in and account management: /api/auth (login, me, password), /api/users,
 * /api/devices (enumerator device tokens) and /api/audit. Rules: docs/security.md, "Accounts and sessions".
 */
import { z } from "zod";
import { PASSWORD_MAX_LENGTH } from "../accounts/password-policy.js";

export const ROLES = ["admin", "analyst", "enumerator"] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** The policy itself (length, strength) is checked after parsing, with a message in both languages. */
const PasswordField = z.string().max(PASSWORD_MAX_LENGTH * 4);

export const LoginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(500) }).strict();
export type Login = z.infer<typeof LoginSchema>;

export const ChangePasswordSchema = z.object({ currentPassword: z.string().min(1).max(500), password: PasswordField }).strict();
export type ChangePassword = z.infer<typeof ChangePasswordSchema>;

export const ResetPasswordSchema = z.object({ password: PasswordField }).strict();

export const NewUserSchema = z
  .object({
    username: z.string().regex(/^[a-z0-9._-]{3,40}$/, "username: 3–40 lower-case letters, digits, . _ -"),
    displayName: z.string().min(1).max(100),
    role: RoleSchema,
    password: PasswordField,
    unitScope: z.array(z.string()).default([]),
    rounds: z.array(z.string()).default([]),
  })
  .strict();
/** What a client sends (the lists may be left out). */
export type NewUser = z.input<typeof NewUserSchema>;

export const UserDisabledSchema = z.object({ disabled: z.boolean() }).strict();

/** An account as the API shows it: never its password hash or sessions. */
export const AccountSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  /** Unit keys whose subtrees the account may see (analyst) or collect in (enumerator); empty = all. */
  unitScope: z.array(z.string()),
  /** Round ids the account may work on; empty = all. */
  rounds: z.array(z.string()),
  /** Until changed, the server refuses everything but changing the password and signing out. */
  mustChangePassword: z.boolean(),
});
export type Account = z.infer<typeof AccountSchema>;

/** POST /api/users, PATCH /api/users/:id, PUT /api/users/:id/password, POST /api/auth/password. */
export const AccountReplySchema = z.object({ user: AccountSchema });
export type AccountReply = z.infer<typeof AccountReplySchema>;
export const AccountListSchema = z.object({ users: z.array(AccountSchema) });
export type AccountList = z.infer<typeof AccountListSchema>;

/** POST /api/auth/login: the account and the CSRF token every later write must carry. */
export const LoginReplySchema = z.object({ user: AccountSchema, csrfToken: z.string() });
export type LoginReply = z.infer<typeof LoginReplySchema>;

/** GET /api/auth/me: the caller, or nobody; the CSRF token only for a session (a device token needs none). */
export const WhoAmISchema = z.object({
  user: AccountSchema.nullable(),
  csrfToken: z.string().nullable(),
  via: z.enum(["session", "device", "api-token"]).nullable(),
});
export type WhoAmI = z.infer<typeof WhoAmISchema>;

export const NewDeviceSchema = z.object({ label: z.string().min(1).max(100) }).strict();

/** POST /api/devices: the token is shown this once. */
export const DeviceCreatedSchema = z.object({ id: z.string(), token: z.string(), expiresAt: z.string() });
export type DeviceCreated = z.infer<typeof DeviceCreatedSchema>;

export const DeviceSchema = z.object({
  id: z.string(),
  label: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  username: z.string(),
});
export type Device = z.infer<typeof DeviceSchema>;
export const DeviceListSchema = z.object({ devices: z.array(DeviceSchema) });
export type DeviceList = z.infer<typeof DeviceListSchema>;

/** GET /api/audit: newest first. */
export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditListSchema = z.object({ entries: z.array(AuditEntrySchema) });
export type AuditList = z.infer<typeof AuditListSchema>;

/** A write that has nothing to show but that it happened (sign-out, revocations). */
export const OkSchema = z.object({ ok: z.literal(true) });
export type Ok = z.infer<typeof OkSchema>;
