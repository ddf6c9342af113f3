/**
 * Opens the database: embedded SQLite by default (one file, WAL, synchronous=FULL so that every
 * acknowledged commit is on disk), PostgreSQL when a connection string is given.
 */
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { CompiledQuery, Kysely, SqliteDialect, PostgresDialect, type DatabaseConnection, type Driver } from "kysely";
import type { Database } from "./types.js";

export type Dialect = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** The raw SQLite handle, for the few places that need it (backups, pragmas); null on PostgreSQL. */
  sqlite: SQLite.Database | null;
  /** The PostgreSQL connection string (absent on SQLite): export workers open their own connection with it. */
  url?: string;
  /** Runs `task` (e.g. stopping the SQLite writer thread) before the connection closes. */
  onClose(task: () => Promise<void>): void;
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
    return { kysely, dialect: "postgres", sqlite: null, url: config.databaseUrl, ...closing(kysely) };
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
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return { kysely, dialect: "sqlite", sqlite, ...closing(kysely) };
}

function closing(kysely: Kysely<Database>): Pick<Db, "onClose" | "close"> {
  const tasks: Array<() => Promise<void>> = [];
  return {
    onClose: (task) => void tasks.push(task),
    async close() {
      for (const task of tasks.splice(0)) await task();
      await kysely.destroy();
    },
  };
}

/**
 * Transactions that take the write lock when they begin. The responses' writer thread has a
 * connection of its own: a deferred transaction that read before it wrote would fail at once
 * (SQLITE_BUSY) when the writer committed in between, where an immediate one waits its turn.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw("begin immediate"));
    };
    return driver;
  }
}
