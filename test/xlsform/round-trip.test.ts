/**
 * Each 2022 edition written as an XLSForm workbook (.xlsx bytes, through exceljs) and imported
 * back is the identical definition, and the workbook is a plain XLSForm (survey, choices, settings).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentSchema } from "../../shared/instrument/schema.js";
import { exportXlsform } from "../../shared/xlsform/export.js";
import { importXlsform } from "../../shared/xlsform/import.js";
import { readWorkbook, writeWorkbook } from "../../server/xlsform/workbook-file.js";

const SURVEYS = path.join(import.meta.dirname, "../../surveys");
const EDITIONS = ["sipas-2022", "papi-2022", "par-leaders-2022", "par-index-2022"];

describe("XLSForm round trip of the 2022 editions", () => {
  for (const id of EDITIONS) {
    it(`${id}: export → .xlsx → import gives the same definition`, async () => {
      const original = InstrumentSchema.parse(JSON.parse(fs.readFileSync(path.join(SURVEYS, id, "instrument.json"), "utf8")));
      const bytes = await writeWorkbook(exportXlsform(original));
      const workbook = await readWorkbook(bytes);
      expect(workbook.sheets.map((s) => s.name)).toEqual(["survey", "choices", "settings", "chiso_scales", "chiso_groups"]);
      const back = importXlsform(workbook, { defaultYear: 1999 });
      if (!back.ok) throw new Error(back.issues.map((i) => `${i.sheet}!${i.letter ?? ""}${i.row ?? ""} ${i.column ?? ""}: ${i.message.en}`).join("\n"));
      expect(back.instrument).toStrictEqual(original);
      // Exporting the imported edition again gives the same workbook, cell for cell.
      expect(exportXlsform(back.instrument)).toEqual(exportXlsform(original));
    });
  }
});
