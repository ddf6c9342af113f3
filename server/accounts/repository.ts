/** Users, passwords, sessions and device tokens: the SQL of the accounts feature (sign-in throttling: throttle.ts). */
import { randomUUID, createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, UserTable } from "../db/types.js";
import { hashSecret, randomToken } from "../lib/secrets.js";
import { sessionPolicy, DEVICE_DAYS } from "./policy.js";

import { ROLES, type Role } from "../../shared/api/accounts.js";

// The roles are the API's (shared/api/accounts.ts); the command line and the schema read them from here too.
export { ROLES, type Role };

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
  /** Signed in with a generated or reset password: only changing it and signing out are allowed. */
  mustChangePassword: boolean;
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
    mustChangePassword: row.must_change_password === 1,
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
  mustChangePassword?: boolean;
}

export async function createUser(db: Kysely<Database>, input: NewUser): Promise<User> {
  const row: UserTable = {
    id: randomUUID(),
    username: input.username.normalize("NFC").toLowerCase(),
    display_name: input.displayName.normalize("NFC"),
    role: input.role,
    password_hash: await hashSecret(input.password),
    disabled: 0,
    unit_scope_json: JSON.stringify(input.unitScope ?? []),
    rounds_json: JSON.stringify(input.rounds ?? []),
    created_at: new Date().toISOString(),
    must_change_password: input.mustChangePassword ? 1 : 0,
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
  await db
    .updateTable("users")
    .set({ disabled: disabled ? 1 : 0 })
    .where("id", "=", id)
    .execute();
  // A disabled account loses its sessions, devices and API tokens at once (enabling it again
  // brings none of them back: new ones are made).
  if (disabled) {
    const now = new Date().toISOString();
    await db.deleteFrom("sessions").where("user_id", "=", id).execute();
    await db.updateTable("device_tokens").set({ revoked_at: now }).where("user_id", "=", id).where("revoked_at", "is", null).execute();
    await db
      .updateTable("api_tokens")
      .set({ revoked_at: now, revoked_by: "(account disabled)" })
      .where("user_id", "=", id)
      .where("revoked_at", "is", null)
      .execute();
  }
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Sets a new password. `mustChange`: the next sign-in must change it (an administrator's reset).
 * Every session of the account ends except `keepSession` (the one that made the change).
 */
export async function setPassword(
  db: Kysely<Database>,
  userId: string,
  password: string,
  options: { mustChange: boolean; keepSession?: string },
): Promise<void> {
  const hash = await hashSecret(password);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("users")
      .set({ password_hash: hash, must_change_password: options.mustChange ? 1 : 0 })
      .where("id", "=", userId)
      .execute();
    let sessions = trx.deleteFrom("sessions").where("user_id", "=", userId);
    if (options.keepSession) sessions = sessions.where("token_hash", "<>", tokenHash(options.keepSession));
    await sessions.execute();
  });
}

/** Rewrites a hash with the current scrypt cost after a successful sign-in (same password). */
export async function upgradePasswordHash(db: Kysely<Database>, userId: string, oldHash: string, password: string): Promise<void> {
  const hash = await hashSecret(password);
  // Only if unchanged meanwhile: a password change racing the sign-in wins.
  await db.updateTable("users").set({ password_hash: hash }).where("id", "=", userId).where("password_hash", "=", oldHash).execute();
}

export async function createSession(db: Kysely<Database>, userId: string, now = Date.now()): Promise<{ token: string; csrf: string; expiresAt: string }> {
  const token = randomToken(32);
  const csrf = randomToken(24);
  const expiresAt = new Date(now + sessionPolicy().absoluteMs).toISOString();
  const at = new Date(now).toISOString();
  await db
    .insertInto("sessions")
    .values({ token_hash: tokenHash(token), user_id: userId, csrf_token: csrf, created_at: at, expires_at: expiresAt, last_seen_at: at })
    .execute();
  return { token, csrf, expiresAt };
}

/** Writing the last use on every request would turn reads into writes; once a minute is precise enough for a 30-minute timeout. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The account behind a session token, if the session is still alive: not past its absolute
 * lifetime, used within the idle timeout, account enabled. A dead session is deleted.
 */
export async function resumeSession(db: Kysely<Database>, token: string, now = Date.now()): Promise<{ user: User; csrf: string } | null> {
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("users")
    .select(["sessions.csrf_token", "sessions.expires_at", "sessions.token_hash", "sessions.created_at as session_created_at", "sessions.last_seen_at"])
    .where("sessions.token_hash", "=", tokenHash(token))
    .executeTakeFirst();
  if (!row) return null;
  const lastSeen = Date.parse(row.last_seen_at ?? row.session_created_at);
  if (Date.parse(row.expires_at) <= now || now - lastSeen >= sessionPolicy().idleMs) {
    await db.deleteFrom("sessions").where("token_hash", "=", row.token_hash).execute();
    return null;
  }
  if (row.disabled === 1) return null;
  if (now - lastSeen >= TOUCH_EVERY_MS) {
    await db
      .updateTable("sessions")
      .set({ last_seen_at: new Date(now).toISOString() })
      .where("token_hash", "=", row.token_hash)
      .execute();
  }
  return { user: toUser(row), csrf: row.csrf_token };
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom("sessions").where("token_hash", "=", tokenHash(token)).execute();
}

const DEVICE_MS = DEVICE_DAYS * 86_400_000;

/** A device token for an enumerator account (the caller checks the role); it expires after DEVICE_DAYS without use. */
export async function createDeviceToken(
  db: Kysely<Database>,
  userId: string,
  label: string,
  now = Date.now(),
): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = randomToken(32);
  const id = randomUUID();
  const expiresAt = new Date(now + DEVICE_MS).toISOString();
  await db
    .insertInto("device_tokens")
    .values({
      id,
      token_hash: tokenHash(token),
      user_id: userId,
      label: label.slice(0, 100),
      created_at: new Date(now).toISOString(),
      revoked_at: null,
      expires_at: expiresAt,
    })
    .execute();
  return { id, token, expiresAt };
}

