/** POST /api/units/import — administrators add a round's villages or agencies from CSV, as `chiso units import` does. */
import type { Context } from "hono";
import type { AppEnv } from "../app-context.js";
import { currentUser } from "../http/access.js";
import { Problem } from "../http/problem.js";
import { readCsvBody } from "../http/csv-upload.js";
import { audit } from "../accounts/audit.js";
import type { FieldError } from "../../shared/errors.js";
import type { UnitImport } from "../../shared/api/units.js";
import { parseAgencyCsv, parseVillageCsv, type ImportError } from "./registry-data.js";
import { insertUnits, toUnitInfo } from "./repository.js";

/** A file that is wrong throughout (wrong columns in every row) need not send back every line. */
const MAX_REPORTED_ERRORS = 500;

function toFieldError(e: ImportError): FieldError {
  return { question: e.field ? `line ${e.line}.${e.field}` : `line ${e.line}`, code: e.code, message_vi: e.message_vi, message_en: e.message_en };
}

export const unitImportHandlers = {
  importCsv: async (c: Context<AppEnv>) => {
    const ctx = c.var.ctx;
    const db = ctx.db.kysely;
    const kind = c.req.query("kind");
    if (kind !== "village" && kind !== "agency") {
      throw new Problem("unit_import_kind", undefined, { kind: kind ?? null });
    }
    const registryId = c.req.query("registry") ?? "";
    const registry = await db.selectFrom("unit_registries").selectAll().where("id", "=", registryId).executeTakeFirst();
    if (!registry) {
      throw new Problem("unit_import_registry", undefined, { registry: registryId });
    }
    const text = await readCsvBody(c);
    const ref = { id: registry.id, validFrom: registry.valid_from, validTo: registry.valid_to };
    // Parents (communes, provinces) are checked against the database, which other instances may have added to.
    const known = new Set((await db.selectFrom("units").select("key").where("registry", "=", registry.id).execute()).map((r) => r.key));
    const parsed = kind === "agency" ? parseAgencyCsv(text, ref, known) : parseVillageCsv(text, ref, known);
    if (parsed.errors.length) {
      const lines = new Set(parsed.errors.map((e) => e.line)).size;
      throw new Problem(
        "invalid",
        parsed.errors.slice(0, MAX_REPORTED_ERRORS).map(toFieldError),
        { errorCount: parsed.errors.length, lines },
        {
          vi: `Tệp có lỗi ở ${lines} dòng; chưa nhập đơn vị nào.`,
          en: `The file has errors on ${lines} line(s); no unit was imported.`,
        },
      );
    }
    if (parsed.units.length === 0) {
      throw new Problem("invalid", [
        {
          question: "line 2",
          code: "required",
          message_vi: "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.",
          message_en: "The file has no data lines below the header.",
        },
      ]);
    }
    const user = currentUser(c);
    const added = await db.transaction().execute(async (trx) => {
      const n = await insertUnits(trx, parsed.units);
      await audit(trx, user.username, "units.import", registry.id, { kind, rows: parsed.units.length, added: n });
      return n;
    });
    ctx.units.remember(parsed.units.map(toUnitInfo));
    return c.json({ kind, registry: registry.id, rows: parsed.units.length, added, alreadyPresent: parsed.units.length - added } satisfies UnitImport, 201);
  },
};
