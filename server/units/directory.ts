/**
 * The unit directory: an in-memory view of the unit registry (key → level, parent, names) so that
 * scope checks, ancestor walks and name search cost no query. Units are immutable once imported;
 * units added by another process (villages imported per round) are fetched on a miss.
 */
import type { Kysely } from "kysely";
import type { Database, UnitTable } from "../db/types.js";
import { buildUnitSearchIndex, searchUnits, type UnitSearchEntry, type UnitSearchIndex } from "../../shared/units/search.js";

export interface UnitInfo {
  key: string;
  registry: string;
  code: string;
  level: string;
  name: string;
  fullName: string;
  type: string;
  nameEn: string | null;
  parentKey: string | null;
  /** Earlier names: the unit's own (renamed) and, for 2025 units, those of the units merged into it. */
  formerNames: string[];
  validFrom: string;
  validTo: string | null;
}

function toInfo(row: UnitTable): UnitInfo {
  return {
    key: row.key,
    registry: row.registry,
    code: row.code,
    level: row.level,
    name: row.name,
    fullName: row.full_name,
    type: row.type,
    nameEn: row.name_en,
    parentKey: row.parent_key,
    formerNames: row.former_names ? (JSON.parse(row.former_names) as string[]) : [],
    validFrom: row.valid_from,
    validTo: row.valid_to,
  };
}

export class UnitDirectory {
  private readonly units = new Map<string, UnitInfo>();
  private readonly children = new Map<string, string[]>();
  private searchIndexes = new Map<string, UnitSearchIndex>();

  constructor(private readonly db: Kysely<Database>) {}

  async load(): Promise<void> {
    this.units.clear();
    this.children.clear();
    const rows = await this.db.selectFrom("units").selectAll().execute();
    for (const row of rows) this.add(toInfo(row));
    // People keep using the names of merged units: "thua thien hue", "quang nam" find the 2025 unit.
    const links = await this.db.selectFrom("unit_crosswalk").select(["from_key", "to_key"]).execute();
    for (const link of links) {
      const from = this.units.get(link.from_key);
      const to = this.units.get(link.to_key);
      if (!from || !to) continue;
      for (const name of [from.name, ...from.formerNames]) if (name !== to.name && !to.formerNames.includes(name)) to.formerNames.push(name);
    }
    this.searchIndexes.clear();
  }

  private add(unit: UnitInfo): void {
    if (this.units.has(unit.key)) return;
    this.units.set(unit.key, unit);
    if (unit.parentKey) {
      const list = this.children.get(unit.parentKey);
      if (list) list.push(unit.key);
      else this.children.set(unit.parentKey, [unit.key]);
    }
    // Any index of this registry, scoped or not, may be missing the new unit.
    for (const key of this.searchIndexes.keys()) if (key === unit.registry || key.startsWith(unit.registry + "\u0000")) this.searchIndexes.delete(key);
  }

  /** A unit by key; looks in the database when another process added it since load. */
  async get(key: string): Promise<UnitInfo | null> {
    const hit = this.units.get(key);
    if (hit) return hit;
    const row = await this.db.selectFrom("units").selectAll().where("key", "=", key).executeTakeFirst();
    if (!row) return null;
    const unit = toInfo(row);
    if (unit.parentKey && !this.units.has(unit.parentKey)) await this.get(unit.parentKey);
    this.add(unit);
    return unit;
  }

  getCached(key: string): UnitInfo | null {
    return this.units.get(key) ?? null;
  }

  /** Adds units just written by this process (villages, agencies). */
  remember(units: UnitInfo[]): void {
    for (const u of units) this.add(u);
  }

  /** The unit and its ancestors, nearest first. */
  lineage(key: string): UnitInfo[] {
    const out: UnitInfo[] = [];
    let current = this.units.get(key);
    while (current) {
      out.push(current);
      current = current.parentKey ? this.units.get(current.parentKey) : undefined;
    }
    return out;
  }

  /** True when `key` is `ancestorKey` or lies under it. */
  isWithin(key: string, ancestorKey: string): boolean {
    return this.lineage(key).some((u) => u.key === ancestorKey);
  }

  childrenOf(key: string): UnitInfo[] {
    return (this.children.get(key) ?? []).map((k) => this.units.get(k)!).filter(Boolean);
  }

  /** All units of a registry at a level. */
  atLevel(registry: string, level: string): UnitInfo[] {
    return [...this.units.values()].filter((u) => u.registry === registry && u.level === level);
  }

  /** The ancestor of `key` at `level` (or the unit itself), if any. */
  ancestorAt(key: string, level: string): UnitInfo | null {
    return this.lineage(key).find((u) => u.level === level) ?? null;
  }

  /**
   * Units of a registry matching a query, best first. With `within`, only units under that unit are
   * searched (an index of them is built and kept), so nothing in scope is crowded out by namesakes
   * elsewhere; each unit is also found by the names of the units above it ("huế", "kim long huế").
   */
  search(registry: string, query: string, options: { level?: string; limit?: number; within?: string } = {}) {
    const cacheKey = options.within ? `${registry}\u0000${options.within}` : registry;
    let index = this.searchIndexes.get(cacheKey);
    if (!index) {
      const units = [...this.units.values()].filter((u) => u.registry === registry && (!options.within || this.isWithin(u.key, options.within)));
      index = buildUnitSearchIndex(units.map((u) => this.searchEntry(u)));
      // Scoped indexes are few (one per round scope) but bounded all the same.
      if (this.searchIndexes.size >= 64) this.searchIndexes.clear();
      this.searchIndexes.set(cacheKey, index);
    }
    return searchUnits(index, query, { ...(options.level ? { level: options.level } : {}), limit: options.limit ?? 20 });
  }

  /** A unit as the search index sees it: names, its parent's full name, and every ancestor's names. */
  private searchEntry(u: UnitInfo): UnitSearchEntry {
    const ancestors = this.lineage(u.key).slice(1);
    return {
      key: u.key,
      code: u.code,
      name: u.name,
      fullName: u.fullName,
      level: u.level,
      parentName: ancestors[0]?.fullName,
      formerNames: u.formerNames,
      ancestorNames: ancestors.flatMap((a) => [a.name, ...a.formerNames]),
    };
  }

  /** The names of the units above `key`, current and former, nearest first (for offline search). */
  ancestorNames(key: string): string[] {
    return this.lineage(key)
      .slice(1)
      .flatMap((a) => [a.name, ...a.formerNames]);
  }
}
