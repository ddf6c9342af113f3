/**
 * A workbook as plain data (sheets of text cells with their spreadsheet row numbers), the problem
 * type every XLSForm check reports, and the column naming of docs/xlsform.md. No file I/O here:
 * the server turns .xlsx bytes into this shape and back.
 */
import type { FieldError } from "../errors.js";
import type { Lang, Text } from "../i18n.js";

/** One sheet: the header (row 1) and the data rows below it, blank rows left out. */
export interface Sheet {
  name: string;
  header: string[];
  /** `row` is the 1-based spreadsheet row number, for messages. */
  rows: Array<{ row: number; cells: string[] }>;
}

export interface Workbook {
  sheets: Sheet[];
}

/** A sheet to write: a header and rows of text or numbers (numbers stay numbers in Excel). */
export interface SheetOut {
  name: string;
  header: string[];
  rows: Array<Array<string | number>>;
}

/** One problem in a workbook: where (sheet, row, column as header name) and why, in both languages. */
export interface XlsformIssue {
  sheet: string;
  /** 1-based spreadsheet row; absent when the problem is the whole sheet. */
  row?: number;
  /** The header of the column, as written in the workbook. */
  column?: string;
  /** Spreadsheet column letter (A, B, … AA), when the column exists. */
  letter?: string;
  message: Text;
}

/** Spreadsheet column letter of a 0-based column index: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** Where an issue is, as one line: "survey!E12 (relevant)". */
export function issuePlace(issue: XlsformIssue): string {
  const cell = issue.row !== undefined ? `${issue.letter ?? ""}${issue.row}` : "";
  const sheet = cell ? `${issue.sheet}!${cell}` : issue.sheet;
  return issue.column ? `${sheet} (${issue.column})` : sheet;
}

/** Issues as the field errors of a 422 problem body (`question` names the cell). */
export function issuesToFieldErrors(issues: readonly XlsformIssue[]): FieldError[] {
  return issues.map((i) => ({ question: issuePlace(i), code: "invalid_field", message_vi: i.message.vi, message_en: i.message.en }));
}

/** The two languages chiso holds, as XLSForm language columns write them. */
export const LANGUAGE_SUFFIX: Record<Lang, string> = { vi: "Tiếng Việt (vi)", en: "English (en)" };

/**
 * Which of chiso's languages an XLSForm language name means: "English (en)", "English",
 * "Tiếng Việt (vi)", "Vietnamese", "vi". Null for any other language.
 */
export function languageOf(name: string): Lang | null {
  const s = name.normalize("NFC").trim().toLowerCase();
  const code = /\(([a-z]{2,3})(?:[-_][a-z0-9]+)?\)\s*$/.exec(s)?.[1];
  if (code === "vi" || code === "vie") return "vi";
  if (code === "en" || code === "eng") return "en";
  if (code) return null;
  if (s === "en" || s === "english" || s === "tiếng anh") return "en";
  if (s === "vi" || s === "vietnamese" || s === "tiếng việt" || s === "tieng viet") return "vi";
  return null;
}

/** A header split into its base column (lower case, spaces as _) and its language, if any. */
export interface ColumnName {
  base: string;
  /** The text after the last "::" when it is a language, e.g. "English (en)". */
  language?: string;
  header: string;
  index: number;
}

/**
 * `label::English (en)` → base "label", language "English (en)"; `chiso::min` → base "chiso::min";
 * `chiso::title::English (en)` → base "chiso::title", language "English (en)". A plain `label`
 * has no language. `list name` and `constraint message` (older spellings) read as list_name and
 * constraint_message.
 */
export function parseHeader(header: string, index: number): ColumnName {
  const raw = header.normalize("NFC").trim();
  // Older forms separate with one colon ("label:English"); chiso writes two, as pyxform documents.
  const parts = raw.split(/::|:/).map((p) => p.trim());
  const norm = (p: string) => {
    const base = p.toLowerCase().replace(/\s+/g, "_");
    return base === "caption" ? "label" : base;
  };
  if (parts[0]!.toLowerCase() === "chiso" && parts.length >= 2) {
    const base = `chiso::${norm(parts[1]!)}`;
    return parts.length >= 3 ? { base, language: parts.slice(2).join("::"), header: raw, index } : { base, header: raw, index };
  }
  if (parts.length >= 2 && !["media", "bind", "body", "instance"].includes(norm(parts[0]!))) {
    return { base: norm(parts[0]!), language: parts.slice(1).join("::"), header: raw, index };
  }
  return { base: parts.map(norm).join("::"), header: raw, index };
}
