/**
 * The administrative-unit registry as shipped with chiso: loads the vendored files in ./data
 * (built by scripts/build-units.ts, no network needed) and checks the village and agency lists
 * that each survey round imports as CSV (read by server/lib/csv.ts). Pure apart from reading the
 * vendored files.
 */
import { readFileSync } from "node:fs";
import type { ProblemCode } from "../../shared/errors.js";
import type { Text } from "../../shared/i18n.js";
import type { UnitLevel } from "../../shared/units/levels.js";
import { CsvFileError, parseCsv, type CsvTable } from "../lib/csv.js";

export interface RegistryInfo {
  id: string;
  label: Text;
  /** ISO dates; validTo null while the registry is current. */
  validFrom: string;
  validTo: string | null;
  /** Date of the source list the registry was built from. */
  snapshot: string;
  license: string;
  counts: Partial<Record<UnitLevel, number>>;
}

export interface UnitRecord {
  registry: string;
  /** GSO code (2-digit province, 3-digit district, 5-digit commune), `<commune>-<village>`, or `A-<agency>`. */
  code: string;
  /** `<registry>:<code>`, e.g. "2025:01", "pre2025:001". */
  key: string;
  level: UnitLevel;
  /** Short name, e.g. "Ba Đình". */
  name: string;
  /** Name with its type, e.g. "Quận Ba Đình". */
  fullName: string;
  /** "Tỉnh", "Thành phố", "Quận", "Huyện", "Thị xã", "Xã", "Phường", "Thị trấn", "Đặc khu", … ("" if unknown). */
  type: string;
  nameEn?: string;
  /** Names the same code carried in an earlier GSO list (e.g. "Thừa Thiên Huế" for Huế). */
  formerNames?: string[];
  parentKey: string | null;
  validFrom: string;
  validTo: string | null;
}

export interface CrosswalkLink {
  fromKey: string;
  toKey: string;
  /** Level of the old unit: province, commune, or district for the five island districts without communes. */
  level: UnitLevel;
  /** "partial": only part of the old unit went into the new one. */
  kind: "full" | "partial";
}

export interface VendoredUnits {
  registries: RegistryInfo[];
  units: UnitRecord[];
  crosswalk: CrosswalkLink[];
}

const DATA_DIR = new URL("./data/", import.meta.url);
const UNIT_FILES = { pre2025: "units-pre2025.jsonl", "2025": "units-2025.jsonl" } as const;
const CROSSWALK_FILE = "crosswalk-pre2025-2025.jsonl";
const UNIT_COLUMNS = ["code", "level", "type", "name", "fullName", "nameEn", "parentCode", "formerNames"] as const;
const CROSSWALK_COLUMNS = ["fromKey", "toKey", "level", "kind"] as const;

function readData(name: string): string {
  return readFileSync(new URL(name, DATA_DIR), "utf8");
}

/**
 * Reads a vendored table: line 1 describes the source, line 2 names the columns, each further
 * line is one row as a JSON array. Columns are looked up by name so that adding one stays compatible.
 */
function readTable<C extends string>(name: string, columns: readonly C[]): Record<C, unknown>[] {
  const lines = readData(name)
    .split("\n")
    .filter((l) => l !== "");
  const header = JSON.parse(lines[1] ?? "[]") as unknown[];
  const at = columns.map((c) => {
    const i = header.indexOf(c);
    if (i < 0) throw new Error(`${name}: column "${c}" missing`);
    return i;
  });
  return lines.slice(2).map((line) => {
    const row = JSON.parse(line) as unknown[];
    return Object.fromEntries(columns.map((c, j) => [c, row[at[j]!]])) as Record<C, unknown>;
  });
}

/** Loads both registries (pre2025 and 2025), their units and the old → new crosswalk. */
export function loadVendoredUnits(): VendoredUnits {
  const registries = JSON.parse(readData("registries.json")) as RegistryInfo[];
  const units: UnitRecord[] = [];
  for (const registry of registries) {
    const file = UNIT_FILES[registry.id as keyof typeof UNIT_FILES];
    if (!file) throw new Error(`no unit file for registry ${registry.id}`);
    for (const row of readTable(file, UNIT_COLUMNS)) {
      const code = row.code as string;
      const unit: UnitRecord = {
        registry: registry.id,
        code,
        key: `${registry.id}:${code}`,
        level: row.level as UnitLevel,
        name: row.name as string,
        fullName: row.fullName as string,
        type: row.type as string,
        parentKey: row.parentCode === null ? null : `${registry.id}:${row.parentCode as string}`,
        validFrom: registry.validFrom,
        validTo: registry.validTo,
      };
      if (typeof row.nameEn === "string") unit.nameEn = row.nameEn;
      const former = row.formerNames as string[] | undefined;
      if (former && former.length > 0) unit.formerNames = former;
      units.push(unit);
    }
  }
  const crosswalk = readTable(CROSSWALK_FILE, CROSSWALK_COLUMNS) as unknown as CrosswalkLink[];
  return { registries, units, crosswalk };
}

