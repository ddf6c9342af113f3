/** Writes to the unit registry: the vendored national registries, and villages or agencies added per round. */
import type { Kysely } from "kysely";
import type { Database, UnitTable } from "../db/types.js";
import { foldVietnamese } from "../../shared/text.js";
import type { UnitInfo } from "./directory.js";
import { UNIT_LEVELS } from "../../shared/units/levels.js";

export interface UnitRow {
  key: string;
  registry: string;
  code: string;
  level: string;
  name: string;
  fullName: string;
  type: string;
  nameEn?: string | null | undefined;
  formerNames?: string[] | undefined;
  parentKey: string | null;
  validFrom: string;
  validTo: string | null;
}

export function toTableRow(u: UnitRow): UnitTable {
  return {
    key: u.key,
    registry: u.registry,
    code: u.code,
    level: u.level,
    name: u.name,
    full_name: u.fullName,
    type: u.type,
    name_en: u.nameEn ?? null,
    name_folded: foldVietnamese(u.fullName),
    former_names: u.formerNames?.length ? JSON.stringify(u.formerNames) : null,
    parent_key: u.parentKey,
    valid_from: u.validFrom,
    valid_to: u.validTo,
  };
}

export function toUnitInfo(u: UnitRow): UnitInfo {
  return { ...u, nameEn: u.nameEn ?? null, formerNames: u.formerNames ?? [] };
}

/** Inserts units parents-first in chunks; existing keys are left as they are (imports are repeatable). */
export async function insertUnits(db: Kysely<Database>, units: UnitRow[]): Promise<number> {
  const depth = (u: UnitRow) => (UNIT_LEVELS as readonly string[]).indexOf(u.level);
  const ordered = [...units].sort((a, b) => depth(a) - depth(b));
  let inserted = 0;
  for (let i = 0; i < ordered.length; i += 500) {
    const chunk = ordered.slice(i, i + 500).map(toTableRow);
    const result = await db
      .insertInto("units")
      .values(chunk)
      .onConflict((oc) => oc.column("key").doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

export async function unitCount(db: Kysely<Database>, registry?: string): Promise<number> {
  let q = db.selectFrom("units").select((eb) => eb.fn.countAll<number>().as("n"));
  if (registry) q = q.where("registry", "=", registry);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}
