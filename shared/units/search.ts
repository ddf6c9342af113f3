/**
 * Offline search over administrative units (province → … → village), shared by the browser and the
 * server: diacritic-insensitive name matching plus code-prefix matching, ranked so that the unit a
 * person most likely means comes first. Pure: build the index once, query it many times.
 */
import { foldVietnamese } from "../text.js";
import { UNIT_LEVELS } from "./levels.js";

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
  /**
   * Names of every unit above this one, current and former ("Kim Long", "Huế", "Thừa Thiên Huế"):
   * a query naming an ancestor finds the units under it ("huế" → the communes and villages of Huế).
   */
  ancestorNames?: readonly string[];
}

/**
 * How a hit matched, best first. Code matches apply only to queries containing a digit. The full
 * name counts (as `exact` or `prefix`) once the query goes past the type: "phuong ba dinh".
 * `within`: the query is the start of an ancestor's name ("huế" for a commune of Huế), ranked
 * after the unit's own name and before a word inside a name ("Xã Ea Kar", once "Cư Huê").
 * `words`: every query word starts a word of the full name, a former name, the parent's or an
 * ancestor's name ("ba dinh ha noi", "kim long huế"), the weakest match.
 */
export const UNIT_MATCH_KINDS = ["code-exact", "exact", "code-prefix", "prefix", "within", "word-prefix", "substring", "words"] as const;
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

/**
 * Texts of many units joined into one string, each segment preceded by "\u0001", so that one
 * native `indexOf` scan finds every occurrence; `starts` maps an offset back to its segment.
 */
interface Haystack {
  text: string;
  /** Offset of each segment's first character, ascending. */
  starts: Int32Array;
  ends: Int32Array;
  /** Entry (index into `entries`) of each segment. */
  owner: Int32Array;
  /** -1 for the current name, else the index of the former name. */
  former: Int16Array;
}

interface LevelIndex {
  /** Names and former names. */
  names: Haystack;
  /** Full names (type + name). */
  fulls: Haystack;
  /** " " + every searchable word of the unit, for the `words` match. */
  words: Haystack;
  /** Names of the units above each unit, for the `within` match. */
  ancestors: Haystack;
  /** Lower-case codes, sorted, with their entries. */
  codes: string[];
  codeOwner: Int32Array;
}

export interface UnitSearchIndex<T extends UnitSearchEntry = UnitSearchEntry> {
  /** Units in tie-break order (shorter name, higher level, lower code): a lower index ranks first. */
  readonly entries: readonly T[];
  /** Length of the type part of each entry's full-name search form ("phuong " in "phuong ba dinh"). */
  readonly typeLength: Int32Array;
  readonly wordsText: readonly string[];
  readonly levels: ReadonlyMap<string, LevelIndex>;
}

/**
 * The search form of a text: folded with `foldVietnamese` (no diacritics, lower case, đ → d),
 * apostrophes dropped ("Đạ M'ri" → "da mri"), other punctuation turned into spaces ("Bà Rịa -
 * Vũng Tàu" → "ba ria vung tau"), spaces collapsed. Computed character by character from a table
 * filled by `foldVietnamese` itself: the same result, several times faster over 15,000 names.
 */
export function unitSearchForm(text: string): string {
  let out = "";
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let f: string;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // Astral characters are rare in names: fold them without the table.
      f = charForm(text.slice(i, i + 2));
      i++;
    } else {
      f = CHAR_FORMS[code] ??= charForm(text[i]!);
    }
    if (f === "") continue;
    if (f === " ") {
      space = out !== "";
      continue;
    }
    if (space) {
      out += " ";
      space = false;
    }
    out += f;
  }
  return out;
}

const APOSTROPHES = new Set(["'", "’", "ʼ", "‘", "`"]);
const CHAR_FORMS: (string | undefined)[] = [];

/** One character's search form: letters and digits folded, combining marks and apostrophes dropped, anything else a space. */
function charForm(ch: string): string {
  if (APOSTROPHES.has(ch)) return "";
  if (/^\s$/u.test(ch)) return " ";
  const folded = foldVietnamese(ch);
  if (folded === "") return /^\p{M}$/u.test(ch) ? "" : " ";
  return /^[\p{L}\p{N}]+$/u.test(folded) ? folded : " ";
}

