/**
 * Database errors that are the caller's doing, translated in this one place for every route and
 * both databases: a uniqueness violation (two creations of the same name, even at the same
 * moment) is a 409 naming the field; text PostgreSQL cannot store is a 400, a number too large for
 * its column or a reference to a missing record a 422. Anything else stays an internal error.
 */
import { fieldError } from "../../shared/errors.js";
import { Problem } from "../http/problem.js";

interface DriverError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  table?: unknown;
}

/** The columns of a violated unique key: "UNIQUE constraint failed: users.username" / "Key (a, b)=(…)". */
function uniqueColumns(error: DriverError): { table: string | null; columns: string[] } | null {
  if (error.code === "SQLITE_CONSTRAINT_UNIQUE" || error.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const list = /constraint failed: (.+)$/.exec(String(error.message))?.[1] ?? "";
    const qualified = list
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    return { table: qualified[0]?.split(".")[0] ?? null, columns: qualified.map((q) => q.split(".").pop()!) };
  }
  if (error.code === "23505") {
    const list = /^Key \((.+?)\)=/.exec(String(error.detail ?? ""))?.[1] ?? "";
    return {
      table: typeof error.table === "string" ? error.table : null,
      columns: list
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    };
  }
  return null;
}

/** The Problem a database error stands for, or null when it is not the caller's doing. Fields are named by column. */
export function problemFromDatabaseError(error: unknown): Problem | null {
  if (!error || typeof error !== "object") return null;
  const e = error as DriverError;
  const unique = uniqueColumns(e);
  if (unique) {
    const columns = unique.columns.length ? unique.columns : ["id"];
    return new Problem(
      "already_exists",
      columns.map((c) => fieldError(c, "already_exists")),
      { table: unique.table, fields: columns },
    );
  }
  // A reference to something that does not exist (a round's registry…): routes check first, this is the backstop.
  if (e.code === "SQLITE_CONSTRAINT_FOREIGNKEY" || e.code === "23503") {
    const column = /^Key \((.+?)\)=/.exec(String(e.detail ?? ""))?.[1] ?? "(body)";
    return new Problem("invalid", [
      fieldError(column, "invalid_field", { vi: "Giá trị trỏ tới một bản ghi không có.", en: "The value refers to a record that does not exist." }),
    ]);
  }
  // A number beyond its column's type (PostgreSQL integer columns hold 32 bits; SQLite has no such limit).
  if (e.code === "22003") {
    return new Problem("invalid", [
      fieldError("(body)", "out_of_range", { vi: "Một giá trị số vượt quá giới hạn lưu trữ.", en: "A number is beyond what can be stored." }),
    ]);
  }
  // PostgreSQL refuses U+0000 in text and in JSON; input rules refuse it earlier, this is the backstop.
  if (e.code === "22021" || e.code === "22P05") {
    return new Problem("unstorable_character");
  }
  return null;
}
