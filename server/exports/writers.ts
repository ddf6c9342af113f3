/**
 * Table writers for exports: CSV (through server/lib/csv.ts: UTF-8 with BOM, comma or semicolon,
 * decimal point or comma, formula guard), XLSX through exceljs's streaming writer, JSON array and
 * NDJSON. Each writes to a Node stream and waits for it to drain, so a slow reader slows the export
 * instead of filling memory.
 */
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { Lang } from "../../shared/i18n.js";
import { BOM, csvRows, type CsvStyle } from "../lib/csv.js";
import { SYNTAX_CONTENT_TYPES, writeSyntax } from "./statistical.js";

export type Cell = string | number | null | readonly string[];

export interface Column {
  key: string;
  label: { vi: string; en: string };
  type: "text" | "number" | "codes";
  /** Width in characters for spreadsheets. */
  width?: number;
  /** Spreadsheet number format ("0.00"); values keep full precision. */
  numFmt?: string;
}

export interface Table {
  /** Sheet name and file stem. */
  name: string;
  columns: Column[];
  /** Rows in column order; `report` is told how many source records (responses) are done. */
  rows(report?: (done: number) => void): AsyncIterable<Cell[]>;
  /** Number of source records, for progress bars (null when unknown). */
  total: number | null;
  /** A report appendix (results layouts): title rows, a header in one language, outlines, print setup. */
  sheet?: TableSheet;
}

/**
 * How an appendix is laid out in CSV and XLSX. JSON and NDJSON carry the rows only, under the keys.
 * Hierarchy is never leading spaces (LibreOffice drops them): in XLSX the name cell is indented by
 * its style and the row carries its outline level; in CSV the code and level columns say it.
 */
export interface TableSheet {
  /** Language of the header row (column labels instead of keys). */
  lang: Lang;
  title: string;
  /** Label and value lines above the table; none (and no title) when titles were turned off. */
  titles: Array<[string, string]>;
  /** Lines under the table (what an empty cell means, responses left out). */
  notes: string[];
  /** Depth of each row in the index tree (0 = root), for outline levels and indentation of `indent`. */
  depths?: number[];
  indent?: string;
}

/** sps, do and r are label syntax files for the CSV of the data layout (server/exports/statistical.ts). */
export const FORMATS = ["csv", "xlsx", "json", "ndjson", "sps", "do", "r"] as const;
export type Format = (typeof FORMATS)[number];

export interface WriteOptions extends CsvStyle {
  format: Format;
  /** A second header row with column labels in this language (CSV, XLSX). */
  labels: Lang | null;
}

export const CONTENT_TYPES: Record<Format, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  json: "application/json; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
  ...SYNTAX_CONTENT_TYPES,
};

class ExportAborted extends Error {
  constructor() {
    super("the export was cancelled by its reader");
  }
}

/** Writes a chunk and waits while the stream's buffer is full; fails if the reader went away. */
async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (out.destroyed) throw new ExportAborted();
  if (!out.write(chunk)) await drained(out);
}

/** Resolves when the stream wants more; rejects if it is closed first. Listeners are removed either way. */
function drained(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(new ExportAborted());
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      out.off("drain", done);
      out.off("close", gone);
      out.off("error", gone);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const gone = () => {
      cleanup();
      reject(new ExportAborted());
    };
    out.on("drain", done);
    out.on("close", gone);
    out.on("error", gone);
  });
}

/** Lets queued I/O (socket writes, compression, submissions being stored) run between rows. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Rows written between two breaths: small enough that a submission never waits long for the event loop. */
const ROWS_PER_BREATH = 200;

export async function writeTable(table: Table, out: Writable, options: WriteOptions, report?: (done: number) => void): Promise<void> {
  switch (options.format) {
    case "csv":
      return writeCsv(table, out, options, report);
    case "xlsx":
      return writeXlsx(table, out, options, report);
    case "json":
    case "ndjson":
      return writeJson(table, out, options.format, report);
    case "sps":
    case "do":
    case "r":
      return writeSyntax(table, out, { ...options, format: options.format });
  }
}

// ------------------------------------------------------------------ CSV