/**
 * The enumerator behind a device token, if the token is alive: not revoked, not expired, its
 * account enabled and an enumerator's (a device carries only an enumerator's rights). Each use
 * pushes the expiry back to DEVICE_DAYS from now (at most one write a day).
 */
export async function resumeDevice(db: Kysely<Database>, token: string, now = Date.now()): Promise<{ user: User; deviceId: string } | null> {
  const row = await db
    .selectFrom("device_tokens")
    .innerJoin("users", "users.id", "device_tokens.user_id")
    .selectAll("users")
    .select(["device_tokens.id as device_id", "device_tokens.revoked_at", "device_tokens.expires_at"])
    .where("device_tokens.token_hash", "=", tokenHash(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled === 1 || row.role !== "enumerator") return null;
  const expires = row.expires_at ? Date.parse(row.expires_at) : 0;
  if (expires <= now) return null;
  if (now + DEVICE_MS - expires >= 86_400_000) {
    await db
      .updateTable("device_tokens")
      .set({ expires_at: new Date(now + DEVICE_MS).toISOString() })
      .where("id", "=", row.device_id)
      .execute();
  }
  return { user: toUser(row), deviceId: row.device_id };
}

export async function listDevices(db: Kysely<Database>) {
  return db
    .selectFrom("device_tokens")
    .innerJoin("users", "users.id", "device_tokens.user_id")
    .select(["device_tokens.id", "device_tokens.label", "device_tokens.created_at", "device_tokens.revoked_at", "device_tokens.expires_at", "users.username"])
    .orderBy("device_tokens.created_at", "desc")
    .execute();
}

export async function revokeDevice(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db
    .updateTable("device_tokens")
    .set({ revoked_at: new Date().toISOString() })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
