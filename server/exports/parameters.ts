/**
 * Every parameter an export reads, with the layouts and formats it applies to and the values it
 * takes: one table read by the HTTP route (query names) and by `chiso export` (option names), so
 * the command line can ask for everything the API gives and both refuse the same mistakes.
 */
import { Problem } from "../http/problem.js";
import { LAYOUTS, type Layout } from "./layouts.js";
import { FORMATS, type Format } from "./writers.js";
import { UNIT_LEVELS } from "../../shared/units/levels.js";

export const RAW_LAYOUTS: readonly Layout[] = ["wide", "long", "data", "codebook"];
const RESULTS: readonly Layout[] = ["results"];
/** Formats whose text depends on the CSV separator and decimal mark (the syntax files read the data CSV). */
const CSV_LIKE: readonly Format[] = ["csv", "sps", "do", "r"];

export interface ExportParameter {
  /** Query parameter name. */
  name: string;
  /** `chiso export` option name. */
  option: string;
  /** Allowed values (free text when absent: checked where it is used, e.g. a unit key). */
  values?: readonly string[];
  layouts: readonly Layout[];
  /** Only with these formats (any when absent). */
  formats?: readonly Format[];
  /** Only together with this other parameter (e.g. `cols` with `by`). */
  needs?: string;
  /** Not together with this other parameter. */
  excludes?: string;
  /** A command-line switch: `--rank` means `rank=1`. */
  flag?: boolean;
}

export const BREAKDOWNS = [...UNIT_LEVELS, "group"] as const;

export const EXPORT_PARAMETERS: readonly ExportParameter[] = [
  { name: "format", option: "format", values: FORMATS, layouts: LAYOUTS },
  { name: "labels", option: "labels", values: ["vi", "en", "none"], layouts: RAW_LAYOUTS },
  { name: "sep", option: "sep", values: ["comma", "semicolon", "tab"], layouts: LAYOUTS, formats: CSV_LIKE },
  { name: "decimal", option: "decimal", values: ["point", "comma"], layouts: LAYOUTS, formats: CSV_LIKE },
  { name: "lang", option: "lang", values: ["vi", "en"], layouts: RESULTS },
  { name: "unit", option: "unit", layouts: RESULTS },
  { name: "group", option: "group", layouts: RESULTS },
  { name: "variant", option: "variant", layouts: RESULTS },
  { name: "asOf", option: "as-of", layouts: RESULTS },
  { name: "compare", option: "compare", layouts: RESULTS },
  { name: "rank", option: "rank", values: ["1", "0", "true", "false"], layouts: RESULTS, needs: "unit", excludes: "by", flag: true },
  { name: "by", option: "by", values: BREAKDOWNS, layouts: RESULTS },
  { name: "cols", option: "cols", layouts: RESULTS, needs: "by" },
  { name: "node", option: "node", layouts: RESULTS, needs: "by" },
  { name: "peers", option: "peers", layouts: RESULTS, needs: "by" },
  { name: "precision", option: "precision", values: ["display", "full"], layouts: RESULTS },
  { name: "titles", option: "titles", values: ["1", "0"], layouts: RESULTS, formats: ["csv", "xlsx"] },
];

/**
 * Refuses, before anything is read, a parameter no export has, one the chosen layout or format does
 * not use (it would be silently ignored), a value not allowed, or a combination that means nothing.
 * Every parameter at fault is named.
 */
export function checkParameters(layout: Layout, format: Format, params: Record<string, string | undefined>): void {
  const given = Object.keys(params).filter((name) => params[name] !== undefined && params[name] !== "");
  const known = new Map(EXPORT_PARAMETERS.map((p) => [p.name, p]));
  const unknown = given.filter((name) => !known.has(name));
  if (unknown.length) {
    throw new Problem("export_parameter_unknown", undefined, { unknown, allowed: EXPORT_PARAMETERS.map((p) => p.name) });
  }
  const unusable: string[] = [];
  const reasons: Array<{ vi: string; en: string }> = [];
  for (const name of given) {
    const p = known.get(name)!;
    if (!p.layouts.includes(layout)) {
      unusable.push(name);
      reasons.push({ vi: `${name} chỉ dùng cho layout=${p.layouts.join("|")}`, en: `${name} applies only to layout=${p.layouts.join("|")}` });
    } else if (p.formats && !p.formats.includes(format)) {
      unusable.push(name);
      reasons.push({ vi: `${name} chỉ dùng cho format=${p.formats.join("|")}`, en: `${name} applies only to format=${p.formats.join("|")}` });
    } else if (p.needs && !given.includes(p.needs)) {
      unusable.push(name);
      reasons.push({ vi: `${name} cần có ${p.needs}`, en: `${name} needs ${p.needs}` });
    } else if (p.excludes && given.includes(p.excludes)) {
      unusable.push(name);
      reasons.push({ vi: `${name} không dùng cùng ${p.excludes}`, en: `${name} cannot be used with ${p.excludes}` });
    }
  }
  if (unusable.length) {
    throw new Problem("export_parameter_unusable", undefined, { unusable, layout, format, reasons });
  }
  for (const name of given) {
    const p = known.get(name)!;
    const value = params[name]!;
    if (p.values && !p.values.includes(value)) {
      throw new Problem("export_parameter_value", undefined, { [name]: value, name, value, allowed: p.values });
    }
  }
}

/** A choice already checked by checkParameters, or its default. */
export function choice<T extends string>(params: Record<string, string | undefined>, name: string, fallback: T): T {
  const v = params[name];
  return (v === undefined || v === "" ? fallback : v) as T;
}
