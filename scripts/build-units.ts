/**
 * Builds the vendored administrative-unit registry (server/units/data/) from the public data sets
 * in shared/data, so that a fresh install loads units without network access.
 *
 *   npx tsx scripts/build-units.ts [dataDir] [--out dir] [--check]
 *
 * dataDir defaults to ../shared/data relative to the repository root; --out defaults to
 * server/units/data; --check compares instead of writing and exits 1 on any difference.
 * Output is deterministic (rows sorted by level, then code), so a rebuild is byte-identical.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { foldVietnamese } from "../shared/i18n.js";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, "../shared/data");
export const DEFAULT_OUT_DIR = resolve(REPO_ROOT, "server/units/data");

/** Every file this script writes (LICENSES.md, README.md and GPL-3.0.txt are maintained by hand). */
export const GENERATED_FILES = ["registries.json", "units-pre2025.jsonl", "units-2025.jsonl", "crosswalk-pre2025-2025.jsonl"] as const;
export type GeneratedFile = (typeof GENERATED_FILES)[number];

const SOURCES = {
  pre2025: {
    dir: "vn_admin_pre2025_dvhcvn",
    repository: "https://github.com/daohoangson/dvhcvn",
    commit: "eaddcea82fc336d59e908989f04178c336a9db10",
    path: "data/dvhcvn.json (tag v20250301); earlier names from tag v20240201 (ed528e718ca50b0e469f18a6d6352a4b2f1102b2)",
    license: "GPL-3.0",
  },
  units2025: {
    dir: "vn_admin_2025_thanglequoc",
    file: "full_json_generated_data_vn_units_2026-07-25__20_49_07.json",
    repository: "https://github.com/thanglequoc/vietnamese-provinces-database",
    commit: "cd58063299585146ded3981f2272946ef19ced54",
    path: "json/full_json_generated_data_vn_units_2026-07-25__20_49_07.json",
    license: "MIT",
  },
  crosswalk: {
    dir: "vn_admin_2025_crosswalk_dvhcvn",
    repository: "https://github.com/dvhcvn/20250701",
    commit: "dd94887ce32324380bc5bb0a76fe39867dafc73b",
    path: "mapping/merges.json (checked against mapping/splits.json; corrections in scripts/build-units.ts)",
    license: "MIT",
  },
  sapnhap: {
    dir: "vn_admin_2025_sapnhap_bando",
    file: "donvi_tinhthanh.json",
  },
} as const;

/**
 * Links of the crosswalk that are demonstrably wrong, with the evidence the build re-checks:
 * the wrong link must still be in the source (so a fixed upstream makes this fail loudly) and the
 * sapnhap.bando "before merger" text of the right unit must name the old unit.
 */
const CROSSWALK_CORRECTIONS = [
  {
    // Two old "Xã Tân Phú" of two "huyện Châu Thành": 30274 (Đồng Tháp) rightly went to Tân Phú
    // Trung (Đồng Tháp); 30622 (An Giang) was linked there too, across provinces, and nowhere else.
    // sapnhap.bando: Xã Vĩnh An (An Giang) ← "Thị trấn Vĩnh Bình, Xã Tân Phú, Xã Vĩnh An".
    oldCode: "30622",
    wrongNew: "30259",
    rightNew: "30604",
    kind: "full",
  },
] as const;

const LEVELS = ["province", "district", "commune"] as const;
type Level = (typeof LEVELS)[number];
const CODE_LENGTH: Record<Level, number> = { province: 2, district: 3, commune: 5 };

/** Unit types as they prefix full names; sources vary in capitalisation ("Thị Trấn"), output uses these. */
const UNIT_TYPES = ["Thành phố", "Tỉnh", "Quận", "Huyện", "Thị xã", "Thị trấn", "Phường", "Xã", "Đặc khu"];

export const UNIT_COLUMNS = ["code", "level", "type", "name", "fullName", "nameEn", "parentCode", "formerNames"] as const;
export const CROSSWALK_COLUMNS = ["fromKey", "toKey", "level", "kind"] as const;

interface BuiltUnit {
  code: string;
  level: Level;
  type: string;
  name: string;
  fullName: string;
  nameEn: string | null;
  parentCode: string | null;
  formerNames: string[];
}

interface BuiltLink {
  fromKey: string;
  toKey: string;
  level: Level;
  kind: "full" | "partial";
}

export interface BuildResult {
  files: Record<GeneratedFile, string>;
  /** Corrections applied to the sources, for the person running the build. */
  notes: string[];
}

