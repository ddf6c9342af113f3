/** Account rules shared by the sign-in routes, the OpenRosa server and the command line: the new-account schema, the throttled password check, the public view of a user. */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { hashSecret, needsRehash, randomToken, verifySecret } from "../lib/secrets.js";
import { clientAddress } from "../http/rate-limit.js";
import { findUserByName, toUser, upgradePasswordHash, type User } from "./repository.js";
import type { Account } from "../../shared/api/accounts.js";
import { reserveAttempt } from "./throttle.js";

// The payload is the API's (shared/api/accounts.ts); the command line creates accounts with the same schema.
export { NewUserSchema } from "../../shared/api/accounts.js";

function throttled(c: Context<AppEnv>, retryAfterS: number): Problem {
  c.header("retry-after", String(retryAfterS));
  const [vi, en] =
    retryAfterS < 120 ? [`${retryAfterS} giây`, `${retryAfterS} seconds`] : [`${Math.ceil(retryAfterS / 60)} phút`, `${Math.ceil(retryAfterS / 60)} minutes`];
  return new Problem("sign_in_throttled", undefined, { retryAfterS, wait: { vi, en } });
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

export function publicUser(user: import("./repository.js").User): Account {
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
