/**
 * The sampling design of a round (docs/statistics.md §1, decision 0020): one row per round that
 * declares one, the design as JSON (PSU level, strata level, weight source, FPC, lonely-PSU rule,
 * reliability thresholds). A round without a row is read with the default design.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("round_designs")
    .addColumn("round_id", "text", (c) => c.primaryKey().references("rounds.id"))
    .addColumn("design_json", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}
