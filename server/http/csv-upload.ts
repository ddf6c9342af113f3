/** Reads an uploaded CSV request body (units, invitees): content type, size, then one decoding for every import. */
import type { Context } from "hono";
import { Problem } from "./problem.js";
import { readBytes } from "./body.js";
import { CsvFileError, decodeCsv } from "../lib/csv.js";

/** 8 MiB: every village of the country is about 100,000 lines, roughly 5 MB. */
export const MAX_CSV_BYTES = 8 * 1024 * 1024;

/** True when the request says it carries CSV (`text/csv`, any charset: the bytes decide). */
export function isCsvRequest(c: Context): boolean {
  return /^text\/csv\b/i.test(c.req.header("content-type") ?? "");
}

/** The body as NFC text; an encoding that is not UTF-8, UTF-16 with BOM or Vietnamese Windows-1258 is a 422. */
export async function readCsvBody(c: Context, limit = MAX_CSV_BYTES): Promise<string> {
  if (!isCsvRequest(c)) {
    throw new Problem("unsupported_media_type", undefined, undefined, {
      vi: "Chỉ nhận tệp CSV (Content-Type: text/csv).",
      en: "Only CSV is accepted (Content-Type: text/csv).",
    });
  }
  // Counted while reading: an oversized upload is refused without being held whole.
  const bytes = await readBytes(c, limit);
  try {
    return decodeCsv(bytes).text;
  } catch (error) {
    if (error instanceof CsvFileError) throw error.problem();
    throw error;
  }
}