/** NFC, single spaces, trimmed: several source names carry double or trailing spaces. */
function clean(s: string): string {
  return s.normalize("NFC").replace(/\s+/g, " ").trim();
}

/** Splits "Thị Trấn Mường Chà" into the canonical type "Thị trấn" and the name "Mường Chà". */
function splitFullName(fullName: string): { type: string; name: string } {
  const full = clean(fullName);
  const lower = full.toLocaleLowerCase("vi");
  for (const type of UNIT_TYPES) {
    const prefix = type.toLocaleLowerCase("vi") + " ";
    if (lower.startsWith(prefix)) return { type, name: full.slice(prefix.length) };
  }
  throw new Error(`unknown unit type in "${fullName}"`);
}

/** For telling renames from respellings: folded, without leading zeros ("Phường 08" is "Phường 8"). */
function nameForm(name: string): string {
  return foldVietnamese(name).replace(/(^|\D)0+(?=\d)/g, "$1");
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

function fail(message: string): never {
  throw new Error(`build-units: ${message}`);
}

// --- pre-2025 (dvhcvn, GSO snapshot 2025-03-01) ---

interface DvhcvnFile {
  data: { level1_id: string; name: string; level2s: { level2_id: string; name: string; level3s: { level3_id: string; name: string }[] }[] }[];
  stats: { level1_count: number; level2_count: number; level3_count: number };
}

function dvhcvnUnits(file: DvhcvnFile): BuiltUnit[] {
  const out: BuiltUnit[] = [];
  const add = (code: string, level: Level, fullName: string, parentCode: string | null) => {
    const { type, name } = splitFullName(fullName);
    out.push({ code, level, type, name, fullName: `${type} ${name}`, nameEn: null, parentCode, formerNames: [] });
  };
  for (const p of file.data) {
    add(p.level1_id, "province", p.name, null);
    for (const d of p.level2s) {
      add(d.level2_id, "district", d.name, p.level1_id);
      for (const c of d.level3s) add(c.level3_id, "commune", c.name, d.level2_id);
    }
  }
  return out;
}

/** Cross-checks the short names against sorted.json, the same snapshot's second file. */
type SortedNode = [string, string, string, string, SortedNode[]?];
function checkSortedNames(units: BuiltUnit[], sorted: SortedNode[]): void {
  const short = new Map<string, string>();
  const walk = (nodes: SortedNode[]) => {
    for (const [code, name, , , children] of nodes) {
      short.set(code, clean(name));
      if (children) walk(children);
    }
  };
  walk(sorted);
  if (short.size !== units.length) fail(`sorted.json has ${short.size} units, dvhcvn.json ${units.length}`);
  for (const u of units) {
    if (short.get(u.code) !== u.name) fail(`pre-2025 ${u.code}: "${u.name}" vs sorted.json "${short.get(u.code)}"`);
  }
}

function buildPre2025(dataDir: string): BuiltUnit[] {
  const dir = join(dataDir, SOURCES.pre2025.dir);
  const current = readJson(join(dir, "v20250301/dvhcvn.json")) as DvhcvnFile;
  const units = dvhcvnUnits(current);
  checkSortedNames(units, readJson(join(dir, "v20250301/sorted.json")) as SortedNode[]);
  const counts = countLevels(units);
  const { level1_count, level2_count, level3_count } = current.stats;
  if (counts.province !== level1_count || counts.district !== level2_count || counts.commune !== level3_count) {
    fail(`pre-2025 counts ${JSON.stringify(counts)} differ from the file's stats`);
  }
  // The 2024-02-01 snapshot is read only for earlier names of units whose code survived
  // (e.g. 46 "Thừa Thiên Huế", a city named "Huế" since 2025-01-01); its dissolved units are not loaded.
  const earlier = new Map(dvhcvnUnits(readJson(join(dir, "v20240201/dvhcvn.json")) as DvhcvnFile).map((u) => [u.code, u]));
  for (const u of units) {
    const old = earlier.get(u.code);
    if (old && old.level === u.level && nameForm(old.name) !== nameForm(u.name)) u.formerNames.push(old.name);
  }
  return units;
}

// --- 2025 (thanglequoc) ---

interface TlqUnit {
  Code: string;
  Name: string;
  NameEn: string;
  FullName: string;
  AdministrativeUnitShortName: string;
  ProvinceCode?: string;
}
type TlqProvince = TlqUnit & { Wards: TlqUnit[] };

function tlqUnit(src: TlqUnit, level: Level, parentCode: string | null, notes: string[]): BuiltUnit {
  const name = clean(src.Name);
  const type = UNIT_TYPES.find((t) => t.toLocaleLowerCase("vi") === clean(src.AdministrativeUnitShortName).toLocaleLowerCase("vi"));
  if (!type) fail(`2025 ${src.Code}: unknown unit type "${src.AdministrativeUnitShortName}"`);
  const fullName = `${type} ${name}`;
  const sourceFull = clean(src.FullName);
  if (sourceFull !== fullName) {
    if (sourceFull.toLocaleLowerCase("vi") !== fullName.toLocaleLowerCase("vi")) fail(`2025 ${src.Code}: "${sourceFull}" is not "${fullName}"`);
    notes.push(`2025:${src.Code} full name "${sourceFull}" written as "${fullName}"`);
  }
  return { code: src.Code, level, type, name, fullName, nameEn: clean(src.NameEn) || null, parentCode, formerNames: [] };
}

function build2025(dataDir: string, notes: string[]): BuiltUnit[] {
  const provinces = readJson(join(dataDir, SOURCES.units2025.dir, SOURCES.units2025.file)) as TlqProvince[];
  const units: BuiltUnit[] = [];
  for (const p of provinces) {
    units.push(tlqUnit(p, "province", null, notes));
    for (const w of p.Wards) {
      if (w.ProvinceCode !== p.Code) fail(`2025 ${w.Code}: province ${w.ProvinceCode} listed under ${p.Code}`);
      units.push(tlqUnit(w, "commune", p.Code, notes));
    }
  }
  return units;
}

// --- crosswalk (dvhcvn/20250701) ---

interface MergesFile {
  data: {
    level1_id: string;
    merges: { old_id: string; type: string }[];
    level2s: { level2_id: string; name: string; merges: { old_id: string; type: string }[] }[];
  }[];
}
interface SplitsFile {
  data: {
    level1_id: string;
    splits: { new_id: string }[];
    level2s?: { level2_id: string; splits: { new_id: string }[] }[];
    level3s: { level3_id: string; splits: { new_id: string }[] }[];
  }[];
}

function buildCrosswalk(dataDir: string, pre: BuiltUnit[], post: BuiltUnit[], notes: string[]): BuiltLink[] {
  const dir = join(dataDir, SOURCES.crosswalk.dir);
  const merges = readJson(join(dir, "merges.json")) as MergesFile;
  const splits = readJson(join(dir, "splits.json")) as SplitsFile;
  const preByCode = new Map(pre.map((u) => [u.code, u]));
  const postByCode = new Map(post.map((u) => [u.code, u]));

  // The crosswalk follows the official list 1027/CTK-CSCL; the 2025 unit list carries later code
  // corrections. A new commune missing by code is matched by province and name among the units the
  // crosswalk does not mention, and only when exactly one fits.
  const mentioned = new Set(merges.data.flatMap((p) => p.level2s.map((w) => w.level2_id)));
  const newCode = new Map<string, string>();
  for (const p of merges.data) {
    for (const w of p.level2s) {
      if (postByCode.has(w.level2_id)) continue;
      const fits = post.filter(
        (u) => u.level === "commune" && u.parentCode === p.level1_id && !mentioned.has(u.code) && foldVietnamese(u.fullName) === foldVietnamese(clean(w.name)),
      );
      if (fits.length !== 1) fail(`crosswalk commune ${w.level2_id} "${w.name}" has ${fits.length} candidates in the 2025 list`);
      newCode.set(w.level2_id, fits[0]!.code);
      notes.push(`crosswalk new commune ${w.level2_id} "${clean(w.name)}" is 2025:${fits[0]!.code} in the 2025 unit list`);
    }
  }
  const mapNew = (code: string) => newCode.get(code) ?? code;

  const links: BuiltLink[] = [];
  const add = (oldCode: string, newCodeRaw: string, kind: string, expectNew: Level) => {
    const from = preByCode.get(oldCode);
    const to = postByCode.get(mapNew(newCodeRaw));
    if (!from) fail(`crosswalk old unit ${oldCode} is not in the pre-2025 list`);
    if (!to || to.level !== expectNew) fail(`crosswalk new unit ${newCodeRaw} is not a 2025 ${expectNew}`);
    if (kind !== "full" && kind !== "partial") fail(`crosswalk ${oldCode} → ${newCodeRaw}: kind "${kind}"`);
    links.push({ fromKey: `pre2025:${from.code}`, toKey: `2025:${to.code}`, level: from.level, kind });
  };
  for (const p of merges.data) {
    for (const m of p.merges) add(m.old_id, p.level1_id, m.type, "province");
    for (const w of p.level2s) for (const m of w.merges) add(m.old_id, w.level2_id, m.type, "commune");
  }

  const sapnhap = new Map(
    (readJson(join(dataDir, SOURCES.sapnhap.dir, SOURCES.sapnhap.file)) as { ma: string; truocsapnhap: string }[]).map((x) => [
      x.ma,
      foldVietnamese(x.truocsapnhap),
    ]),
  );
  const corrected = new Map<string, string>();
  for (const c of CROSSWALK_CORRECTIONS) {
    const at = links.findIndex((l) => l.fromKey === `pre2025:${c.oldCode}` && l.toKey === `2025:${c.wrongNew}`);
    if (at < 0) fail(`correction ${c.oldCode} → ${c.wrongNew} no longer applies: review CROSSWALK_CORRECTIONS`);
    const oldName = preByCode.get(c.oldCode)!.name;
    if (!(sapnhap.get(c.rightNew) ?? "").includes(foldVietnamese(oldName)))
      fail(`correction ${c.oldCode} → ${c.rightNew}: sapnhap.bando does not name "${oldName}"`);
    links[at] = { ...links[at]!, toKey: `2025:${c.rightNew}`, kind: c.kind };
    corrected.set(`pre2025:${c.oldCode}>2025:${c.wrongNew}`, `pre2025:${c.oldCode}>2025:${c.rightNew}`);
    notes.push(`crosswalk pre2025:${c.oldCode} → 2025:${c.wrongNew} corrected to 2025:${c.rightNew}`);
  }

  // Checks: the reverse file lists the same links; every old province and commune is covered;
  // a commune's links stay inside the new provinces its old province went to.
  const linkId = (l: { fromKey: string; toKey: string }) => `${l.fromKey}>${l.toKey}`;
  const have = new Set(links.map(linkId));
  if (have.size !== links.length) fail("crosswalk has duplicate links");
  const reverse = new Set<string>();
  const addReverse = (oldCode: string, newCodeRaw: string) => {
    const id = `pre2025:${oldCode}>2025:${mapNew(newCodeRaw)}`;
    reverse.add(corrected.get(id) ?? id);
  };
  for (const p of splits.data) {
    for (const s of p.splits) addReverse(p.level1_id, s.new_id);
    for (const d of p.level2s ?? []) for (const s of d.splits) addReverse(d.level2_id, s.new_id);
    for (const c of p.level3s) for (const s of c.splits) addReverse(c.level3_id, s.new_id);
  }
  if (reverse.size !== have.size || [...reverse].some((id) => !have.has(id))) fail("merges.json and splits.json disagree");
  const covered = new Set(links.map((l) => l.fromKey));
  for (const u of pre) {
    if (u.level !== "district" && !covered.has(`pre2025:${u.code}`)) fail(`pre-2025 ${u.level} ${u.code} has no successor`);
  }
  const provinceLinks = new Set(links.filter((l) => l.level === "province").map(linkId));
  const provinceOf = (units: Map<string, BuiltUnit>, code: string): string => {
    let u = units.get(code);
    while (u && u.parentCode !== null) u = units.get(u.parentCode);
    return u!.code;
  };
  for (const l of links) {
    if (l.level === "province") continue;
    const from = provinceOf(preByCode, l.fromKey.slice("pre2025:".length));
    const to = provinceOf(postByCode, l.toKey.slice("2025:".length));
    if (!provinceLinks.has(`pre2025:${from}>2025:${to}`)) fail(`crosswalk ${linkId(l)} crosses province ${from} → ${to}`);
  }
  const levelRank = (l: Level) => LEVELS.indexOf(l);
  return links.sort((a, b) => levelRank(a.level) - levelRank(b.level) || compare(a.fromKey, b.fromKey) || compare(a.toKey, b.toKey));
}

// --- output ---

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countLevels(units: BuiltUnit[]): Partial<Record<Level, number>> {
  const counts: Partial<Record<Level, number>> = {};
  for (const u of units) counts[u.level] = (counts[u.level] ?? 0) + 1;
  return counts;
}

function checkUnits(registry: string, units: BuiltUnit[]): BuiltUnit[] {
  const byCode = new Map<string, BuiltUnit>();
  for (const u of units) {
    if (byCode.has(u.code)) fail(`${registry}: duplicate code ${u.code}`);
    if (!new RegExp(`^\\d{${CODE_LENGTH[u.level]}}$`).test(u.code)) fail(`${registry}: bad ${u.level} code ${u.code}`);
    byCode.set(u.code, u);
  }
  for (const u of units) {
    const parent = u.parentCode === null ? null : byCode.get(u.parentCode);
    if (u.level === "province" ? u.parentCode !== null : !parent || levelRankOf(parent.level) >= levelRankOf(u.level)) {
      fail(`${registry}: ${u.code} has a bad parent ${u.parentCode}`);
    }
  }
  return [...units].sort((a, b) => levelRankOf(a.level) - levelRankOf(b.level) || compare(a.code, b.code));
}

function levelRankOf(level: Level): number {
  return LEVELS.indexOf(level);
}

interface SourceInfo {
  repository: string;
  commit: string;
  path: string;
  license: string;
}

function unitsFile(registry: string, source: SourceInfo, units: BuiltUnit[]): string {
  const meta = {
    format: "chiso.units/1",
    registry,
    source: source.repository,
    commit: source.commit,
    path: source.path,
    license: source.license,
    notice: "LICENSES.md",
  };
  const rows = units.map((u) => JSON.stringify(UNIT_COLUMNS.map((c) => u[c])));
  return [JSON.stringify(meta), JSON.stringify(UNIT_COLUMNS), ...rows].join("\n") + "\n";
}

function crosswalkFile(links: BuiltLink[]): string {
  const meta = {
    format: "chiso.crosswalk/1",
    from: "pre2025",
    to: "2025",
    source: SOURCES.crosswalk.repository,
    commit: SOURCES.crosswalk.commit,
    path: SOURCES.crosswalk.path,
    license: SOURCES.crosswalk.license,
    notice: "LICENSES.md",
  };
  const rows = links.map((l) => JSON.stringify(CROSSWALK_COLUMNS.map((c) => l[c])));
  return [JSON.stringify(meta), JSON.stringify(CROSSWALK_COLUMNS), ...rows].join("\n") + "\n";
}

export function buildUnitFiles(dataDir: string = DEFAULT_DATA_DIR): BuildResult {
  const notes: string[] = [];
  const pre = checkUnits("pre2025", buildPre2025(dataDir));
  const post = checkUnits("2025", build2025(dataDir, notes));
  const crosswalk = buildCrosswalk(dataDir, pre, post, notes);
  const registries = [
    {
      id: "pre2025",
      label: {
        vi: "Đơn vị hành chính trước 01/7/2025 (danh mục GSO ngày 01/3/2025)",
        en: "Administrative units before 1 July 2025 (GSO list of 1 March 2025)",
      },
      validFrom: "2008-08-01",
      validTo: "2025-06-30",
      snapshot: "2025-03-01",
      license: SOURCES.pre2025.license,
      counts: countLevels(pre),
    },
    {
      id: "2025",
      label: { vi: "Đơn vị hành chính từ 01/7/2025 (34 tỉnh, không cấp huyện)", en: "Administrative units from 1 July 2025 (34 provinces, no districts)" },
      validFrom: "2025-07-01",
      validTo: null,
      snapshot: "2026-07-25",
      license: SOURCES.units2025.license,
      counts: countLevels(post),
    },
  ];
  return {
    files: {
      "registries.json": JSON.stringify(registries, null, 2) + "\n",
      "units-pre2025.jsonl": unitsFile("pre2025", SOURCES.pre2025, pre),
      "units-2025.jsonl": unitsFile("2025", SOURCES.units2025, post),
      "crosswalk-pre2025-2025.jsonl": crosswalkFile(crosswalk),
    },
    notes,
  };
}

function main(argv: string[]): number {
  let dataDir = DEFAULT_DATA_DIR;
  let outDir = DEFAULT_OUT_DIR;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--check") check = true;
    else if (arg === "--out") outDir = resolve(argv[++i] ?? fail("--out needs a directory"));
    else if (arg.startsWith("-")) fail(`unknown option ${arg}`);
    else dataDir = resolve(arg);
  }
  if (!existsSync(dataDir)) fail(`data directory not found: ${dataDir}`);
  const { files, notes } = buildUnitFiles(dataDir);
  for (const note of notes) console.log(`note: ${note}`);
  let differences = 0;
  if (!check) mkdirSync(outDir, { recursive: true });
  for (const name of GENERATED_FILES) {
    const path = join(outDir, name);
    if (check) {
      const same = existsSync(path) && readFileSync(path, "utf8") === files[name];
      if (!same) differences++;
      console.log(`${same ? "same" : "DIFFERS"} ${path}`);
    } else {
      writeFileSync(path, files[name]);
      console.log(`wrote ${path} (${Buffer.byteLength(files[name])} bytes)`);
    }
  }
  return differences === 0 ? 0 : 1;
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  }
}
