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
  const header: Cell[][] = [table.columns.map((c) => c.key)];
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

/** Excel sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(name: string): string {
  return name.replace(/[:\\/?*[\]]/g, "-").slice(0, 31) || "data";
}