async function writeCsv(table: Table, out: Writable, options: WriteOptions, report?: (done: number) => void): Promise<void> {
  const sheet = table.sheet;
  const header: Cell[][] = [];
  if (sheet?.titles.length) header.push([sheet.title], ...sheet.titles, []);
  if (sheet) header.push(table.columns.map((c) => c.label[sheet.lang]));
  else header.push(table.columns.map((c) => c.key));
  if (options.labels) header.push(table.columns.map((c) => c.label[options.labels!]));
  // The byte-order mark makes Excel read the file as UTF-8, so diacritics show.
  await write(out, BOM + csvRows(header, options));
  let rows: Cell[][] = [];
  for await (const row of table.rows(report)) {
    rows.push(row);
    if (rows.length >= ROWS_PER_BREATH) {
      await write(out, csvRows(rows, options));
      rows = [];
      await breathe();
    }
  }
  if (rows.length) await write(out, csvRows(rows, options));
  if (sheet?.notes.length) await write(out, csvRows([[], ...sheet.notes.map((n) => [n])], options));
  out.end();
}

// ------------------------------------------------------------------ JSON

async function writeJson(table: Table, out: Writable, format: "json" | "ndjson", report?: (done: number) => void): Promise<void> {
  const keys = table.columns.map((c) => c.key);
  const object = (row: readonly Cell[]) => {
    const o: Record<string, Cell> = {};
    keys.forEach((k, i) => (o[k] = row[i] ?? null));
    return JSON.stringify(o);
  };
  let buffer = format === "json" ? "[" : "";
  let first = true;
  let since = 0;
  for await (const row of table.rows(report)) {
    buffer += format === "json" ? `${first ? "\n" : ",\n"}${object(row)}` : `${object(row)}\n`;
    first = false;
    if (buffer.length >= 64 * 1024) {
      await write(out, buffer);
      buffer = "";
    }
    if (++since >= ROWS_PER_BREATH) {
      since = 0;
      await breathe();
    }
  }
  if (format === "json") buffer += first ? "]\n" : "\n]\n";
  if (buffer) await write(out, buffer);
  out.end();
}

// ------------------------------------------------------------------ XLSX

async function writeXlsx(table: Table, out: Writable, options: WriteOptions, report?: (done: number) => void): Promise<void> {
  if (table.sheet) return writeAppendixXlsx(table, table.sheet, out);
  const headerRows = options.labels ? 2 : 1;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = "chiso";
  const sheet = workbook.addWorksheet(sheetName(table.name), { views: [{ state: "frozen", ySplit: headerRows }] });
  sheet.columns = table.columns.map((c) => ({
    key: c.key,
    width: c.width ?? Math.min(60, Math.max(10, c.key.length + 2)),
    ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
  }));
  const header = (values: string[]) => {
    const row = sheet.addRow(values);
    row.font = { bold: true };
    row.alignment = { vertical: "top", wrapText: options.labels !== null };
    row.commit();
  };
  header(table.columns.map((c) => c.key));
  if (options.labels) header(table.columns.map((c) => c.label[options.labels!]));
  let since = 0;
  for await (const row of table.rows(report)) {
    // Numbers stay numbers; several codes become one "1;3" text; everything else is text.
    sheet.addRow(row.map((v) => (v === null ? null : typeof v === "object" ? v.join(";") : v))).commit();
    if (++since >= ROWS_PER_BREATH) {
      since = 0;
      await drained(out);
      await breathe();
    }
  }
  sheet.commit();
  await workbook.commit();
}

