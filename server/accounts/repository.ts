/** Users, sessions, device tokens and login throttling: all SQL of the accounts feature. */
import { randomUUID, createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, UserTable } from "../db/types.js";
import { hashSecret, randomToken } from "../lib/secrets.js";

export const ROLES = ["admin", "analyst", "enumerator"] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  /** Unit keys whose subtrees this user may see (analyst) or collect in (enumerator); empty = all. */
  unitScope: string[];
  /** Round ids this user may work on; empty = all. */
  rounds: string[];
  createdAt: string;
}

export function toUser(row: UserTable): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    disabled: row.disabled === 1,
    unitScope: JSON.parse(row.unit_scope_json) as string[],
    rounds: JSON.parse(row.rounds_json) as string[],
    createdAt: row.created_at,
  };
}

/** Session and device tokens are stored only as hashes: a copy of the database gives no access. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  unitScope?: string[];
  rounds?: string[];
}

export async function createUser(db: Kysely<Database>, input: NewUser): Promise<User> {
  const row: UserTable = {
    id: randomUUID(),
    username: input.username.normalize("NFC").toLowerCase(),
    display_name: input.displayName.normalize("NFC"),
    role: input.role,
    password_hash: hashSecret(input.password),
    disabled: 0,
    unit_scope_json: JSON.stringify(input.unitScope ?? []),
    rounds_json: JSON.stringify(input.rounds ?? []),
    created_at: new Date().toISOString(),
  };
  await db.insertInto("users").values(row).execute();
  return toUser(row);
}

export async function findUserByName(db: Kysely<Database>, username: string) {
  return db.selectFrom("users").selectAll().where("username", "=", username.normalize("NFC").toLowerCase()).executeTakeFirst();
}

export async function findUser(db: Kysely<Database>, id: string): Promise<User | null> {
  const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  return (await db.selectFrom("users").selectAll().orderBy("username").execute()).map(toUser);
}

export async function setUserDisabled(db: Kysely<Database>, id: string, disabled: boolean): Promise<void> {
  await db.updateTable("users").set({ disabled: disabled ? 1 : 0 }).where("id", "=", id).execute();
  // A disabled account loses its sessions and devices at once.
  if (disabled) {
    await db.deleteFrom("sessions").where("user_id", "=", id).execute();
    await db.updateTable("device_tokens").set({ revoked_at: new Date().toISOString() }).where("user_id", "=", id).where("revoked_at", "is", null).execute();
  }
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

export const SESSION_HOURS = 12;

export async function createSession(db: Kysely<Database>, userId: string): Promise<{ token: string; csrf: string; expiresAt: string }> {
  const token = randomToken(32);
  const csrf = randomToken(24);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
  await db.insertInto("sessions").values({ token_hash: tokenHash(token), user_id: userId, csrf_token: csrf, created_at: now.toISOString(), expires_at: expiresAt }).execute();
  return { token, csrf, expiresAt };
}

export async function findSession(db: Kysely<Database>, token: string) {
  return db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("users")
    .select(["sessions.csrf_token", "sessions.expires_at", "sessions.token_hash"])
    .where("sessions.token_hash", "=", tokenHash(token))
    .executeTakeFirst();
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom("sessions").where("token_hash", "=", tokenHash(token)).execute();
}

export async function createDeviceToken(db: Kysely<Database>, userId: string, label: string): Promise<{ id: string; token: string }> {
  const token = randomToken(32);
  const id = randomUUID();
  await db.insertInto("device_tokens").values({ id, token_hash: tokenHash(token), user_id: userId, label: label.slice(0, 100), created_at: new Date().toISOString(), revoked_at: null }).execute();
  return { id, token };
}

export async function findDevice(db: Kysely<Database>, token: string) {
  return db
    .selectFrom("device_tokens")
    .innerJoin("users", "users.id", "device_tokens.user_id")
    .selectAll("users")
    .select(["device_tokens.id as device_id", "device_tokens.revoked_at"])
    .where("device_tokens.token_hash", "=", tokenHash(token))
    .executeTakeFirst();
}

export async function listDevices(db: Kysely<Database>) {
  return db
    .selectFrom("device_tokens")
    .innerJoin("users", "users.id", "device_tokens.user_id")
    .select(["device_tokens.id", "device_tokens.label", "device_tokens.created_at", "device_tokens.revoked_at", "users.username"])
    .orderBy("device_tokens.created_at", "desc")
    .execute();
}

export async function revokeDevice(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.updateTable("device_tokens").set({ revoked_at: new Date().toISOString() }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * After 5 failures within 15 minutes a username is locked for 15 minutes; an address, shared by
 * everyone behind one office router, after 20.
 */
export const THROTTLE = { failures: 5, addressFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export async function throttleState(db: Kysely<Database>, key: string, now = Date.now()): Promise<{ locked: boolean; retryAfterS: number }> {
  const row = await db.selectFrom("login_throttle").selectAll().where("key", "=", key).executeTakeFirst();
  if (row?.locked_until && Date.parse(row.locked_until) > now) {
    return { locked: true, retryAfterS: Math.ceil((Date.parse(row.locked_until) - now) / 1000) };
  }
  return { locked: false, retryAfterS: 0 };
}

export async function recordLoginFailure(db: Kysely<Database>, key: string, now = Date.now()): Promise<void> {
  const row = await db.selectFrom("login_throttle").selectAll().where("key", "=", key).executeTakeFirst();
  const inWindow = row && now - Date.parse(row.window_start) < THROTTLE.windowMs;
  const failures = inWindow ? row.failures + 1 : 1;
  const values = {
    key,
    failures,
    window_start: inWindow ? row.window_start : new Date(now).toISOString(),
    locked_until: failures >= (key.startsWith("addr:") ? THROTTLE.addressFailures : THROTTLE.failures) ? new Date(now + THROTTLE.lockMs).toISOString() : null,
  };
  await db
    .insertInto("login_throttle")
    .values(values)
    .onConflict((oc) => oc.column("key").doUpdateSet({ failures: values.failures, window_start: values.window_start, locked_until: values.locked_until }))
    .execute();
}

export async function clearLoginFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("key", "=", key).execute();
}
