/**
 * Brings databases created by early builds up to date. Two migrations were edited after they had
 * been applied somewhere: 0001 gained `round_rollups` (so a database made before that has none)
 * and 0006 gained `par_agency_members`. This migration creates whichever is missing, and fills
 * `round_rollups` from `rollups`, of which it is the sum over units. On a database made by the
 * current migrations it does nothing. Frozen once released, like every migration.
 */
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../database.js";

async function tableExists(db: Kysely<any>, dialect: Dialect, name: string): Promise<boolean> {
  const found =
    dialect === "sqlite"
      ? await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${name}`.execute(db)
      : await sql<{
          n: number;
        }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${name}`.execute(db);
  return Number(found.rows[0]?.n ?? 0) > 0;
}

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const real = sql`double precision`;
  if (!(await tableExists(db, dialect, "round_rollups"))) {
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
    await sql`insert into round_rollups (round_id, group_code, question_id, code, n, w, w2)
      select round_id, group_code, question_id, code, sum(n), sum(w), sum(w2)
      from rollups group by round_id, group_code, question_id, code`.execute(db);
  }
  if (!(await tableExists(db, dialect, "par_agency_members"))) {
    await db.schema
      .createTable("par_agency_members")
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
      .addColumn("agency_code", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("par_agency_members_pk", ["user_id", "agency_code"])
      .execute();
  }
}
