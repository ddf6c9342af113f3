/**
 * Every CSV file chiso reads or writes goes through this module: uploaded bytes are decoded here
 * (UTF-8, UTF-16 with a byte-order mark, or Vietnamese Windows-1258), parsed with csv-parse, and
 * written with csv-stringify behind one spreadsheet-formula guard. Rules: docs/security.md, "CSV files".
 */
import { parse, CsvError } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import iconv from "iconv-lite";
import { Problem } from "../http/problem.js";
import type { FieldError } from "../../shared/errors.js";
import type { Text } from "../../shared/i18n.js";
import { controlCharacter } from "../../shared/api/strings.js";

export const BOM = "\uFEFF";

/** A file that cannot be read as CSV at all (its encoding or its quoting); `line` is where it goes wrong. */
export class CsvFileError extends Error {
  constructor(
    readonly line: number,
    readonly text: Text,
  ) {
    super(`line ${line}: ${text.en}`);
  }

  fieldError(): FieldError {
    return { question: `line ${this.line}`, code: "invalid_field", message_vi: this.text.vi, message_en: this.text.en };
  }

  /** The 422 an import answers with: nothing was imported. */
  problem(): Problem {
    return new Problem("invalid", [this.fieldError()], undefined, {
      vi: "Không đọc được tệp CSV; chưa nhập dòng nào.",
      en: "The CSV file could not be read; nothing was imported.",
    });
  }
}

// ------------------------------------------------------------------ decoding

export type CsvEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1258";

const NOT_UTF8: Text = {
  vi: "Tệp không được lưu dạng UTF-8. Trong Excel, chọn Lưu thành “CSV UTF-8”.",
  en: "The file is not saved as UTF-8. In Excel, save it as “CSV UTF-8”.",
};

/** Letters of Vietnamese (a–y with every vowel mark and tone, đ) in NFC, both cases. */
const VIETNAMESE_LETTERS: ReadonlySet<string> = (() => {
  const letters = new Set<string>(["đ", "Đ"]);
  for (const base of ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]) {
    for (const tone of ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]) {
      const letter = (base + tone).normalize("NFC");
      letters.add(letter);
      letters.add(letter.toUpperCase());
    }
  }
  return letters;
})();
/** Typography Windows-1258 has and a Vietnamese spreadsheet plausibly holds. */
const WINDOWS_1258_PUNCTUATION: ReadonlySet<string> = new Set(["\u00A0", "–", "—", "‘", "’", "“", "”", "…", "•", "°", "₫", "€"]);

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Windows-1258 writes tones as combining marks after the letter; once NFC-composed, a real
 * Vietnamese file has nothing outside ASCII but Vietnamese letters and a little typography. Other
 * 8-bit files (TCVN3, VNI, Latin-1 of other languages) leave symbols or stray marks and are refused.
 */
function windows1258(bytes: Uint8Array): string | null {
  const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), "windows1258").normalize("NFC");
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) continue;
    if (!VIETNAMESE_LETTERS.has(ch) && !WINDOWS_1258_PUNCTUATION.has(ch)) return null;
  }
  return text;
}

/**
 * Uploaded CSV bytes as NFC text without a byte-order mark. A UTF-8 / UTF-16LE / UTF-16BE BOM
 * decides; without one, valid UTF-8 is taken as such and anything else is read as Windows-1258 only
 * when it decodes to Vietnamese. Otherwise, or when the text holds NUL, U+FFFD (a file garbled
 * before it got here), a lone surrogate or a control character, a CsvFileError names the line.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text: string;
  let encoding: CsvEncoding;
  if (buffer[0] === 0xff && buffer[1] === 0xfe) [text, encoding] = [iconv.decode(buffer, "utf16le"), "utf-16le"];
  else if (buffer[0] === 0xfe && buffer[1] === 0xff) [text, encoding] = [iconv.decode(buffer, "utf16be"), "utf-16be"];
  else {
    try {
      [text, encoding] = [new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buffer), "utf-8"];
    } catch {
      // A surrogate written as UTF-8 (ED A0–BF 80–BF: broken UTF-16 converted to UTF-8) is a UTF-8 file
      // with a lone surrogate, not Windows-1258 "í €": refused like one.
      const surrogate = buffer.findIndex(
        (b, i) => b === 0xed && buffer[i + 1]! >= 0xa0 && buffer[i + 1]! <= 0xbf && buffer[i + 2]! >= 0x80 && buffer[i + 2]! <= 0xbf,
      );
      if (surrogate >= 0) {
        const before = new TextDecoder("utf-8").decode(buffer.subarray(0, surrogate));
        throw new CsvFileError(lineAt(before, before.length), NOT_UTF8);
      }
      const legacy = windows1258(buffer);
      if (legacy === null) {
        const lenient = new TextDecoder("utf-8").decode(buffer);
        throw new CsvFileError(lineAt(lenient, lenient.indexOf("\uFFFD")), NOT_UTF8);
      }
      [text, encoding] = [legacy, "windows-1258"];
    }
  }
  text = text.replace(/^\uFEFF/, "");
  // NUL never occurs in text: this is UTF-16 without a byte-order mark, or not a text file at all.
  // U+FFFD stands for bytes some program could not read before: the names are already lost.
  // A lone surrogate (broken UTF-16) cannot be stored as UTF-8.
  // eslint-disable-next-line no-control-regex
  const bad = text.search(/[\u0000\uFFFD]|\p{Surrogate}/u);
  if (bad >= 0) throw new CsvFileError(lineAt(text, bad), NOT_UTF8);
  // The rule for every text chiso stores (docs/security.md, "Input rules"): no other control characters.
  const control = controlCharacter(text);
  if (control !== null) {
    const at = text.indexOf(String.fromCodePoint(parseInt(control.slice(2), 16)));
    throw new CsvFileError(lineAt(text, at), {
      vi: `Dòng này có ký tự điều khiển ${control}, không được phép trong văn bản.`,
      en: `This line holds the control character ${control}, which text may not contain.`,
    });
  }
  return { text: text.normalize("NFC"), encoding };
}

// ------------------------------------------------------------------ parsing

export interface CsvRecord {
  /** 1-based line where the record starts (a quoted field may span several lines). */
  line: number;
  /** Trimmed fields, as many as the line has. */
  fields: string[];
}

