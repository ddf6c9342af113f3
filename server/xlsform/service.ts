/**
 * XLSForm import and export as the command line and the API share them: workbook bytes (and an
 * optional index.json beside them) → a checked, stored edition; a stored edition → .xlsx bytes.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/types.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import { IndexDefinitionSchema, type IndexDefinition } from "../../shared/index-model/schema.js";
import { checkIndex } from "../../shared/scoring/index.js";
import { importXlsform } from "../../shared/xlsform/import.js";
import { exportXlsform, XlsformExportError } from "../../shared/xlsform/export.js";
import { issuesToFieldErrors, type XlsformIssue } from "../../shared/xlsform/workbook.js";
import type { FieldError } from "../../shared/errors.js";
import { Problem } from "../http/problem.js";
import { getEdition, importEdition, latestEdition, type ImportOutcome } from "../instruments/repository.js";
import { readWorkbook, writeWorkbook, WorkbookFileError } from "./workbook-file.js";

export interface XlsformImportInput {
  bytes: Uint8Array;
  fileName?: string;
  id?: string;
  version?: string;
  /** index.json given beside the workbook, already parsed as JSON. */
  index?: unknown;
}

export interface XlsformImportResult {
  instrument: Instrument;
  index: IndexDefinition | null;
  outcome: ImportOutcome;
  /** Only checked, nothing stored (the admin screen's "check" button). */
  dryRun: boolean;
}

/** Problems in a workbook: 422 listing every one with its sheet, row and column. */
export class XlsformProblem extends Problem {
  constructor(
    readonly issues: XlsformIssue[],
    extra: FieldError[] = [],
  ) {
    const n = issues.length + extra.length;
    super(
      "invalid",
      [...issuesToFieldErrors(issues), ...extra],
      { issues },
      {
        vi: `Tệp XLSForm có ${n} lỗi; chưa nhập gì. Mỗi lỗi ghi trang tính, dòng và cột.`,
        en: `The XLSForm has ${n} problem(s); nothing was imported. Each names its sheet, row and column.`,
      },
    );
  }
}

/** The workbook as a checked instrument (and index), or an XlsformProblem listing everything wrong. */
export async function checkXlsform(
  input: Omit<XlsformImportInput, "fileName"> & { fileName?: string },
): Promise<{ instrument: Instrument; index: IndexDefinition | null }> {
  let workbook;
  try {
    workbook = await readWorkbook(input.bytes);
  } catch (error) {
    if (error instanceof WorkbookFileError)
      throw new Problem("invalid", [{ question: "file", code: "invalid_field", message_vi: error.text.vi, message_en: error.text.en }], undefined, error.text);
    throw error;
  }
  const result = importXlsform(workbook, {
    ...(input.id !== undefined ? { id: input.id } : {}),
    ...(input.version !== undefined ? { version: input.version } : {}),
    ...(input.fileName !== undefined ? { fileName: input.fileName } : {}),
    defaultYear: new Date().getUTCFullYear(),
  });
  if (!result.ok) throw new XlsformProblem(result.issues);
  if (input.index === undefined) return { instrument: result.instrument, index: null };
  const parsed = IndexDefinitionSchema.safeParse(input.index);
  const indexError = (path: string, message: string): FieldError => ({
    question: `index.json${path ? ` ${path}` : ""}`,
    code: "invalid_field",
    message_vi: `Cây chỉ số không hợp lệ: ${message}`,
    message_en: `The index tree is not valid: ${message}`,
  });
  if (!parsed.success)
    throw new XlsformProblem(
      [],
      parsed.error.issues.map((i) => indexError(i.path.map(String).join("."), i.message)),
    );
  const problems = checkIndex(parsed.data, result.instrument);
  if (problems.length)
    throw new XlsformProblem(
      [],
      problems.map((p) => indexError(p.path, p.message)),
    );
  return { instrument: result.instrument, index: parsed.data };
}

/** Checks, then stores the edition (a published id + version with other content is refused, 409). */
export async function importXlsformFile(db: Kysely<Database>, input: XlsformImportInput, options: { dryRun?: boolean } = {}): Promise<XlsformImportResult> {
  const { instrument, index } = await checkXlsform(input);
  if (options.dryRun) return { instrument, index, outcome: "unchanged", dryRun: true };
  const outcome = await importEdition(db, { dir: "", instrument, index });
  return { instrument, index, outcome, dryRun: false };
}

/** The .xlsx of a stored edition (its latest version unless one is named); null when there is none. */
export async function exportXlsformFile(db: Kysely<Database>, editionId: string, version?: string): Promise<{ instrument: Instrument; bytes: Buffer } | null> {
  const edition = version ? await getEdition(db, editionId, version) : await latestEdition(db, editionId);
  if (!edition) return null;
  try {
    return { instrument: edition.instrument, bytes: await writeWorkbook(exportXlsform(edition.instrument)) };
  } catch (error) {
    if (error instanceof XlsformExportError) throw new Problem("invalid", undefined, undefined, error.text);
    throw error;
  }
}

export { exportXlsform, readWorkbook, writeWorkbook };
