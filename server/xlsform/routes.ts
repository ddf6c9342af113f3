/**
 * POST /api/xlsform — administrators import an XLSForm workbook as an edition (raw .xlsx body, or
 * multipart with `file` and an optional `index` index.json); `?check=1` only checks.
 * GET /api/xlsform/:edition[?version=] — the edition as an XLSForm workbook.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { currentUser } from "../http/access.js";
import { readBytes } from "../http/body.js";
import { Problem } from "../http/problem.js";
import { audit } from "../accounts/audit.js";
import type { XlsformImported } from "../../shared/api/instruments.js";
import { exportXlsformFile, importXlsformFile, type XlsformImportInput } from "./service.js";

/** 10 MiB: a large questionnaire workbook is well under 1 MB. */
export const MAX_XLSFORM_BYTES = 10 * 1024 * 1024;
const MAX_INDEX_BYTES = 2 * 1024 * 1024;

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const notAWorkbook = () =>
  new Problem("unsupported_media_type", undefined, undefined, {
    vi: `Gửi tệp .xlsx (Content-Type: ${XLSX_TYPE}) hoặc biểu mẫu multipart có trường “file”.`,
    en: `Send an .xlsx file (Content-Type: ${XLSX_TYPE}) or a multipart form with a “file” field.`,
  });

function parseIndexJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Problem("invalid", [
      {
        question: "index",
        code: "invalid_field",
        message_vi: `index.json không phải JSON hợp lệ: ${(e as Error).message.slice(0, 200)}`,
        message_en: `index.json is not valid JSON: ${(e as Error).message.slice(0, 200)}`,
      },
    ]);
  }
}

/** The workbook bytes (and index, file name) from a raw or multipart body, with the size counted while reading. */
async function readUpload(c: Context<AppEnv>): Promise<Pick<XlsformImportInput, "bytes" | "fileName" | "index">> {
  const type = c.req.header("content-type") ?? "";
  const bytes = await readBytes(c, MAX_XLSFORM_BYTES + MAX_INDEX_BYTES);
  if (/^multipart\/form-data\b/i.test(type)) {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(bytes), { headers: { "content-type": type } }).formData();
    } catch {
      throw new Problem("multipart_unreadable");
    }
    const file = form.get("file");
    if (!(file instanceof Blob)) throw notAWorkbook();
    if (file.size > MAX_XLSFORM_BYTES) throw new Problem("payload_too_large", undefined, { limitBytes: MAX_XLSFORM_BYTES });
    const index = form.get("index");
    const indexText = index instanceof Blob ? (index.size > 0 ? await index.text() : "") : typeof index === "string" ? index : "";
    if (indexText.length > MAX_INDEX_BYTES) throw new Problem("payload_too_large", undefined, { limitBytes: MAX_INDEX_BYTES });
    return {
      bytes: new Uint8Array(await file.arrayBuffer()),
      ...("name" in file && typeof file.name === "string" && file.name ? { fileName: file.name } : {}),
      ...(indexText.trim() ? { index: parseIndexJson(indexText) } : {}),
    };
  }
  if (!type.toLowerCase().startsWith(XLSX_TYPE) && !/^application\/octet-stream\b/i.test(type)) throw notAWorkbook();
  if (bytes.byteLength > MAX_XLSFORM_BYTES) throw new Problem("payload_too_large", undefined, { limitBytes: MAX_XLSFORM_BYTES });
  const fileName = c.req.query("filename");
  return { bytes, ...(fileName ? { fileName } : {}) };
}

export const xlsformHandlers = {
  importWorkbook: async (c: Context<AppEnv>) => {
    const upload = await readUpload(c);
    const id = c.req.query("id")?.trim();
    const version = c.req.query("version")?.trim();
    const dryRun = c.req.query("check") === "1";
    const db = c.var.ctx.db.kysely;
    const result = await importXlsformFile(db, { ...upload, ...(id ? { id } : {}), ...(version ? { version } : {}) }, { dryRun });
    const { instrument } = result;
    if (!dryRun)
      await audit(db, currentUser(c).username, "xlsform.import", `${instrument.id}@${instrument.version}`, {
        outcome: result.outcome,
        index: result.index !== null,
      });
    return c.json(
      {
        id: instrument.id,
        version: instrument.version,
        title: instrument.title,
        outcome: result.outcome,
        checked: dryRun,
        withIndex: result.index !== null,
        sections: instrument.sections.length,
      } satisfies XlsformImported,
      dryRun || result.outcome === "unchanged" ? 200 : 201,
    );
  },

  exportWorkbook: async (c: Context<AppEnv, "/:edition">) => {
    const version = c.req.query("version");
    const found = await exportXlsformFile(c.var.ctx.db.kysely, c.req.param("edition"), version);
    if (!found) throw new Problem("instrument_not_found");
    const name = `${found.instrument.id}-${found.instrument.version}.xlsx`;
    return new Response(new Uint8Array(found.bytes), {
      headers: { "content-type": XLSX_TYPE, "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store" },
    });
  },
};
