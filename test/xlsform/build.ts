/** Test workbooks written from row arrays with exceljs, as a person would save them from Excel. */
import ExcelJS from "exceljs";
import { importXlsform, type ImportResult } from "../../shared/xlsform/import.js";
import type { XlsformIssue } from "../../shared/xlsform/workbook.js";
import { readWorkbook } from "../../server/xlsform/workbook-file.js";

export type Rows = Array<Array<string | number | boolean | Date | null>>;

/** .xlsx bytes with one sheet per entry, the first row being the header. */
export async function xlsx(sheets: Record<string, Rows>): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = book.addWorksheet(name);
    for (const row of rows) ws.addRow(row);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** Writes the workbook to .xlsx, reads it back and imports it. */
export async function importSheets(sheets: Record<string, Rows>, options: { id?: string; version?: string; fileName?: string } = {}): Promise<ImportResult> {
  return importXlsform(await readWorkbook(await xlsx(sheets)), { defaultYear: 2026, ...options });
}

/** Issues as "sheet!cell column: English reason" lines, easy to compare and to read in a failure. */
export function lines(issues: readonly XlsformIssue[]): string[] {
  return issues.map((i) => `${i.sheet}!${i.letter ?? ""}${i.row ?? ""} ${i.column ?? ""}: ${i.message.en}`);
}
