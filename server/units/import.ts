/** Loads the vendored national registries (pre-2025 and 2025) and the crosswalk into the database. */
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import { loadVendoredUnits } from "./registry-data.js";
import { insertUnits, unitCount } from "./repository.js";

export interface RegistryImportReport {
  registries: string[];
  unitsInserted: number;
  crosswalkInserted: number;
}

export async function importVendoredRegistries(db: Kysely<Database>, onProgress?: (done: number, total: number) => void): Promise<RegistryImportReport> {
  const data = loadVendoredUnits();
  const report: RegistryImportReport = { registries: [], unitsInserted: 0, crosswalkInserted: 0 };
  await db.transaction().execute(async (trx) => {
    for (const r of data.registries) {
      await trx
        .insertInto("unit_registries")
        .values({ id: r.id, label: r.label.vi, valid_from: r.validFrom, valid_to: r.validTo })
        .onConflict((oc) => oc.column("id").doNothing())
        .execute();
      report.registries.push(r.id);
    }
    const total = data.units.length + data.crosswalk.length;
    for (let i = 0; i < data.units.length; i += 2000) {
      report.unitsInserted += await insertUnits(trx, data.units.slice(i, i + 2000));
      onProgress?.(Math.min(i + 2000, data.units.length), total);
    }
    for (let i = 0; i < data.crosswalk.length; i += 500) {
      const chunk = data.crosswalk.slice(i, i + 500).map((l) => ({ from_key: l.fromKey, to_key: l.toKey, level: l.level, kind: l.kind }));
      const result = await trx
        .insertInto("unit_crosswalk")
        .values(chunk)
        .onConflict((oc) => oc.columns(["from_key", "to_key"]).doNothing())
        .executeTakeFirst();
      report.crosswalkInserted += Number(result.numInsertedOrUpdatedRows ?? 0);
      onProgress?.(data.units.length + Math.min(i + 500, data.crosswalk.length), total);
    }
  });
  return report;
}

/** True when the national registries are already loaded. */
export async function registriesLoaded(db: Kysely<Database>): Promise<boolean> {
  return (await unitCount(db)) > 0;
}
