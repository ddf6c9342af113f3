/** Start-up: open the database, apply migrations, load questionnaires and unit registries. */
import type { AppContext } from "./app-context.js";
import type { Config } from "./config.js";
import { openDatabase } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { loadSurveys } from "./instruments/load.js";
import { importEdition } from "./instruments/repository.js";
import { UnitDirectory } from "./units/directory.js";
import { importVendoredRegistries, registriesLoaded } from "./units/import.js";
import { ResponseStore } from "./responses/store.js";
import { defaultRateLimits } from "./http/rate-limit.js";
import { progressBar, type Progress } from "./lib/progress.js";

export async function openContext(config: Pick<Config, "databaseUrl" | "sqlitePath" | "minCellSize"> & { clientDir: string | null }): Promise<AppContext> {
  const db = openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  return {
    db,
    units: new UnitDirectory(db.kysely),
    store: new ResponseStore(db),
    rateLimits: defaultRateLimits(),
    settings: { clientDir: config.clientDir, minCellSize: config.minCellSize },
  };
}

export interface PrepareReport {
  migrations: string[];
  editions: Array<{ id: string; version: string; outcome: string }>;
  unitsImported: boolean;
}

/** Migrate, import every edition in surveys/ and the national unit registries (once). Idempotent. */
export async function prepareDatabase(ctx: AppContext, surveysDir: string, options: { quiet?: boolean } = {}): Promise<PrepareReport> {
  const migrations = await migrate(ctx.db);
  const editions = [];
  for (const edition of loadSurveys(surveysDir)) {
    const outcome = await importEdition(ctx.db.kysely, edition);
    editions.push({ id: edition.instrument.id, version: edition.instrument.version, outcome });
  }
  let unitsImported = false;
  if (!(await registriesLoaded(ctx.db.kysely))) {
    let bar: Progress | null = null;
    await importVendoredRegistries(ctx.db.kysely, (done, total) => {
      if (options.quiet) return;
      bar ??= progressBar("units", total);
      bar.update(done);
    });
    (bar as Progress | null)?.done();
    unitsImported = true;
  }
  await ctx.units.load();
  return { migrations, editions, unitsImported };
}
