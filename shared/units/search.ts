/**
 * Offline search over administrative units (province → … → village), shared by the browser and the
 * server: diacritic-insensitive name matching plus code-prefix matching, ranked so that the unit a
 * person most likely means comes first. Pure: build the index once, query it many times.
 */
import { foldVietnamese } from "../i18n.js";

/** Unit levels, from the top of the hierarchy down; villages and agencies are added by CSV import. */
export const UNIT_LEVELS = ["province", "district", "commune", "village", "agency"] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

/** What the index needs to know about a unit; callers may pass richer objects and get them back. */
export interface UnitSearchEntry {
  key: string;
  code: string;
  /** Short name, e.g. "Ba Đình". */
  name: string;
  /** Name with its type, e.g. "Quận Ba Đình". */
  fullName: string;
  level: string;
  /** Shown next to the name to tell apart the many communes that share a name; also searchable. */
  parentName?: string;
  /** Earlier names of the same unit (e.g. "Thừa Thiên Huế" for Huế), searchable. */
  formerNames?: readonly string[];
}

/**
 * How a hit matched, best first. Code matches apply only to queries containing a digit.
 * `words`: every query word starts a word of the name, type, former name or parent name
 * ("ba dinh ha noi"), the weakest useful match.
 */
export const UNIT_MATCH_KINDS = ["code-exact", "exact", "code-prefix", "prefix", "word-prefix", "substring", "words"] as const;
export type UnitMatchKind = (typeof UNIT_MATCH_KINDS)[number];

export interface UnitSearchHit<T extends UnitSearchEntry = UnitSearchEntry> {
  unit: T;
  match: UnitMatchKind;
  /** Set when the hit matched one of the unit's former names rather than its current name. */
  matchedFormerName?: string;
}

export interface UnitSearchOptions {
  level?: string | readonly string[];
  limit?: number;
}

interface IndexedUnit<T> {
  unit: T;
  code: string;
  /** Search forms of the name and full name. */
  name: string;
  fullName: string;
  former: readonly string[];
  formerRaw: readonly string[];
  /** " word word …" over every searchable text, for the `words` match. */
  words: string;
}

export interface UnitSearchIndex<T extends UnitSearchEntry = UnitSearchEntry> {
  /** Entries in tie-break order (shorter name, higher level, code), so each rank bucket fills sorted. */
  readonly entries: readonly IndexedUnit<T>[];
}

/**
 * The search form of a text: folded (no diacritics, lower case), apostrophes dropped ("Đạ M'ri" →
 * "da mri"), other punctuation turned into spaces ("Bà Rịa - Vũng Tàu" → "ba ria vung tau").
 */
export function unitSearchForm(text: string): string {
  return foldVietnamese(text.replace(/['’ʼ‘`]/g, ""))
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const LEVEL_RANK = new Map<string, number>(UNIT_LEVELS.map((level, i) => [level, i]));

export function buildUnitSearchIndex<T extends UnitSearchEntry>(units: readonly T[]): UnitSearchIndex<T> {
  const entries = units.map((unit): IndexedUnit<T> => {
    const name = unitSearchForm(unit.name);
    const fullName = unitSearchForm(unit.fullName);
    const formerRaw = unit.formerNames ?? [];
    const former = formerRaw.map(unitSearchForm);
    const parent = unit.parentName ? unitSearchForm(unit.parentName) : "";
    const words = " " + [fullName, ...former, parent].filter((s) => s !== "").join(" ");
    return { unit, code: unit.code.toLowerCase(), name, fullName, former, formerRaw, words };
  });
  entries.sort(
    (a, b) =>
      a.unit.name.length - b.unit.name.length ||
      (LEVEL_RANK.get(a.unit.level) ?? 99) - (LEVEL_RANK.get(b.unit.level) ?? 99) ||
      compareStrings(a.unit.code, b.unit.code) ||
      compareStrings(a.unit.key, b.unit.key),
  );
  return { entries };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Name tiers, each split in two: current-name matches rank before former-name matches.
const TIER = { exact: 1, prefix: 3, "word-prefix": 4, substring: 5 } as const;

/** Best name tier of `q` in `text` (lower is better), or -1 when it does not occur. */
function nameTier(text: string, q: string): number {
  if (text === q) return TIER.exact;
  let at = text.indexOf(q);
  if (at < 0) return -1;
  if (at === 0) return TIER.prefix;
  // The first occurrence may be inside a word while a later one starts a word ("an" in "tan an").
  while (at > 0) {
    if (text.charCodeAt(at - 1) === 32) return TIER["word-prefix"];
    at = text.indexOf(q, at + 1);
  }
  return TIER.substring;
}

const KIND_BY_TIER: Record<number, UnitMatchKind> = {
  0: "code-exact",
  1: "exact",
  2: "code-prefix",
  3: "prefix",
  4: "word-prefix",
  5: "substring",
  6: "words",
};
const TIER_COUNT = 7;

/**
 * Finds units by name (diacritics optional) or by code prefix. Ranking: exact code, exact name,
 * code prefix, name prefix, word prefix, substring, all words; within a rank, current names before
 * former names, then shorter names, higher levels and lower codes first.
 */
export function searchUnits<T extends UnitSearchEntry>(
  index: UnitSearchIndex<T>,
  query: string,
  options: UnitSearchOptions = {},
): UnitSearchHit<T>[] {
  const limit = options.limit ?? 20;
  const q = unitSearchForm(query);
  if (q === "" || limit <= 0) return [];
  const levels = options.level === undefined ? null : new Set(typeof options.level === "string" ? [options.level] : options.level);
  const rawCode = query.trim().toLowerCase();
  const codeQuery = /\d/.test(rawCode) ? rawCode : null;
  const tokens = q.split(" ").map((t) => " " + t);

  // Two buckets per tier (current name, former name); entries arrive in tie-break order.
  const buckets: UnitSearchHit<T>[][] = Array.from({ length: TIER_COUNT * 2 }, () => []);
  for (const e of index.entries) {
    if (levels && !levels.has(e.unit.level)) continue;
    let tier = -1;
    let formerName: string | undefined;
    if (codeQuery !== null && e.code.startsWith(codeQuery)) tier = e.code.length === codeQuery.length ? 0 : 2;
    const current = best(nameTier(e.name, q), nameTier(e.fullName, q));
    if (current >= 0 && (tier < 0 || current < tier)) tier = current;
    for (let i = 0; i < e.former.length; i++) {
      const t = nameTier(e.former[i]!, q);
      if (t >= 0 && (tier < 0 || t < tier)) {
        tier = t;
        formerName = e.formerRaw[i];
      }
    }
    if (tier < 0 && tokens.length > 1 && tokens.every((t) => e.words.includes(t))) tier = 6;
    if (tier < 0) continue;
    const bucket = buckets[tier * 2 + (formerName === undefined ? 0 : 1)]!;
    if (bucket.length >= limit) continue;
    const match = KIND_BY_TIER[tier]!;
    bucket.push(formerName === undefined ? { unit: e.unit, match } : { unit: e.unit, match, matchedFormerName: formerName });
  }
  const hits: UnitSearchHit<T>[] = [];
  for (const bucket of buckets) {
    for (const hit of bucket) {
      if (hits.length >= limit) return hits;
      hits.push(hit);
    }
  }
  return hits;
}

function best(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return Math.min(a, b);
}
