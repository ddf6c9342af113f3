/**
 * On a database without accounts, creates the first administrator. A generated password is printed
 * once and must be changed at the first sign-in; CHISO_ADMIN_PASSWORD, when set, must meet the
 * password policy (the server refuses to start otherwise).
 */
import type { AppContext } from "../app-context.js";
import { countUsers, createUser } from "./repository.js";
import { randomToken } from "../lib/secrets.js";
import { audit } from "./audit.js";
import { judgePassword } from "../../shared/accounts/password-policy.js";
import { fieldError } from "../../shared/errors.js";
import { Problem } from "../http/problem.js";

export interface CreatedAccount {
  username: string;
  /** The generated password to print, or null when the operator chose it (CHISO_ADMIN_PASSWORD). */
  password: string | null;
}

const DISPLAY_NAME = "Quản trị viên";

export async function ensureFirstAdmin(ctx: AppContext, env: NodeJS.ProcessEnv = process.env): Promise<CreatedAccount | null> {
  if ((await countUsers(ctx.db.kysely)) > 0) return null;
  const username = env.CHISO_ADMIN_USER ?? "admin";
  const chosen = env.CHISO_ADMIN_PASSWORD;
  if (chosen !== undefined) {
    const verdict = judgePassword(chosen, [username, DISPLAY_NAME]);
    if (!verdict.ok) {
      throw new Problem("weak_password", [fieldError("CHISO_ADMIN_PASSWORD", "weak_password", verdict.text)], undefined, {
        vi: `CHISO_ADMIN_PASSWORD không dùng được: ${verdict.text.vi}`,
        en: `CHISO_ADMIN_PASSWORD cannot be used: ${verdict.text.en}`,
      });
    }
  }
  const password = chosen ?? randomToken(12);
  try {
    await createUser(ctx.db.kysely, { username, displayName: DISPLAY_NAME, role: "admin", password, mustChangePassword: chosen === undefined });
  } catch (error) {
    // Another server process starting at the same moment created it first.
    if ((await countUsers(ctx.db.kysely)) > 0) return null;
    throw error;
  }
  await audit(ctx.db.kysely, "system", "user.create", username, { role: "admin", firstStart: true });
  return { username, password: chosen === undefined ? password : null };
}
