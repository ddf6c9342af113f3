/**
 * Read-only API tokens of analysts: the SQL and the rules (docs/api.md, decision 0019). A token
 * carries the rights and scope of the analyst account that made it, read live at each use, so a
 * change of the account's rounds or area applies to its tokens at once. Only a hash is stored.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { ApiTokenTable, Database } from "../db/types.js";
import { randomToken } from "../lib/secrets.js";
import { tokenHash, toUser, type User } from "./repository.js";
import { API_TOKEN_MAX_DAYS, API_TOKEN_PREFIX, type ApiToken } from "../../shared/api/api-tokens.js";

const DAY_MS = 86_400_000;
/** Recording the last use on every call would turn reads into writes; once an hour is enough to see a token is alive. */
const TOUCH_EVERY_MS = 3_600_000;

/** Whether a bearer credential is an API token (as opposed to an enumerator's device token). */
export function isApiToken(bearer: string): boolean {
  return bearer.startsWith(API_TOKEN_PREFIX);
}

function toApiToken(row: ApiTokenTable & { username: string }, now: number): ApiToken {
  return {
    id: row.id,
    label: row.label,
    username: row.username,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    lastUsedAt: row.last_used_at,
    active: !row.revoked_at && Date.parse(row.expires_at) > now,
  };
}

/** Makes a token for `user` (the caller checks the role). Returns the token once; only its hash is kept. */
export async function createApiToken(
  db: Kysely<Database>,
  user: User,
  input: { label: string; expiresInDays: number },
  now = Date.now(),
): Promise<{ token: string; apiToken: ApiToken }> {
  if (!(Number.isInteger(input.expiresInDays) && input.expiresInDays >= 1 && input.expiresInDays <= API_TOKEN_MAX_DAYS)) {
    throw new RangeError(`expiresInDays must be 1..${API_TOKEN_MAX_DAYS}`);
  }
  const token = API_TOKEN_PREFIX + randomToken(32);
  const row: ApiTokenTable = {
    id: randomUUID(),
    token_hash: tokenHash(token),
    user_id: user.id,
    label: input.label.normalize("NFC"),
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + input.expiresInDays * DAY_MS).toISOString(),
    revoked_at: null,
    revoked_by: null,
    last_used_at: null,
  };
  await db.insertInto("api_tokens").values(row).execute();
  return { token, apiToken: toApiToken({ ...row, username: user.username }, now) };
}

/**
 * The analyst behind a token, if the token is alive: known, not revoked, not expired, its account
 * enabled and still an analyst's. Anything else is null (the caller answers 401).
 */
export async function resumeApiToken(db: Kysely<Database>, token: string, now = Date.now()): Promise<{ user: User; tokenId: string } | null> {
  const row = await db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .selectAll("users")
    .select(["api_tokens.id as token_id", "api_tokens.revoked_at", "api_tokens.expires_at", "api_tokens.last_used_at"])
    .where("api_tokens.token_hash", "=", tokenHash(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled === 1 || row.role !== "analyst") return null;
  if (!(Date.parse(row.expires_at) > now)) return null;
  if (!row.last_used_at || now - Date.parse(row.last_used_at) >= TOUCH_EVERY_MS) {
    await db
      .updateTable("api_tokens")
      .set({ last_used_at: new Date(now).toISOString() })
      .where("id", "=", row.token_id)
      .execute();
  }
  return { user: toUser(row), tokenId: row.token_id };
}

/** Tokens of one account (`userId`), or of every account (null, for administrators); newest first. */
export async function listApiTokens(db: Kysely<Database>, userId: string | null, now = Date.now()): Promise<ApiToken[]> {
  let q = db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .selectAll("api_tokens")
    .select("users.username")
    .orderBy("api_tokens.created_at", "desc")
    .orderBy("api_tokens.id");
  if (userId) q = q.where("api_tokens.user_id", "=", userId);
  return (await q.execute()).map((row) => toApiToken(row, now));
}

/**
 * Revokes a token that is still unrevoked; `ownerId` limits it to one account's tokens (an analyst
 * revoking their own). Returns the token's owner, or null when there was nothing to revoke.
 */
export async function revokeApiToken(
  db: Kysely<Database>,
  id: string,
  by: string,
  ownerId: string | null,
  now = Date.now(),
): Promise<{ username: string } | null> {
  const found = await db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .select(["api_tokens.user_id", "users.username"])
    .where("api_tokens.id", "=", id)
    .where("api_tokens.revoked_at", "is", null)
    .executeTakeFirst();
  if (!found || (ownerId && found.user_id !== ownerId)) return null;
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date(now).toISOString(), revoked_by: by })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0 ? { username: found.username } : null;
}