const LEVEL_RANK = new Map<string, number>(UNIT_LEVELS.map((level, i) => [level, i]));
const SEP = "\u0001";

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class HaystackBuilder {
  private parts: string[] = [];
  private length = 0;
  private starts: number[] = [];
  private ends: number[] = [];
  private owner: number[] = [];
  private former: number[] = [];

  add(text: string, owner: number, former: number): void {
    this.parts.push(SEP, text);
    this.starts.push(this.length + 1);
    this.length += 1 + text.length;
    this.ends.push(this.length);
    this.owner.push(owner);
    this.former.push(former);
  }

  build(): Haystack {
    return {
      text: this.parts.join(""),
      starts: Int32Array.from(this.starts),
      ends: Int32Array.from(this.ends),
      owner: Int32Array.from(this.owner),
      former: Int16Array.from(this.former),
    };
  }
}

export function buildUnitSearchIndex<T extends UnitSearchEntry>(units: readonly T[]): UnitSearchIndex<T> {
  const entries = [...units].sort(
    (a, b) =>
      a.name.length - b.name.length ||
      (LEVEL_RANK.get(a.level) ?? 99) - (LEVEL_RANK.get(b.level) ?? 99) ||
      compareStrings(a.code, b.code) ||
      compareStrings(a.key, b.key),
  );
  // Types and parent names repeat thousands of times: fold each once.
  const cache = new Map<string, string>();
  const form = (s: string) => {
    let f = cache.get(s);
    if (f === undefined) cache.set(s, (f = unitSearchForm(s)));
    return f;
  };
  const typeLength = new Int32Array(entries.length);
  const wordsText: string[] = [];
  const builders = new Map<
    string,
    { names: HaystackBuilder; fulls: HaystackBuilder; words: HaystackBuilder; ancestors: HaystackBuilder; codes: [string, number][] }
  >();
  entries.forEach((unit, i) => {
    let b = builders.get(unit.level);
    if (!b)
      builders.set(
        unit.level,
        (b = { names: new HaystackBuilder(), fulls: new HaystackBuilder(), words: new HaystackBuilder(), ancestors: new HaystackBuilder(), codes: [] }),
      );
    const name = unitSearchForm(unit.name);
    const typePart =
      unit.fullName === unit.name || unit.fullName.endsWith(" " + unit.name) ? unit.fullName.slice(0, unit.fullName.length - unit.name.length) : null;
    const typeForm = typePart === null ? null : form(typePart);
    const fullName = typeForm === null ? unitSearchForm(unit.fullName) : typeForm === "" ? name : `${typeForm} ${name}`;
    typeLength[i] = typeForm === null || typeForm === "" ? 0 : typeForm.length + 1;
    b.names.add(name, i, -1);
    let words = " " + fullName;
    const formerNames = unit.formerNames;
    if (formerNames) {
      for (let j = 0; j < formerNames.length; j++) {
        const f = unitSearchForm(formerNames[j]!);
        b.names.add(f, i, j);
        words += " " + f;
      }
    }
    if (unit.parentName) words += " " + form(unit.parentName);
    for (const a of unit.ancestorNames ?? []) {
      const f = form(a);
      b.ancestors.add(f, i, -1);
      words += " " + f;
    }
    b.fulls.add(fullName, i, -1);
    wordsText.push(words);
    b.words.add(words, i, -1);
    b.codes.push([unit.code.toLowerCase(), i]);
  });
  const levels = new Map<string, LevelIndex>();
  for (const [level, b] of builders) {
    b.codes.sort((x, y) => compareStrings(x[0], y[0]) || x[1] - y[1]);
    levels.set(level, {
      names: b.names.build(),
      fulls: b.fulls.build(),
      words: b.words.build(),
      ancestors: b.ancestors.build(),
      codes: b.codes.map((c) => c[0]),
      codeOwner: Int32Array.from(b.codes.map((c) => c[1])),
    });
  }
  return { entries, typeLength, wordsText, levels };
}

