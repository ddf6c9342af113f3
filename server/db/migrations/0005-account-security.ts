/**
 * Account security: a flag forcing a password change at next sign-in, the last use of a session
 * (idle timeout), and an expiry for device tokens, which only enumerator accounts may hold. Frozen.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";

const DEVICE_DAYS_AT_MIGRATION = 90;

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("must_change_password", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // ISO time of the last request made with the session; null until its first use after sign-in.
  await db.schema.alterTable("sessions").addColumn("last_seen_at", "text").execute();
  await db.schema.alterTable("device_tokens").addColumn("expires_at", "text").execute();

  const now = new Date();
  // Devices registered by administrators or analysts carried their full rights: revoke them.
  const privileged = db.selectFrom("users").select("id").where("role", "<>", "enumerator");
  await db.updateTable("device_tokens").set({ revoked_at: now.toISOString() }).where("revoked_at", "is", null).where("user_id", "in", privileged).execute();
  // Enumerators' devices keep working for one lifetime from today instead of forever.
  const expires = new Date(now.getTime() + DEVICE_DAYS_AT_MIGRATION * 86_400_000).toISOString();
  await db.updateTable("device_tokens").set({ expires_at: expires }).where("expires_at", "is", null).execute();
  // Throttle keys change meaning (per user and address now): start from a clean slate.
  await db.deleteFrom("login_throttle").execute();
}
