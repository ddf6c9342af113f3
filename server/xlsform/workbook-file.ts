/**
 * .xlsx bytes ↔ the plain workbook of shared/xlsform, through exceljs (the XLSX library the
 * exports already use). Every cell is read as the text a person sees in it, so a number typed as
 * 1 and a text "1" read the same; dates become YYYY-MM-DD.
 */
import ExcelJS from "exceljs";
import type { Sheet, SheetOut, Workbook } from "../../shared/xlsform/workbook.js";
import type { Text } from "../../shared/i18n.js";

/** A file that is not an .xlsx workbook at all (an old .xls, a CSV, a damaged file). */
export class WorkbookFileError extends Error {
  constructor(readonly text: Text) {
    super(text.en);
  }
}

/** Rows beyond this in one sheet are refused: a questionnaire has hundreds, not hundreds of thousands. */
export const MAX_ROWS_PER_SHEET = 20_000;

function isoDate(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}

/** The text of a cell value as exceljs gives it. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) return isoDate(value);
  if (typeof value === "object") {
    if ("richText" in value && Array.isArray(value.richText)) return value.richText.map((r) => r.text).join("");
    if ("formula" in value || "sharedFormula" in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null);
    if ("text" in value && typeof value.text === "string") return value.text;
    if ("error" in value) return String(value.error);
  }
  return String(value as unknown as string);
}

export async function readWorkbook(bytes: Uint8Array): Promise<Workbook> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    throw new WorkbookFileError({
      vi: "Tệp không phải bảng tính .xlsx (Excel 2007 trở lên). Tệp .xls cũ hãy mở bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx.",
      en: "The file is not an .xlsx workbook (Excel 2007 or later). Open an old .xls in Excel or LibreOffice and save it as .xlsx.",
    });
  }
  const sheets: Sheet[] = [];
  book.eachSheet((ws) => {
    if (ws.rowCount > MAX_ROWS_PER_SHEET + 1) {
      throw new WorkbookFileError({
        vi: `Trang “${ws.name}” có quá nhiều dòng (tối đa ${MAX_ROWS_PER_SHEET}).`,
        en: `The sheet “${ws.name}” has too many rows (at most ${MAX_ROWS_PER_SHEET}).`,
      });
    }
    let header: string[] | null = null;
    const rows: Sheet["rows"] = [];
    ws.eachRow({ includeEmpty: false }, (row, number) => {
      // row.values is 1-based: index 0 is always empty.
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
      if (header === null) {
        header = values;
        return;
      }
      if (values.every((v) => v.trim() === "")) return;
      rows.push({ row: number, cells: values });
    });
    sheets.push({ name: ws.name, header: header ?? [], rows });
  });
  return { sheets };
}

export async function writeWorkbook(sheets: SheetOut[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "chiso";
  for (const sheet of sheets) {
    const ws = book.addWorksheet(sheet.name, { views: [{ state: "frozen", ySplit: 1 }] });
    ws.addRow(sheet.header).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row);
    sheet.header.forEach((h, i) => {
      const longest = Math.max(h.length, ...sheet.rows.map((r) => String(r[i] ?? "").length));
      ws.getColumn(i + 1).width = Math.min(60, Math.max(10, longest + 2));
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