// --- CSV import of villages and agencies ---

export interface ImportError {
  /** 1-based line in the file (the line where the record starts). */
  line: number;
  /** Column name, or "" for the whole row. */
  field: string;
  code: ProblemCode;
  message_vi: string;
  message_en: string;
}

export interface ImportResult {
  units: UnitRecord[];
  errors: ImportError[];
}

type RegistryRef = Pick<RegistryInfo, "id" | "validFrom" | "validTo">;

function nfcName(s: string): string {
  return s.normalize("NFC").replace(/\s+/g, " ").trim();
}

const MAX_NAME = 200;
const LOCAL_CODE = /^[0-9A-Za-z_.]{1,20}$/;

type ReportError = (field: string, code: ProblemCode, vi: string, en: string) => void;

interface ImportSpec {
  required: readonly string[];
  /** The column a repeated code is blamed on. */
  codeField: string;
  /** Builds a unit from one row, or reports what is wrong with it. */
  row: (get: (column: string) => string, error: ReportError) => Omit<UnitRecord, "registry" | "key" | "validFrom" | "validTo"> | null;
}

function importCsv(text: string, registry: RegistryRef, spec: ImportSpec): ImportResult {
  const errors: ImportError[] = [];
  let table: CsvTable;
  try {
    table = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvFileError)) throw error;
    errors.push({ line: error.line, field: "", code: "invalid_field", message_vi: error.text.vi, message_en: error.text.en });
    return { units: [], errors };
  }
  const units: UnitRecord[] = [];
  const header = table.columns;
  if (header.length === 0) {
    errors.push({ line: 1, field: "", code: "required", message_vi: "Tệp CSV trống.", message_en: "The CSV file is empty." });
    return { units, errors };
  }
  const missing = spec.required.filter((c) => !header.includes(c));
  for (const column of missing) {
    errors.push({
      line: 1,
      field: column,
      code: "required",
      message_vi: `Dòng tiêu đề thiếu cột "${column}" (cần: ${spec.required.join(", ")}).`,
      message_en: `The header line lacks the column "${column}" (needed: ${spec.required.join(", ")}).`,
    });
  }
  if (missing.length > 0) return { units, errors };
  const seen = new Map<string, number>();
  for (const record of table.records) {
    const rowErrors: ImportError[] = [];
    const get = (column: string) => record.fields[header.indexOf(column)] ?? "";
    const error = (field: string, code: ProblemCode, vi: string, en: string) =>
      rowErrors.push({ line: record.line, field, code, message_vi: vi, message_en: en });
    const unit = spec.row(get, error);
    if (unit && rowErrors.length === 0) {
      const key = `${registry.id}:${unit.code}`;
      const first = seen.get(key);
      if (first !== undefined) {
        error(spec.codeField, "invalid_field", `Mã "${unit.code}" trùng với dòng ${first}.`, `The code "${unit.code}" repeats line ${first}.`);
      } else {
        seen.set(key, record.line);
        units.push({ ...unit, registry: registry.id, key, validFrom: registry.validFrom, validTo: registry.validTo });
      }
    }
    errors.push(...rowErrors);
  }
  return { units, errors };
}

/** Spreadsheets drop leading zeros ("4" for "00004"); GSO codes have a fixed width, so pad them back. */
function gsoCode(raw: string, width: number): string | null {
  return /^\d+$/.test(raw) && raw.length <= width ? raw.padStart(width, "0") : null;
}

function nameField(raw: string, error: ReportError): string | null {
  const name = nfcName(raw);
  if (name === "") error("name", "required", "Thiếu tên.", "The name is missing.");
  else if (name.length > MAX_NAME) error("name", "too_long", `Tên dài quá ${MAX_NAME} ký tự.`, `The name is longer than ${MAX_NAME} characters.`);
  else return name;
  return null;
}