export interface CsvTable {
  /** Header names, trimmed and lower-case. */
  columns: string[];
  /** Rows below the header; blank rows are left out. */
  records: CsvRecord[];
}

/** "," ";" or TAB (Excel's "Unicode Text"), whichever the header line holds most of outside quotes. */
function detectSeparator(text: string): "," | ";" | "\t" {
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === "\n") break;
    else if (!quoted && (ch === "," || ch === ";" || ch === "\t")) counts[ch]++;
  }
  if (counts[";"] > counts[","] && counts[";"] >= counts["\t"]) return ";";
  return counts["\t"] > counts[","] ? "\t" : ",";
}

/**
 * RFC 4180 text (decoded, e.g. by decodeCsv) with a header row. Line breaks inside quoted fields
 * come back as "\n". Throws CsvFileError for an unclosed or misplaced quote.
 */
export function parseCsv(text: string): CsvTable {
  // csv-parse counts CRLF inside a quoted field as two lines; one line-break convention keeps line numbers right.
  const source = text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .normalize("NFC");
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    parsed = parse(source, {
      delimiter: detectSeparator(source),
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
    }) as unknown as typeof parsed;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = Number((error as CsvError & { lines?: number }).lines ?? 1);
    throw new CsvFileError(
      line,
      error.code === "CSV_QUOTE_NOT_CLOSED"
        ? { vi: "Dấu ngoặc kép mở ở dòng này không được đóng.", en: "A quote opened on this line is never closed." }
        : {
            vi: "Dấu ngoặc kép ở dòng này đặt sai chỗ (một ô có ngoặc kép phải kết thúc ngay sau dấu đóng).",
            en: "A quote on this line is misplaced (a quoted cell must end right after its closing quote).",
          },
    );
  }
  const records: CsvRecord[] = [];
  let nextLine = 1;
  for (const { record, info } of parsed) {
    const fields = record.map((f) => f.trim());
    if (fields.some((f) => f !== "")) records.push({ line: nextLine, fields });
    nextLine = info.lines + 1;
  }
  const [header, ...body] = records;
  return { columns: header ? header.fields.map((h) => h.toLowerCase()) : [], records: body };
}

/** decodeCsv then parseCsv. */
export function readCsv(bytes: Uint8Array): CsvTable {
  return parseCsv(decodeCsv(bytes).text);
}

// ------------------------------------------------------------------ writing

export type CsvCell = string | number | null | undefined | readonly string[];

export interface CsvStyle {
  separator: "," | ";" | "\t";
  decimal: "." | ",";
}

/** What Excel opens directly in any locale; exports offer `;` and decimal comma for Vietnamese Excel. */
export const PLAIN_CSV: CsvStyle = { separator: ",", decimal: "." };

/**
 * A text that a spreadsheet would run as a formula — starting with = + - @ TAB or CR (OWASP) —
 * gets a leading single quote, so it shows as the text it is. Numbers never pass through here.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function cellText(value: CsvCell, style: CsvStyle): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "";
    const s = String(value);
    return style.decimal === "," ? s.replace(".", ",") : s;
  }
  return guardFormula(typeof value === "string" ? value : value.join(";"));
}

/** CSV lines (CRLF) for these rows: numbers as numbers in the chosen decimal style, text guarded, quoted as needed. */
export function csvRows(rows: ReadonlyArray<readonly CsvCell[]>, style: CsvStyle = PLAIN_CSV): string {
  return stringify(
    rows.map((row) => row.map((cell) => cellText(cell, style))),
    { delimiter: style.separator, record_delimiter: "windows", quoted_match: /[\r\n]/ },
  );
}

/** A whole file: the byte-order mark makes Excel read UTF-8 (so diacritics show), then header and rows. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>, style: CsvStyle = PLAIN_CSV): string {
  return BOM + csvRows([header, ...rows], style);
}
