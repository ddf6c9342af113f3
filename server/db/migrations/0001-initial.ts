/**
 * Initial schema. Frozen: later changes go in new migrations. Written against Kysely<any> and
 * portable between SQLite and PostgreSQL; the one dialect branch is explicit.
 */
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const real = sql`double precision`;
  await db.schema
    .createTable("instrument_editions")
    .addColumn("edition_id", "text", (c) => c.notNull())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("family", "text", (c) => c.notNull())
    .addColumn("year", "integer", (c) => c.notNull())
    .addColumn("title_vi", "text", (c) => c.notNull())
    .addColumn("title_en", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("instrument_json", "text", (c) => c.notNull())
    .addColumn("index_json", "text")
    .addColumn("imported_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("instrument_editions_pk", ["edition_id", "version"])
    .execute();

  await db.schema
    .createTable("unit_registries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("valid_from", "text", (c) => c.notNull())
    .addColumn("valid_to", "text")
    .execute();

  await db.schema
    .createTable("units")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("registry", "text", (c) => c.notNull().references("unit_registries.id"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("level", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("full_name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("name_en", "text")
    .addColumn("name_folded", "text", (c) => c.notNull())
    .addColumn("former_names", "text")
    .addColumn("parent_key", "text", (c) => c.references("units.key"))
    .addColumn("valid_from", "text", (c) => c.notNull())
    .addColumn("valid_to", "text")
    .execute();
  await db.schema.createIndex("units_registry_level").on("units").columns(["registry", "level"]).execute();
  await db.schema.createIndex("units_parent").on("units").column("parent_key").execute();
  await db.schema.createIndex("units_folded").on("units").column("name_folded").execute();

  await db.schema
    .createTable("unit_crosswalk")
    .addColumn("from_key", "text", (c) => c.notNull().references("units.key"))
    .addColumn("to_key", "text", (c) => c.notNull().references("units.key"))
    .addColumn("level", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("unit_crosswalk_pk", ["from_key", "to_key"])
    .execute();
  await db.schema.createIndex("unit_crosswalk_to").on("unit_crosswalk").column("to_key").execute();

  await db.schema
    .createTable("rounds")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("title_vi", "text", (c) => c.notNull())
    .addColumn("title_en", "text", (c) => c.notNull())
    .addColumn("edition_id", "text", (c) => c.notNull())
    .addColumn("edition_version", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("period_start", "text")
    .addColumn("period_end", "text")
    .addColumn("registry", "text", (c) => c.notNull().references("unit_registries.id"))
    .addColumn("scope_json", "text", (c) => c.notNull())
    .addColumn("groups_json", "text", (c) => c.notNull())
    .addColumn("modes_json", "text", (c) => c.notNull())
    .addColumn("min_cell_size", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addForeignKeyConstraint("rounds_edition_fk", ["edition_id", "edition_version"], "instrument_editions", ["edition_id", "version"])
    .execute();

  await db.schema
    .createTable("round_targets")
    .addColumn("round_id", "text", (c) => c.notNull().references("rounds.id"))
    .addColumn("unit_key", "text", (c) => c.notNull().references("units.key"))
    .addColumn("group_code", "text", (c) => c.notNull())
    .addColumn("target", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("round_targets_pk", ["round_id", "unit_key", "group_code"])
    .execute();

  // Responses are keyed by a random UUID. On SQLite the table has no rowid, so no hidden
  // sequential column records insertion order (anonymity of invitation responses).
  let responses = db.schema
    .createTable("responses")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("round_id", "text", (c) => c.notNull().references("rounds.id"))
    .addColumn("edition_id", "text", (c) => c.notNull())
    .addColumn("edition_version", "text", (c) => c.notNull())
    .addColumn("unit_key", "text", (c) => c.notNull().references("units.key"))
    .addColumn("group_code", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("device_id", "text")
    .addColumn("enumerator_id", "text")
    .addColumn("started_at", "text")
    .addColumn("submitted_at", "text")
    .addColumn("received_on", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("weight", real)
    .addColumn("payload_json", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("receipt_code", "text", (c) => c.notNull());
  if (dialect === "sqlite") responses = responses.modifyEnd(sql`without rowid`);
  await responses.execute();
  await db.schema.createIndex("responses_round_unit").on("responses").columns(["round_id", "unit_key"]).execute();

  let answers = db.schema
    .createTable("answers")
    .addColumn("response_id", "text", (c) => c.notNull().references("responses.id"))
    .addColumn("question_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("code", "text")
    .addColumn("num", real)
    .addColumn("text", "text")
    .addPrimaryKeyConstraint("answers_pk", ["response_id", "question_id", "seq"]);
  if (dialect === "sqlite") answers = answers.modifyEnd(sql`without rowid`);
  await answers.execute();

  await db.schema
    .createTable("rollups")
    .addColumn("round_id", "text", (c) => c.notNull())
    .addColumn("unit_key", "text", (c) => c.notNull())
    .addColumn("group_code", "text", (c) => c.notNull())
    .addColumn("question_id", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("n", "bigint", (c) => c.notNull())
    .addColumn("w", real, (c) => c.notNull())
    .addColumn("w2", real, (c) => c.notNull())
    .addPrimaryKeyConstraint("rollups_pk", ["round_id", "unit_key", "group_code", "question_id", "code"])
    .execute();

  // The same counts summed over all units of a round: whole-round results read a few hundred rows.
  await db.schema
    .createTable("round_rollups")
    .addColumn("round_id", "text", (c) => c.notNull())
    .addColumn("group_code", "text", (c) => c.notNull())
    .addColumn("question_id", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("n", "bigint", (c) => c.notNull())
    .addColumn("w", real, (c) => c.notNull())
    .addColumn("w2", real, (c) => c.notNull())
    .addPrimaryKeyConstraint("round_rollups_pk", ["round_id", "group_code", "question_id", "code"])
    .execute();

  await db.schema
    .createTable("cell_totals")
    .addColumn("round_id", "text", (c) => c.notNull())
    .addColumn("unit_key", "text", (c) => c.notNull())
    .addColumn("group_code", "text", (c) => c.notNull())
    .addColumn("n", "bigint", (c) => c.notNull())
    .addColumn("w", real, (c) => c.notNull())
    .addColumn("w2", real, (c) => c.notNull())
    .addPrimaryKeyConstraint("cell_totals_pk", ["round_id", "unit_key", "group_code"])
    .execute();

  await db.schema
    .createTable("meta")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
}