const THIN = { style: "thin" as const, color: { argb: "FF9E9E9E" } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/**
 * An appendix workbook as a report prints it: title rows, a header row repeated on every page,
 * A4 landscape fitted to one page wide, page numbers; tree rows indented by style and grouped in
 * outline levels (summary rows above their details), so the hierarchy survives Excel and LibreOffice.
 */
async function writeAppendixXlsx(table: Table, info: TableSheet, out: Writable): Promise<void> {
  const titled = info.titles.length > 0;
  // Title, one line per title entry, a blank line; then the header.
  const headerRow = titled ? info.titles.length + 3 : 1;
  const depths = info.depths ?? [];
  const maxDepth = Math.min(7, Math.max(0, ...depths));
  const last = table.columns.length;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = "chiso";
  const sheet = workbook.addWorksheet(sheetName(table.name), {
    views: [{ state: "frozen", ySplit: headerRow }],
    properties: { outlineLevelRow: maxDepth, outlineProperties: { summaryBelow: false, summaryRight: false } } as Partial<ExcelJS.WorksheetProperties>,
    pageSetup: {
      paperSize: 9,
      orientation: "landscape",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${headerRow}:${headerRow}`,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: info.lang === "vi" ? "&L&8chiso&R&8Trang &P/&N" : "&L&8chiso&R&8Page &P of &N" },
  });
  sheet.columns = table.columns.map((c) => ({ key: c.key, width: c.width ?? 12 }));
  // Title and note lines span the table (merged, wrapped): text running past the last column would
  // widen what "one page wide" has to fit.
  const tableWidth = table.columns.reduce((sum, c) => sum + (c.width ?? 12), 0);
  const spanning = (content: ExcelJS.CellValue, text: string, font: Partial<ExcelJS.Font>, factor: number) => {
    const row = sheet.addRow([content]);
    row.getCell(1).font = font;
    row.getCell(1).alignment = { vertical: "top", horizontal: "left", wrapText: true };
    row.height = Math.min(409, (font.size ?? 11) * 1.4 * Math.max(1, Math.ceil(text.length / (tableWidth * factor))) + 2);
    if (last > 1) sheet.mergeCells(row.number, 1, row.number, last);
    row.commit();
  };
  if (titled) {
    spanning(info.title, info.title, { bold: true, size: 13 }, 0.85);
    for (const [label, value] of info.titles) {
      spanning({ richText: [{ text: `${label}: `, font: { bold: true } }, { text: value }] }, `${label}: ${value}`, {}, 1.1);
    }
    sheet.addRow([]).commit();
  }
  const header = sheet.addRow(table.columns.map((c) => c.label[info.lang]));
  header.height = rowHeight(
    table.columns.map((c) => c.label[info.lang]),
    table.columns,
    -1,
    0,
    true,
  );
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.alignment = { vertical: "middle", horizontal: "center", wrapText: true };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF4" } };
    cell.border = BORDER;
  });
  header.commit();
  const indent = info.indent ? table.columns.findIndex((c) => c.key === info.indent) : -1;
  let i = 0;
  for await (const values of table.rows()) {
    const depth = depths[i++] ?? 0;
    const cells = values.map((v) => (v === null ? null : typeof v === "object" ? v.join(";") : v));
    const row = sheet.addRow(cells);
    const bold = depths.length > 0 && depth < Math.max(1, maxDepth);
    row.height = rowHeight(cells, table.columns, indent, depth, bold);
    if (depths.length) {
      if (depth > 0) row.outlineLevel = Math.min(7, depth);
      // The top levels in bold, so the structure reads on paper where outlines do not print.
      if (depth < Math.max(1, maxDepth)) row.font = { bold: true };
    }
    for (let c = 1; c <= last; c++) {
      const cell = row.getCell(c);
      const column = table.columns[c - 1]!;
      cell.border = BORDER;
      if (column.numFmt) cell.numFmt = column.numFmt;
      if (bold) cell.font = { bold: true };
      // Indentation needs an explicit left alignment to show in Excel and LibreOffice.
      cell.alignment =
        column.type === "text"
          ? { vertical: "top", horizontal: "left", wrapText: true, ...(c - 1 === indent ? { indent: Math.min(15, depth) } : {}) }
          : { vertical: "top" };
    }
    row.commit();
  }
  if (info.notes.length) {
    sheet.addRow([]).commit();
    for (const note of info.notes) spanning(note, note, { italic: true, size: 9 }, 1.3);
  }
  sheet.commit();
  await workbook.commit();
}

/**
 * The height a row needs for its wrapped text. Neither Excel nor LibreOffice fits row heights of a
 * written file reliably, so the lines are estimated from the text's length and the column's width
 * (about one character per width unit, fewer in bold, less the indentation).
 */
function rowHeight(cells: ReadonlyArray<string | number | null>, columns: readonly Column[], indent: number, depth: number, bold: boolean): number {
  let lines = 1;
  cells.forEach((cell, i) => {
    if (typeof cell !== "string") return;
    const width = Math.max(4, ((columns[i]?.width ?? 12) - (i === indent ? depth * 3 : 0)) * (bold ? 1.05 : 1.2));
    const needed = cell.split("\n").reduce((sum, part) => sum + Math.max(1, Math.ceil(part.length / width)), 0);
    lines = Math.max(lines, needed);
  });
  return Math.min(409, 15 * lines + 1);
}

/** Excel sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(name: string): string {
  return name.replace(/[:\\/?*[\]]/g, "-").slice(0, 31) || "data";
}
