/**
 * The database as commands see it: `migrate` and `import` bring it up to date; every other command
 * opens one that already is, and says how to fix it otherwise instead of creating or changing it.
 */
import fs from "node:fs";
import type { Writable } from "node:stream";
import type { AppContext } from "../app-context.js";
import { openContext } from "../bootstrap.js";
import type { Config } from "../config.js";
import { MIGRATIONS, migrate } from "../db/migrate.js";
import { importVendoredRegistries, registriesLoaded } from "../units/import.js";
import { CliError } from "./command-line.js";
import { progressBar, type Progress } from "./progress.js";

function open(config: Config): Promise<AppContext> {
  return openContext({ ...config, clientDir: null });
}

/** Names of migrations not applied yet (all of them on an empty database). */
async function pendingMigrations(ctx: AppContext): Promise<string[]> {
  let applied: Set<string>;
  try {
    const rows = await (ctx.db.kysely as unknown as import("kysely").Kysely<{ chiso_migrations: { name: string } }>)
      .selectFrom("chiso_migrations")
      .select("name")
      .execute();
    applied = new Set(rows.map((r) => r.name));
  } catch {
    applied = new Set();
  }
  return MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
}

const notMigrated = (where: string) =>
  new CliError({
    vi: `Cơ sở dữ liệu ${where} chưa được tạo hoặc cập nhật. Hãy chạy “chiso migrate” trước.`,
    en: `The database ${where} is not set up or not up to date. Run “chiso migrate” first.`,
  });

/** Opens a database that is migrated and holds the unit registries, runs `fn`, closes it. Writes nothing itself. */
export async function withDatabase<T>(config: Config, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const where = config.databaseUrl ? "(PostgreSQL)" : config.sqlitePath;
  // Opening a missing SQLite file would create it: a command that only reads must not.
  if (!config.databaseUrl && !fs.existsSync(config.sqlitePath)) throw notMigrated(where);
  const ctx = await open(config);
  try {
    if ((await pendingMigrations(ctx)).length > 0 || !(await registriesLoaded(ctx.db.kysely))) throw notMigrated(where);
    await ctx.units.load();
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}

/** Applies migrations and loads the national unit registries once (what every later command needs); returns the migrations applied. */
export async function migrateDatabase(ctx: AppContext, progress: Writable | null): Promise<string[]> {
  const applied = await migrate(ctx.db);
  if (!(await registriesLoaded(ctx.db.kysely))) {
    let bar: Progress | null = null;
    await importVendoredRegistries(ctx.db.kysely, (done, total) => {
      if (!progress) return;
      bar ??= progressBar("units", total, progress);
      bar.update(done);
    });
    (bar as Progress | null)?.done();
  }
  return applied;
}

/** Opens the database, migrates it, runs `fn`, closes it. */
export async function withMigratedDatabase<T>(config: Config, progress: Writable | null, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await open(config);
  try {
    await migrateDatabase(ctx, progress);
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}
