/**
 * The PAR INDEX: an edition's par-index definition, the self-assessments (round × assessed unit ×
 * group) with their review status and one row per answered question, and the S, C and given inputs
 * of each assessed unit, and the agencies a department's account enters evidence for (docs/par-index.md).
 * Frozen once released.
 */
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  const real = sql`double precision`;
  // Null for every edition without a par-index.json: their content hashes stay as they were.
  await db.schema.alterTable("instrument_editions").addColumn("par_index_json", "text").execute();

  await db.schema
    .createTable("assessments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("round_id", "text", (c) => c.notNull().references("rounds.id"))
    .addColumn("unit_key", "text", (c) => c.notNull().references("units.key"))
    .addColumn("group_code", "text", (c) => c.notNull())
    // draft → submitted → reviewed; returned assessments go back to draft with return_reason set.
    .addColumn("status", "text", (c) => c.notNull())
    // Optimistic concurrency: every save and transition adds one.
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("return_reason", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .addUniqueConstraint("assessments_cell", ["round_id", "unit_key", "group_code"])
    .execute();

  await db.schema
    .createTable("assessment_answers")
    .addColumn("assessment_id", "text", (c) => c.notNull().references("assessments.id"))
    .addColumn("question_id", "text", (c) => c.notNull())
    // The answer as JSON (number, code, codes or text), exactly as validated.
    .addColumn("value_json", "text", (c) => c.notNull())
    // The assessment version this answer was last written at: a save based on an older version conflicts only on it.
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("num", real)
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("assessment_answers_pk", ["assessment_id", "question_id"])
    .execute();

  await db.schema
    .createTable("par_inputs")
    .addColumn("round_id", "text", (c) => c.notNull().references("rounds.id"))
    .addColumn("unit_key", "text", (c) => c.notNull().references("units.key"))
    // JSON: {round} or {published: {code: points}} or null, for the leader survey (S) and SIPAS (C).
    .addColumn("survey_json", "text")
    .addColumn("sipas_json", "text")
    // JSON: group → {TCTP code: points} entered directly (the council's score, or published results).
    .addColumn("given_json", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("par_inputs_pk", ["round_id", "unit_key"])
    .execute();

  // A department's account: it enters only the evidence of sub-criteria assigned to its agencies.
  await db.schema
    .createTable("par_agency_members")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("agency_code", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("par_agency_members_pk", ["user_id", "agency_code"])
    .execute();
}
