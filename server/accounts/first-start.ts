/** On a database without accounts, creates the first administrator and prints its one-time password. */
import type { AppContext } from "../app-context.js";
import { countUsers, createUser } from "./repository.js";
import { randomToken } from "../lib/secrets.js";
import { audit } from "./audit.js";

export interface CreatedAccount {
  username: string;
  password: string;
}

export async function ensureFirstAdmin(ctx: AppContext, env: NodeJS.ProcessEnv = process.env): Promise<CreatedAccount | null> {
  if ((await countUsers(ctx.db.kysely)) > 0) return null;
  const username = env.CHISO_ADMIN_USER ?? "admin";
  const password = env.CHISO_ADMIN_PASSWORD ?? randomToken(12);
  try {
    await createUser(ctx.db.kysely, { username, displayName: "Quản trị viên", role: "admin", password });
  } catch (error) {
    // Another server process starting at the same moment created it first.
    if ((await countUsers(ctx.db.kysely)) > 0) return null;
    throw error;
  }
  await audit(ctx.db.kysely, "system", "user.create", username, { role: "admin", firstStart: true });
  return { username, password };
}
