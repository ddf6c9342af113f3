/**
 * Read-only API tokens for analysts (docs/api.md): R, Excel Power Query or Power BI pull results
 * and exports with `Authorization: Bearer <token>`. Only a hash of each token is kept; every token
 * expires; revoking keeps the row, so the list shows what existed and who ended it. Frozen.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .addColumn("revoked_by", "text")
    .addColumn("last_used_at", "text")
    .execute();
  await db.schema.createIndex("api_tokens_user").on("api_tokens").column("user_id").execute();
}
