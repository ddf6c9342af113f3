/**
 * Opens the database: embedded SQLite by default (one file, WAL, synchronous=FULL so that every
 * acknowledged commit is on disk), PostgreSQL when a connection string is given.
 */
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { Kysely, SqliteDialect, PostgresDialect } from "kysely";
import type { Database } from "./types.js";

export type Dialect = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** The raw SQLite handle, for the few places that need it (backups, pragmas); null on PostgreSQL. */
  sqlite: SQLite.Database | null;
  close(): Promise<void>;
}

export interface DbConfig {
  /** postgres://… — when set, PostgreSQL is used. */
  databaseUrl?: string | undefined;
  /** SQLite file; default ./data/chiso.db. */
  sqlitePath?: string | undefined;
  /** Pool size for PostgreSQL. */
  poolSize?: number | undefined;
}

// PostgreSQL returns BIGINT (count(*), sums of integers) as strings by default; our counts fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export function openDatabase(config: DbConfig): Db {
  if (config.databaseUrl) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize ?? 10 });
    // An idle connection closed by the server (restart, administrator) must not crash the process:
    // the pool drops it and opens a new one on the next query.
    pool.on("error", (error) => console.warn(`PostgreSQL connection lost: ${error.message}`));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: "postgres", sqlite: null, close: () => kysely.destroy() };
  }
  const file = config.sqlitePath ?? path.resolve("data", "chiso.db");
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // Deleted and overwritten content is zeroed, so a freed page reused by another table never
  // carries old bytes along (an earlier opened-invitations set showed up in a page of answers).
  sqlite.pragma("secure_delete = ON");
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, dialect: "sqlite", sqlite, close: () => kysely.destroy() };
}
