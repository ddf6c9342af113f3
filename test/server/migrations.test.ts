/** The migration list is complete, ordered, and applies once on a fresh database. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MIGRATIONS, migrate } from "../../server/db/migrate.js";
import { openDatabase } from "../../server/db/database.js";
import { createTestDatabase, DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { REPO_ROOT } from "../../server/config.js";

describe("migrations", () => {
  it("list every file in server/db/migrations, in order", () => {
    const files = fs.readdirSync(path.join(REPO_ROOT, "server/db/migrations")).map((f) => f.replace(/\.ts$/, "")).sort();
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
  });

  it.each(DIALECTS)("apply once on %s", async (dialect) => {
    if (dialect === "postgres" && !postgresAvailable) return;
    const database = await createTestDatabase(dialect);
    const db = openDatabase({ databaseUrl: database.databaseUrl, sqlitePath: database.sqlitePath });
    try {
      expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await migrate(db)).toEqual([]);
      if (db.sqlite) {
        expect(db.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
        expect(db.sqlite.pragma("synchronous", { simple: true })).toBe(2);
        expect(db.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
      }
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
