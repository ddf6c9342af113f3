/** POST /api/units/import — administrators add a round's villages or agencies from CSV, as `chiso units import` does. */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { allow, currentUser } from "../http/access.js";
import { Problem } from "../http/problem.js";
import { audit } from "../accounts/audit.js";
import type { FieldError } from "../../shared/errors.js";
import { parseAgencyCsv, parseVillageCsv, type ImportError } from "./registry-data.js";
import { insertUnits, toUnitInfo } from "./repository.js";

/** 8 MiB: every village of the country is about 100,000 lines, roughly 5 MB. */
const MAX_CSV_BYTES = 8 * 1024 * 1024;
/** A file that is wrong throughout (wrong columns in every row) need not send back every line. */
const MAX_REPORTED_ERRORS = 500;

function toFieldError(e: ImportError): FieldError {
  return { question: e.field ? `line ${e.line}.${e.field}` : `line ${e.line}`, code: e.code, message_vi: e.message_vi, message_en: e.message_en };
}

/** The body as UTF-8 text; a file saved in another encoding is refused with the line of its first odd byte. */
async function readCsv(c: Context<AppEnv>): Promise<string> {
  if (!/^text\/csv\b/i.test(c.req.header("content-type") ?? "")) {
    throw new Problem("unsupported_media_type", undefined, undefined, {
      vi: "Chỉ nhận tệp CSV (Content-Type: text/csv).",
      en: "Only CSV is accepted (Content-Type: text/csv).",
    });
  }
  if (Number(c.req.header("content-length") ?? "0") > MAX_CSV_BYTES) throw new Problem("payload_too_large", undefined, { limitBytes: MAX_CSV_BYTES });
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > MAX_CSV_BYTES) throw new Problem("payload_too_large", undefined, { limitBytes: MAX_CSV_BYTES });
  const text = new TextDecoder("utf-8").decode(buffer);
  const bad = text.indexOf("\uFFFD");
  if (bad >= 0) {
    const line = text.slice(0, bad).split("\n").length;
    throw new Problem("invalid", [
      {
        question: `line ${line}`,
        code: "invalid_field",
        message_vi: "Tệp không được lưu dạng UTF-8. Trong Excel, chọn Lưu thành “CSV UTF-8”.",
        message_en: "The file is not saved as UTF-8. In Excel, save it as “CSV UTF-8”.",
      },
    ]);
  }
  return text;
}

export function unitImportRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/import", allow(["admin"]), async (c) => {
    const ctx = c.var.ctx;
    const db = ctx.db.kysely;
    const kind = c.req.query("kind");
    if (kind !== "village" && kind !== "agency") {
      throw new Problem("bad_request", undefined, { kind: kind ?? null }, { vi: "Tham số kind phải là village hoặc agency.", en: "The kind parameter must be village or agency." });
    }
    const registryId = c.req.query("registry") ?? "";
    const registry = await db.selectFrom("unit_registries").selectAll().where("id", "=", registryId).executeTakeFirst();
    if (!registry) {
      throw new Problem("bad_request", undefined, { registry: registryId }, { vi: `Không có danh mục đơn vị “${registryId}”.`, en: `There is no unit registry “${registryId}”.` });
    }
    const text = await readCsv(c);
    const ref = { id: registry.id, validFrom: registry.valid_from, validTo: registry.valid_to };
    // Parents (communes, provinces) are checked against the database, which other instances may have added to.
    const known = new Set((await db.selectFrom("units").select("key").where("registry", "=", registry.id).execute()).map((r) => r.key));
    const parsed = kind === "agency" ? parseAgencyCsv(text, ref, known) : parseVillageCsv(text, ref, known);
    if (parsed.errors.length) {
      const lines = new Set(parsed.errors.map((e) => e.line)).size;
      throw new Problem("invalid", parsed.errors.slice(0, MAX_REPORTED_ERRORS).map(toFieldError), { errorCount: parsed.errors.length, lines }, {
        vi: `Tệp có lỗi ở ${lines} dòng; chưa nhập đơn vị nào.`,
        en: `The file has errors on ${lines} line(s); no unit was imported.`,
      });
    }
    if (parsed.units.length === 0) {
      throw new Problem("invalid", [{ question: "line 2", code: "required", message_vi: "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.", message_en: "The file has no data lines below the header." }]);
    }
    const user = currentUser(c);
    const added = await db.transaction().execute(async (trx) => {
      const n = await insertUnits(trx, parsed.units);
      await audit(trx, user.username, "units.import", registry.id, { kind, rows: parsed.units.length, added: n });
      return n;
    });
    ctx.units.remember(parsed.units.map(toUnitInfo));
    return c.json({ kind, registry: registry.id, rows: parsed.units.length, added, alreadyPresent: parsed.units.length - added }, 201);
  });

  return app;
}