/** Segment holding offset `p`: the last one starting at or before it. */
function segmentAt(h: Haystack, p: number): number {
  let lo = 0;
  let hi = h.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (h.starts[mid]! <= p) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Calls `found(segment, offset)` for every occurrence of `needle` in the haystack. The segment is
 * looked up one character in, so that a needle starting with the separator belongs to the segment
 * it opens.
 */
function scan(h: Haystack, needle: string, found: (segment: number, offset: number) => void): void {
  for (let p = h.text.indexOf(needle); p >= 0; p = h.text.indexOf(needle, p + 1)) found(segmentAt(h, p + 1), p);
}

function lowerBound(sorted: readonly string[], q: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < q) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Tier of each match kind; a hit's score is tier * 2, + 1 when it matched a former name.
const TIER: Record<UnitMatchKind, number> = { "code-exact": 0, exact: 1, "code-prefix": 2, prefix: 3, within: 4, "word-prefix": 5, substring: 6, words: 7 };

/**
 * Finds units by name (diacritics optional) or by code prefix. Ranking: exact code, exact name,
 * code prefix, name prefix, under a unit so named, word prefix, substring, all words; within a rank, current names before
 * former names, then shorter names, higher levels and lower codes first.
 */
export function searchUnits<T extends UnitSearchEntry>(index: UnitSearchIndex<T>, query: string, options: UnitSearchOptions = {}): UnitSearchHit<T>[] {
  const limit = options.limit ?? 20;
  const q = unitSearchForm(query);
  if (q === "" || limit <= 0) return [];
  const wanted = options.level === undefined ? null : typeof options.level === "string" ? [options.level] : options.level;
  const levels: LevelIndex[] = [];
  for (const [level, li] of index.levels) if (!wanted || wanted.includes(level)) levels.push(li);

  // Best score + 1 per entry (0: no match yet), which former name gave it, and the entries touched.
  const n = index.entries.length;
  const best = new Uint8Array(n);
  const formerOf = new Int16Array(n);
  const touched: number[] = [];
  const record = (entry: number, kind: UnitMatchKind, former: number) => {
    const score = TIER[kind] * 2 + (former >= 0 ? 1 : 0) + 1;
    const prev = best[entry]!;
    if (prev !== 0 && prev <= score) return;
    if (prev === 0) touched.push(entry);
    best[entry] = score;
    formerOf[entry] = former;
  };

  const rawCode = query.trim().toLowerCase();
  for (const li of levels) {
    if (/\d/.test(rawCode)) {
      for (let i = lowerBound(li.codes, rawCode); i < li.codes.length && li.codes[i]!.startsWith(rawCode); i++) {
        record(li.codeOwner[i]!, li.codes[i]!.length === rawCode.length ? "code-exact" : "code-prefix", -1);
      }
    }
    // A full-name match must go past the type, which ends in a space: only multi-word queries.
    if (q.includes(" ")) {
      scan(li.fulls, SEP + q, (seg) => {
        const owner = li.fulls.owner[seg]!;
        if (q.length > index.typeLength[owner]!) record(owner, li.fulls.ends[seg]! - li.fulls.starts[seg]! === q.length ? "exact" : "prefix", -1);
      });
    }
    const names = li.names;
    scan(names, SEP + q, (seg) => record(names.owner[seg]!, names.ends[seg]! - names.starts[seg]! === q.length ? "exact" : "prefix", names.former[seg]!));
    scan(li.ancestors, SEP + q, (seg) => record(li.ancestors.owner[seg]!, "within", -1));
    scan(names, " " + q, (seg) => record(names.owner[seg]!, "word-prefix", names.former[seg]!));
  }
  // Weaker matches only matter when the stronger ones do not fill the page.
  if (touched.length < limit) {
    for (const li of levels) {
      const names = li.names;
      scan(names, q, (seg, p) => {
        if (p !== names.starts[seg] && names.text.charCodeAt(p - 1) !== 32) record(names.owner[seg]!, "substring", names.former[seg]!);
      });
    }
  }
  const tokens = q.split(" ").map((t) => " " + t);
  if (touched.length < limit && tokens.length > 1) {
    const rarest = tokens.reduce((a, b) => (b.length > a.length ? b : a));
    for (const li of levels) {
      scan(li.words, rarest, (seg) => {
        const owner = li.words.owner[seg]!;
        if (best[owner] === 0 && tokens.every((t) => index.wordsText[owner]!.includes(t))) record(owner, "words", -1);
      });
    }
  }

  // Sort by score, then by entry order (the tie-break), as one number each.
  const order = Float64Array.from(touched, (entry) => (best[entry]! - 1) * n + entry).sort();
  const hits: UnitSearchHit<T>[] = [];
  for (let i = 0; i < order.length && hits.length < limit; i++) {
    const score = Math.floor(order[i]! / n);
    const entry = order[i]! - score * n;
    const unit = index.entries[entry]!;
    const match = UNIT_MATCH_KINDS[score >> 1]!;
    hits.push(score % 2 === 0 ? { unit, match } : { unit, match, matchedFormerName: unit.formerNames![formerOf[entry]!]! });
  }
  return hits;
}
