/**
 * Response-level data for statistical software: the `data` layout (the wide layout with coded answers
 * as numbers, one 0/1 column per choice of a multiple choice, times in Vietnam's time zone, variable
 * names SPSS and Stata accept) and the label syntax files that go beside its CSV — SPSS (.sps),
 * Stata (.do) and R (.R) — applying variable and value labels. Rules: docs/results.md, "Data for
 * statistical software"; decision docs/decisions/0016-labelled-data.md.
 */
import type { Writable } from "node:stream";
import type { Lang } from "../../shared/i18n.js";
import type { Choice, Instrument, Question } from "../../shared/instrument/schema.js";
import { answerableQuestions, choicesOf } from "../../shared/instrument/walk.js";
import type { Cell, Column, Table, WriteOptions } from "./writers.js";

// ------------------------------------------------------------------ numeric coding

export interface ValueLabel {
  value: number;
  code: string;
  label: { vi: string; en: string };
  /** "Không biết", "Không áp dụng": a valid answer off the scale, declared missing where the tool allows. */
  missing?: boolean;
}

/** A code written as a plain integer ("1", "12", "-1"; not "01" or "1.5"). */
const integerCode = (code: string) => /^-?(0|[1-9]\d{0,8})$/.test(code);

/**
 * Numbers for the codes of one choice list or scale: a code that is an integer numeral is that
 * number; any other code is its 1-based position in the list, or — when a numeral code already
 * holds that number — the next number above every number used so far. So "1".."5","dk","na"
 * are 1..5, 6, 7, and "yes","no" are 1, 2.
 */
export function numericCoding(choices: readonly Choice[]): ValueLabel[] {
  const used = new Set(choices.filter((c) => integerCode(c.code)).map((c) => Number(c.code)));
  let highest = Math.max(0, ...used);
  return choices.map((choice, i) => {
    let value: number;
    if (integerCode(choice.code)) value = Number(choice.code);
    else {
      value = used.has(i + 1) ? highest + 1 : i + 1;
      used.add(value);
    }
    highest = Math.max(highest, value);
    return { value, code: choice.code, label: choice.label, ...(choice.outside ? { missing: true } : {}) };
  });
}

/** The coding of a question's codes; a scale's outside codes are missing whether or not they say so. */
export function questionCoding(instrument: Instrument, question: Question): ValueLabel[] {
  const outside = question.type === "rating" ? new Set(instrument.scales[question.scale]?.outside.map((o) => o.code)) : new Set<string>();
  return numericCoding(choicesOf(instrument, question).map((c) => (outside.has(c.code) ? { ...c, outside: true } : c)));
}

// ------------------------------------------------------------------ variable names

/** Longest name Stata accepts (SPSS allows 64 bytes; names here are ASCII, so 32 fits both). */
export const NAME_LIMIT = 32;
/** Words SPSS (ALL … WITH) or Stata (_all, byte, if, …) reserve; compared without case. */
const RESERVED = new Set([
  "all",
  "and",
  "by",
  "eq",
  "ge",
  "gt",
  "le",
  "lt",
  "ne",
  "not",
  "or",
  "to",
  "with",
  "byte",
  "int",
  "long",
  "float",
  "double",
  "if",
  "in",
  "using",
  "_n",
  "_b",
  "_cons",
  "_pi",
  "_pred",
  "_rc",
  "_se",
  "_skip",
  "strl",
  "str",
]);

/**
 * A name SPSS, Stata and R all accept: ASCII letters, digits and _, starting with a letter, at most
 * 32 characters, not a reserved word. Diacritics are dropped ("đ" → "d"), other signs become "_".
 */
export function variableName(raw: string): string {
  let name = raw
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, (c) => (c === "đ" ? "d" : "D"))
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^_+/, "");
  if (!/^[A-Za-z]/.test(name)) name = `v${name ? `_${name}` : ""}`;
  if (/^str\d+$/i.test(name) || RESERVED.has(name.toLowerCase())) name = `${name}_`;
  return name.slice(0, NAME_LIMIT);
}