/** Optional `type` column ("Thôn", "Tổ dân phố", "Ấp", "Bản", …): when given, the full name is "<type> <name>". */
function typed(name: string, get: (column: string) => string): { type: string; fullName: string } {
  const type = nfcName(get("type"));
  return { type, fullName: type === "" || name.toLocaleLowerCase("vi").startsWith(type.toLocaleLowerCase("vi") + " ") ? name : `${type} ${name}` };
}

/**
 * Villages of a survey round (no public list exists): columns `commune_code,village_code,name`
 * (optional `type`). Key `<registry>:<commune_code>-<village_code>`, parent the commune, which
 * must be in `knownUnitKeys`.
 */
export function parseVillageCsv(text: string, registry: RegistryRef, knownUnitKeys: ReadonlySet<string>): ImportResult {
  return importCsv(text, registry, {
    required: ["commune_code", "village_code", "name"],
    codeField: "village_code",
    row: (get, error) => {
      const communeRaw = get("commune_code");
      const commune = gsoCode(communeRaw, 5);
      const parentKey = commune === null ? null : `${registry.id}:${commune}`;
      if (communeRaw === "") error("commune_code", "required", "Thiếu mã xã.", "The commune code is missing.");
      else if (commune === null)
        error("commune_code", "invalid_field", `Mã xã "${communeRaw}" phải gồm tối đa 5 chữ số.`, `The commune code "${communeRaw}" must be up to 5 digits.`);
      else if (!knownUnitKeys.has(parentKey!)) {
        error(
          "commune_code",
          "unit_not_found",
          `Không có xã mã ${commune} trong danh mục ${registry.id}.`,
          `No commune with code ${commune} in registry ${registry.id}.`,
        );
      }
      const village = get("village_code");
      if (village === "") error("village_code", "required", "Thiếu mã thôn.", "The village code is missing.");
      else if (!LOCAL_CODE.test(village)) {
        error(
          "village_code",
          "invalid_field",
          `Mã thôn "${village}" chỉ gồm chữ không dấu, chữ số, "_" hoặc ".", tối đa 20 ký tự.`,
          `The village code "${village}" may hold only letters A–Z, digits, "_" or ".", up to 20 characters.`,
        );
      }
      const name = nameField(get("name"), error);
      if (name === null || commune === null) return null;
      return { code: `${commune}-${village}`, level: "village", name, ...typed(name, get), parentKey };
    },
  });
}

/**
 * Agencies for the leader survey: columns `agency_code,name,province_code` (optional `type`).
 * Key `<registry>:A-<agency_code>`, parent the province, which must be in `knownUnitKeys`.
 */
export function parseAgencyCsv(text: string, registry: RegistryRef, knownUnitKeys: ReadonlySet<string>): ImportResult {
  return importCsv(text, registry, {
    required: ["agency_code", "name", "province_code"],
    codeField: "agency_code",
    row: (get, error) => {
      const agency = get("agency_code");
      if (agency === "") error("agency_code", "required", "Thiếu mã cơ quan.", "The agency code is missing.");
      else if (!LOCAL_CODE.test(agency)) {
        error(
          "agency_code",
          "invalid_field",
          `Mã cơ quan "${agency}" chỉ gồm chữ không dấu, chữ số, "_" hoặc ".", tối đa 20 ký tự.`,
          `The agency code "${agency}" may hold only letters A–Z, digits, "_" or ".", up to 20 characters.`,
        );
      }
      const name = nameField(get("name"), error);
      const provinceRaw = get("province_code");
      const province = gsoCode(provinceRaw, 2);
      const parentKey = province === null ? null : `${registry.id}:${province}`;
      if (provinceRaw === "") error("province_code", "required", "Thiếu mã tỉnh.", "The province code is missing.");
      else if (province === null)
        error(
          "province_code",
          "invalid_field",
          `Mã tỉnh "${provinceRaw}" phải gồm tối đa 2 chữ số.`,
          `The province code "${provinceRaw}" must be up to 2 digits.`,
        );
      else if (!knownUnitKeys.has(parentKey!)) {
        error(
          "province_code",
          "unit_not_found",
          `Không có tỉnh mã ${province} trong danh mục ${registry.id}.`,
          `No province with code ${province} in registry ${registry.id}.`,
        );
      }
      if (name === null) return null;
      return { code: `A-${agency}`, level: "agency", name, ...typed(name, get), parentKey };
    },
  });
}
