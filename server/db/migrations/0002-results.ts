/**
 * Results: index targets per round, peer groups of units for ranks, and an index that lets exports
 * page through a round's responses by id. Frozen; written against Kysely<any>, portable.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  // The whole target list of a round is replaced at once, so it is stored as one JSON document.
  await db.schema
    .createTable("index_targets")
    .addColumn("round_id", "text", (c) => c.primaryKey().references("rounds.id"))
    .addColumn("targets_json", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("peer_groups")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("label_vi", "text", (c) => c.notNull())
    .addColumn("label_en", "text", (c) => c.notNull())
    .addColumn("registry", "text", (c) => c.notNull().references("unit_registries.id"))
    .addColumn("members_json", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // Keyset pages (round_id = ? and id > ? order by id) read straight off this index.
  await db.schema.createIndex("responses_round_id").on("responses").columns(["round_id", "id"]).execute();
}
