/**
 * The migration list is complete, ordered, applies once on a fresh database, and is frozen: each
 * migration is pinned by a digest of the schema it produces (so reformatting a file or editing a
 * comment passes, but any change to what an applied migration does fails here). A new migration
 * adds its pin; an applied one is never edited — a later migration changes the schema instead.
 */
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { MIGRATIONS, migrate } from "../../server/db/migrate.js";
import { openDatabase, type Db } from "../../server/db/database.js";
import { createTestDatabase, DIALECTS, postgresAvailable, type TestDialect } from "../helpers/databases.js";
import { REPO_ROOT } from "../../server/config.js";

/** Digest of the schema after each migration, on SQLite and on PostgreSQL. */
const PINS: Record<string, { sqlite: string; postgres: string }> = {
  "0001-initial": { sqlite: "cf7638beb59097c7", postgres: "7fd3f2523eb2fe9c" },
  "0002-results": { sqlite: "8460254fc2d4f36f", postgres: "6b188533b291516c" },
  "0003-accounts": { sqlite: "45c2af27b2895cb5", postgres: "c490fb7114425c06" },
  "0004-peer-group-owners": { sqlite: "2782850fa6a9ff29", postgres: "89bd891631ffd200" },
  "0005-account-security": { sqlite: "4f88fb58930ea7b6", postgres: "d14b5926b82eced8" },
  "0006-par-index": { sqlite: "108fb0a23caa53a7", postgres: "29a79a8463c6a07e" },
  "0007-anonymous-invitations": { sqlite: "0df4cbb9229d5d7b", postgres: "7fec32b461dea580" },
  "0008-response-times": { sqlite: "d587ab366290f362", postgres: "9f48833725aa26fd" },
  "0009-catch-up-early-databases": { sqlite: "d587ab366290f362", postgres: "9f48833725aa26fd" },
  "0010-invitation-openings": { sqlite: "31736febf32061e9", postgres: "ca936fddcb077f71" },
  "0011-api-tokens": { sqlite: "c74ffd6ceb30d367", postgres: "163ef33c70ff0549" },
  "0012-round-designs": { sqlite: "361d27469b444725", postgres: "1168dd23e9de4457" },
};

async function schemaText(db: Db): Promise<string> {
  const k = db.kysely as unknown as Kysely<any>;
  if (db.dialect === "sqlite") {
    const rows = await sql<{ type: string; name: string; sql: string | null }>`
      select type, name, sql from sqlite_master where name not like 'sqlite_%' order by type, name`.execute(k);
    return rows.rows.map((r) => `${r.type} ${r.name}: ${(r.sql ?? "").replace(/\s+/g, " ")}`).join("\n");
  }
  const columns = await sql<Record<string, string>>`
    select table_name, column_name, data_type, is_nullable, coalesce(column_default, '') as d
    from information_schema.columns where table_schema = current_schema() order by table_name, column_name`.execute(k);
  const indexes = await sql<Record<string, string>>`
    select indexname, indexdef from pg_indexes where schemaname = current_schema() order by indexname`.execute(k);
  const constraints = await sql<Record<string, string>>`
    select conname, pg_get_constraintdef(c.oid) as def from pg_constraint c
    join pg_namespace n on n.oid = c.connamespace where n.nspname = current_schema() order by conname`.execute(k);
  return [...columns.rows, ...indexes.rows, ...constraints.rows].map((r) => Object.values(r).join(" ")).join("\n");
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

async function withDatabase<T>(dialect: TestDialect, run: (db: Db) => Promise<T>): Promise<T> {
  const database = await createTestDatabase(dialect);
  const db = openDatabase({ databaseUrl: database.databaseUrl, sqlitePath: database.sqlitePath });
  try {
    return await run(db);
  } finally {
    await db.close();
    await database.drop();
  }
}

describe("migrations", () => {
  it("list every file in server/db/migrations, in order", () => {
    const files = fs
      .readdirSync(path.join(REPO_ROOT, "server/db/migrations"))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
  });

  it.each(DIALECTS)("apply once on %s", async (dialect) => {
    if (dialect === "postgres" && !postgresAvailable) return;
    await withDatabase(dialect, async (db) => {
      expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await migrate(db)).toEqual([]);
      if (db.sqlite) {
        expect(db.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
        expect(db.sqlite.pragma("synchronous", { simple: true })).toBe(2);
        expect(db.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
      }
    });
  });

  it.each(DIALECTS)("are frozen: each one still produces the schema it was released with (%s)", async (dialect) => {
    if (dialect === "postgres" && !postgresAvailable) return;
    const seen = await withDatabase(dialect, async (db) => {
      const k = db.kysely as unknown as Kysely<any>;
      const out: Record<string, string> = {};
      for (const migration of MIGRATIONS) {
        await k.transaction().execute((trx) => migration.up(trx, db.dialect));
        out[migration.name] = digest(await schemaText(db));
      }
      return out;
    });
    const pinned = Object.fromEntries(Object.entries(PINS).map(([name, pin]) => [name, pin[dialect]]));
    expect(seen, "a released migration changed what it does; add a new migration instead (new ones add their pin)").toEqual(pinned);
  });

  it.each(DIALECTS)("bring a database made before round_rollups and par_agency_members up to date (%s)", async (dialect) => {
    if (dialect === "postgres" && !postgresAvailable) return;
    await withDatabase(dialect, async (db) => {
      await migrate(db);
      const k = db.kysely as unknown as Kysely<any>;
      // An early database: rollups written, but neither table, and the catch-up not yet applied.
      await k
        .insertInto("rollups")
        .values([
          { round_id: "r", unit_key: "a", group_code: "g", question_id: "q", code: "1", n: 2, w: 2, w2: 2 },
          { round_id: "r", unit_key: "b", group_code: "g", question_id: "q", code: "1", n: 3, w: 4.5, w2: 7 },
        ])
        .execute();
      await k.schema.dropTable("round_rollups").execute();
      await k.schema.dropTable("par_agency_members").execute();
      await k.deleteFrom("chiso_migrations").where("name", "=", "0009-catch-up-early-databases").execute();
      expect(await migrate(db)).toEqual(["0009-catch-up-early-databases"]);
      const sums = await k.selectFrom("round_rollups").selectAll().execute();
      expect(sums.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([{ round_id: "r", group_code: "g", question_id: "q", code: "1", n: 5, w: 6.5, w2: 9 }]);
      expect(await k.selectFrom("par_agency_members").selectAll().execute()).toEqual([]);
    });
  });
});