/**
 * Names for a list of wanted names, unique without regard to case (SPSS ignores case) after
 * truncation: a repeat gets "_2", "_3", … with its stem shortened so the whole stays within the limit.
 * `priority` orders who keeps the plain name (lower first); the result is in the input's order.
 */
export function uniqueNames(wanted: readonly string[], priority: readonly number[] = []): string[] {
  const order = wanted.map((_, i) => i).sort((a, b) => (priority[a] ?? 0) - (priority[b] ?? 0) || a - b);
  const taken = new Set<string>();
  const out: string[] = new Array<string>(wanted.length);
  for (const i of order) {
    const base = variableName(wanted[i]!);
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base.slice(0, NAME_LIMIT - String(n).length - 1)}_${n}`;
    taken.add(name.toLowerCase());
    out[i] = name;
  }
  return out;
}

// ------------------------------------------------------------------ the data layout

/** A column of the data layout, with what the syntax files need. */
export interface DataColumn extends Column {
  /** Value labels of a coded column (ratings, single choice, the 0/1 columns). */
  values?: ValueLabel[];
  /** A shorter label for tools that cut labels (Stata: 80 characters), used when the label is longer. */
  short?: { vi: string; en: string };
}

export interface DataTable extends Table {
  columns: DataColumn[];
}

/** Names of the wide layout's response columns in the data layout (others lose their leading "_"). */
const META_NAMES: Record<string, string> = {
  _id: "response_id",
  _unit: "unit_key",
  _group: "resp_group",
  _channel: "resp_channel",
  _device: "device_id",
  _enumerator: "enumerator_id",
  _started: "started_at",
  _submitted: "submitted_at",
  _received: "received_on",
};
const TIME_COLUMNS = new Set(["_started", "_submitted"]);

const SELECTED: ValueLabel[] = [
  { value: 0, code: "0", label: { vi: "Không chọn", en: "Not selected" } },
  { value: 1, code: "1", label: { vi: "Có chọn", en: "Selected" } },
];

/**
 * A time as Vietnam's wall clock with its offset, "2026-11-01T15:21:07+07:00" (Vietnam has had
 * no daylight saving time since 1975, so the offset is fixed). A bare day (invitation responses)
 * and text that is not a time pass through unchanged.
 */
export function vietnamTime(value: string | null): string | null {
  if (value === null || /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  return `${new Date(ms + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

/**
 * Text on one line: SPSS (GET DATA) and PSPP read a line break inside a quoted field as the end of
 * the case, so in this layout line breaks become spaces (wide, long and JSON keep them).
 */
const flat = (cell: Cell): Cell => (typeof cell === "string" && /[\r\n]/.test(cell) ? cell.replace(/\r\n|[\r\n]/g, " ") : cell);

/**
 * The data layout from the wide one: the same rows and response columns, renamed; ratings and
 * single choices as numbers; text on one line; a multiple choice as its numbers separated by spaces plus one 0/1
 * column per choice (empty when the question was not answered).
 */
export function dataTable(wide: Table, instrument: Instrument): DataTable {
  const questions = new Map(answerableQuestions(instrument).map(({ question }) => [question.id, question]));
  type Plan = { columns: DataColumn[]; cells: (v: Cell) => Cell[] };
  const plans: Plan[] = wide.columns.map((column) => {
    const question = questions.get(column.key);
    if (!question) {
      const name = META_NAMES[column.key] ?? column.key;
      return { columns: [{ ...column, key: name }], cells: (v) => [TIME_COLUMNS.has(column.key) && typeof v === "string" ? vietnamTime(v) : v] };
    }
    const coding = questionCoding(instrument, question);
    if (coding.length === 0) return { columns: [column], cells: (v) => [v] };
    const number = new Map(coding.map((c) => [c.code, c.value]));
    // An answer with a code the list no longer has stays as its text rather than being lost.
    const coded = (code: string): Cell => number.get(code) ?? code;
    if (question.type !== "multiple") {
      return { columns: [{ ...column, type: "number", values: coding }], cells: (v) => [typeof v === "string" ? coded(v) : v] };
    }
    const dummies: DataColumn[] = coding.map((c) => ({
      key: `${column.key}_${c.value}`,
      label: { vi: `${column.label.vi}: ${c.label.vi}`, en: `${column.label.en}: ${c.label.en}` },
      // Stata keeps 80 characters: "channel: <choice>" says more than the question's first words.
      short: { vi: `${column.key}: ${c.label.vi}`, en: `${column.key}: ${c.label.en}` },
      type: "number",
      width: 8,
      values: SELECTED,
    }));
    return {
      columns: [{ ...column, type: "text" }, ...dummies],
      cells: (v) => {
        if (!Array.isArray(v)) return [v, ...coding.map(() => null)];
        const codes = v as readonly string[];
        return [codes.map(coded).join(" "), ...coding.map((c) => (codes.includes(c.code) ? 1 : 0))];
      },
    };
  });
  const columns = plans.flatMap((p) => p.columns);
  // Questions keep their own names first, then response columns, then the 0/1 columns.
  const rank = columns.map((c) => (c.values === SELECTED ? 2 : questions.has(c.key) ? 0 : 1));
  const names = uniqueNames(
    columns.map((c) => c.key),
    rank,
  );
  return {
    name: wide.name.replace(/-wide$/, "-data"),
    columns: columns.map((c, i) => ({ ...c, key: names[i]! })),
    total: wide.total,
    async *rows(report) {
      for await (const row of wide.rows(report)) yield plans.flatMap((p, i) => p.cells(row[i] ?? null)).map(flat);
    },
  };
}

// ------------------------------------------------------------------ label syntax files

export const SYNTAX_FORMATS = ["sps", "do", "r"] as const;
export type SyntaxFormat = (typeof SYNTAX_FORMATS)[number];

export interface SyntaxOptions {
  lang: Lang;
  /** The CSV these files read: written by format=csv of the same layout, separator and decimal. */
  csvFile: string;
  separator: string;
  decimal: string;
}

/** Labels are one line: line breaks and tabs become spaces. */
const oneLine = (s: string) =>
  s
    .normalize("NFC")
    .replace(/[\r\n\t]+/g, " ")
    .trim();

/** At most `limit` UTF-8 bytes, cut at a character and marked with "…". */
export function cutBytes(s: string, limit: number): string {
  if (Buffer.byteLength(s) <= limit) return s;
  let out = "";
  for (const ch of s) {
    if (Buffer.byteLength(out + ch + "…") > limit) break;
    out += ch;
  }
  return `${out}…`;
}

/** At most `limit` characters, marked with "…". */
export function cutChars(s: string, limit: number): string {
  const chars = [...s];
  return chars.length <= limit ? s : `${chars.slice(0, limit - 1).join("")}…`;
}

const valueSets = (columns: readonly DataColumn[]) => columns.filter((c): c is DataColumn & { values: ValueLabel[] } => !!c.values?.length);

/** SPSS: a quoted string with apostrophes doubled. */
const spsString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** SPSS syntax: read the CSV (GET DATA), then variable labels, value labels and missing values. */
export function spssSyntax(columns: readonly DataColumn[], options: SyntaxOptions): string {
  const l = options.lang;
  const lines = [
    "* Encoding: UTF-8.",
    `* ${l === "vi" ? "Đọc" : "Reads"} ${options.csvFile} ${l === "vi" ? "và gắn nhãn biến, nhãn giá trị (chiso)." : "and applies variable and value labels (chiso)."}`,
    options.decimal === "," ? "SET DECIMAL=COMMA." : "SET DECIMAL=DOT.",
    "GET DATA /TYPE=TXT",
    `  /FILE=${spsString(options.csvFile)}`,
    "  /ENCODING='UTF8'",
    "  /ARRANGEMENT=DELIMITED",
    `  /DELIMITERS=${spsString(options.separator === "\t" ? "\\t" : options.separator)}`,
    "  /QUALIFIER='\"'",
    "  /FIRSTCASE=2",
    "  /VARIABLES=",
    ...columns.map((c) => `    ${c.key} ${c.type === "number" ? (c.values ? "F8.0" : "F16.6") : "A4000"}`),
    ".",
    "VARIABLE LABELS",
    ...columns.map((c, i) => `  ${c.key} ${spsString(cutBytes(oneLine(c.label[l]), 255))}${i === columns.length - 1 ? "." : ""}`),
  ];
  const coded = valueSets(columns);
  if (coded.length) {
    lines.push("VALUE LABELS");
    coded.forEach((c, i) => {
      lines.push(`  ${i ? "/" : ""}${c.key}`);
      for (const v of c.values) lines.push(`    ${v.value} ${spsString(cutBytes(oneLine(v.label[l]), 120))}`);
    });
    lines.push(".");
  }
  const missing = coded.filter((c) => c.values.some((v) => v.missing));
  // SPSS takes at most three discrete missing values per variable.
  for (const c of missing)
    lines.push(
      `MISSING VALUES ${c.key} (${c.values
        .filter((v) => v.missing)
        .slice(0, 3)
        .map((v) => v.value)
        .join(", ")}).`,
    );
  lines.push("EXECUTE.", "");
  return lines.join("\r\n");
}

/**
 * Stata: a compound-quoted string, which may hold " and '. Only "' would end it early; a backquote
 * or $ would start a macro, so backquotes become apostrophes and $ is escaped.
 */
const doString = (s: string) => `\`"${s.replace(/`/g, "'").replace(/\$/g, "\\$").replace(/"'/g, "\" '")}"'`;

/** Stata (14 or later, which reads UTF-8): import the CSV, then label variable / define / values. */
export function stataSyntax(columns: readonly DataColumn[], options: SyntaxOptions): string {
  const l = options.lang;
  const text = columns.map((c, i) => (c.type === "number" ? null : i + 1)).filter((i): i is number => i !== null);
  const numeric = columns.map((c, i) => (c.type === "number" ? i + 1 : null)).filter((i): i is number => i !== null);
  const delimiter = options.separator === "\t" ? "tab" : `"${options.separator}"`;
  const lines = [
    `* ${l === "vi" ? "Đọc" : "Reads"} ${options.csvFile} ${l === "vi" ? "và gắn nhãn biến, nhãn giá trị (chiso)." : "and applies variable and value labels (chiso)."}`,
    "version 14",
    `import delimited using "${options.csvFile}", clear encoding("utf-8") varnames(1) case(preserve) delimiters(${delimiter}) bindquote(strict) decimalseparator(${options.decimal === "," ? "," : "."})${text.length ? ` stringcols(${text.join(" ")})` : ""}${numeric.length ? ` numericcols(${numeric.join(" ")})` : ""}`,
    // Stata keeps at most 80 characters of a variable label.
    ...columns.map((c) => {
      const full = oneLine(c.label[l]);
      return `label variable ${c.key} ${doString(cutChars(c.short && [...full].length > 80 ? oneLine(c.short[l]) : full, 80))}`;
    }),
  ];
  for (const c of valueSets(columns)) {
    // Value label sets are named after their variable; the 0/1 columns share one set.
    const set = c.values === SELECTED ? "chiso_selected" : c.key;
    if (set !== "chiso_selected" || !lines.some((line) => line.startsWith("label define chiso_selected "))) {
      lines.push(`label define ${set} ${c.values.map((v) => `${v.value} ${doString(cutChars(oneLine(v.label[l]), 32000))}`).join(" ")}, replace`);
    }
    lines.push(`label values ${c.key} ${set}`);
  }
  lines.push("");
  return lines.join("\n");
}

/** R: a double-quoted string with \ and " escaped. */
const rString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/**
 * R (base R only): read.csv with the right column classes, the spreadsheet formula guard's leading
 * quote taken off text again, `label` and `labels` attributes as the haven package names them, and
 * `chiso_factor()` to turn a coded column into a factor of its labels.
 */
export function rSyntax(columns: readonly DataColumn[], options: SyntaxOptions): string {
  const l = options.lang;
  const classes = columns.map((c) => `${c.key} = ${c.type === "number" ? '"numeric"' : '"character"'}`);
  const lines = [
    `# ${l === "vi" ? "Đọc" : "Reads"} ${options.csvFile} ${l === "vi" ? "và gắn nhãn biến, nhãn giá trị (chiso). Chỉ cần R gốc." : "and applies variable and value labels (chiso). Base R only."}`,
    `chiso_data <- utils::read.csv(${rString(options.csvFile)}, fileEncoding = "UTF-8-BOM", encoding = "UTF-8", sep = ${rString(options.separator)}, dec = ${rString(options.decimal)},`,
    `  na.strings = "", check.names = FALSE, stringsAsFactors = FALSE, colClasses = c(${classes.join(", ")}))`,
    "# Text that a spreadsheet would run as a formula was written with a leading ' ; take it off.",
    "for (chiso_v in names(chiso_data)[vapply(chiso_data, is.character, logical(1))]) {",
    `  chiso_data[[chiso_v]] <- sub("^'([-=+@\\t\\r])", "\\\\1", chiso_data[[chiso_v]])`,
    "}",
    "chiso_label <- function(x, label, labels = NULL, na_values = NULL) {",
    '  attr(x, "label") <- enc2utf8(label)',
    "  if (!is.null(labels)) {",
    "    names(labels) <- enc2utf8(names(labels))",
    '    attr(x, "labels") <- labels',
    "  }",
    '  if (!is.null(na_values)) attr(x, "na_values") <- na_values',
    "  x",
    "}",
    "# A factor of the labels (answers without a label keep their number as the level).",
    "chiso_factor <- function(x) {",
    '  labels <- attr(x, "labels")',
    "  levels <- sort(unique(c(unname(labels), x[!is.na(x)])))",
    "  shown <- ifelse(levels %in% labels, names(labels)[match(levels, labels)], as.character(levels))",
    "  factor(x, levels = levels, labels = shown)",
    "}",
  ];
  for (const c of columns) {
    const args = [`chiso_data[[${rString(c.key)}]]`, rString(oneLine(c.label[l]))];
    if (c.values?.length) {
      args.push(`c(${c.values.map((v) => `${rString(oneLine(v.label[l]))} = ${v.value}`).join(", ")})`);
      const missing = c.values.filter((v) => v.missing).map((v) => v.value);
      if (missing.length) args.push(`na_values = c(${missing.join(", ")})`);
    }
    lines.push(`chiso_data[[${rString(c.key)}]] <- chiso_label(${args.join(", ")})`);
  }
  lines.push("rm(chiso_v)", "");
  return lines.join("\n");
}

export const SYNTAX_CONTENT_TYPES: Record<SyntaxFormat, string> = {
  sps: "text/plain; charset=utf-8",
  do: "text/plain; charset=utf-8",
  r: "text/plain; charset=utf-8",
};

/** Writes the syntax file for a data table (its rows are not read). */
export async function writeSyntax(table: Table, out: Writable, options: WriteOptions & { format: SyntaxFormat }): Promise<void> {
  const syntax: SyntaxOptions = { lang: options.labels ?? "vi", csvFile: `${table.name}.csv`, separator: options.separator, decimal: options.decimal };
  const columns = table.columns as DataColumn[];
  const text = options.format === "sps" ? spssSyntax(columns, syntax) : options.format === "do" ? stataSyntax(columns, syntax) : rSyntax(columns, syntax);
  // SPSS and R need no byte-order mark ("* Encoding: UTF-8." and fileEncoding say it); Stata must not get one.
  await new Promise<void>((resolve, reject) => out.write(text, (error) => (error ? reject(error) : resolve())));
  out.end();
}

/**
 * For the codebook: each question's variable name in the data layout and the number of each of its
 * codes (the same names and numbers as dataTable, which gives questions their names first).
 */
export function dataCoding(instrument: Instrument): Map<string, { variable: string; values: Map<string, number> }> {
  const items = answerableQuestions(instrument);
  const names = uniqueNames(items.map(({ question }) => question.id));
  return new Map(
    items.map(({ question }, i) => [question.id, { variable: names[i]!, values: new Map(questionCoding(instrument, question).map((v) => [v.code, v.value])) }]),
  );
}
