/**
 * The levels of the unit hierarchy, from the top down, and their names: the one list every part of
 * chiso reads (schemas, imports, breakdowns, exports, the XForm's cascade, the screens). Villages
 * and agencies are added by CSV import; agencies hang under provinces.
 */
import type { Text } from "../i18n.js";

export const UNIT_LEVELS = ["province", "district", "commune", "village", "agency"] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

/** The levels of places (an agency is not a place): province → district → commune → village. */
export const PLACE_LEVELS = ["province", "district", "commune", "village"] as const;

/** How deep a level sits: province 0 … village 3; an agency, under its province, counts as 3. */
export function levelDepth(level: string): number {
  return level === "agency" ? 3 : (PLACE_LEVELS as readonly string[]).indexOf(level);
}

export const UNIT_LEVEL_NAMES: Record<UnitLevel, Text> = {
  province: { vi: "Tỉnh, thành phố", en: "Province" },
  district: { vi: "Huyện", en: "District" },
  commune: { vi: "Xã, phường", en: "Commune" },
  village: { vi: "Thôn, tổ dân phố", en: "Village" },
  agency: { vi: "Cơ quan", en: "Agency" },
};
