/** Offline unit search over the units downloaded with the round (diacritic-insensitive, shared ranking). */
import { buildUnitSearchIndex, searchUnits, type UnitSearchEntry, type UnitSearchIndex } from "../../shared/units/search.js";
import type { UnitChoice } from "../common/unit-picker.js";
import type { OfflineUnit } from "./db.js";

interface Indexed {
  index: UnitSearchIndex<UnitSearchEntry>;
  byKey: Map<string, OfflineUnit>;
}

// Built once per downloaded list: a province has thousands of villages.
const indexes = new WeakMap<readonly OfflineUnit[], Indexed>();

function indexOf(units: readonly OfflineUnit[]): Indexed {
  let indexed = indexes.get(units);
  if (!indexed) {
    indexed = {
      index: buildUnitSearchIndex(units.map(({ parentName, ...u }) => (parentName ? { ...u, parentName } : u))),
      byKey: new Map(units.map((u) => [u.key, u])),
    };
    indexes.set(units, indexed);
  }
  return indexed;
}

export function toChoice(u: Pick<OfflineUnit, "key" | "fullName" | "parentName">): UnitChoice {
  // A village's full name already names its commune; the parent adds nothing then.
  const detail = u.parentName && !u.fullName.includes(u.parentName) ? u.parentName : undefined;
  return { key: u.key, name: u.fullName, ...(detail ? { detail } : {}) };
}

export function searchOffline(units: readonly OfflineUnit[], level: string, query: string, limit = 20): UnitChoice[] {
  const { index, byKey } = indexOf(units);
  return searchUnits(index, query, { level, limit }).map((hit) => toChoice(byKey.get(hit.unit.key)!));
}
