/**
 * `chiso export --round ID --format csv|xlsx|json|ndjson --layout wide|long|codebook|results [--out file]`
 * with a progress bar on stderr; the same tables and writers as the HTTP export.
 */
import fs from "node:fs";
import { PassThrough, type Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Config } from "../config.js";
import { openContext, prepareDatabase } from "../bootstrap.js";
import { Problem } from "../http/problem.js";
import { progressBar } from "../lib/progress.js";
import { buildExport } from "./build.js";
import { writeTable } from "./writers.js";

export const EXPORT_HELP = `chiso export --round ID [--layout wide|long|codebook|results] [--format csv|xlsx|json|ndjson]
             [--out FILE] [--labels vi|en] [--sep comma|semicolon|tab] [--decimal point|comma]
             [--lang vi|en] [--unit KEY] [--group CODE] [--variant ID] [--as-of REGISTRY] [--compare ROUND]
  Raw responses (wide: one row per response; long: one row per answer), the codebook, or index
  results in the appendix layout. CSV is UTF-8 with a byte-order mark; --sep semicolon --decimal comma
  as Vietnamese spreadsheets expect. Without --out the file goes to standard output.`;

/** Runs the export command; returns the process exit code. */
export async function exportCommand(flags: Record<string, string | true>, config: Config): Promise<number> {
  const flag = (name: string) => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);
  const round = flag("round");
  if (!round || flags.help) {
    console.error(round ? EXPORT_HELP : `error: missing --round\n\n${EXPORT_HELP}`);
    return round ? 0 : 2;
  }
  const ctx = await openContext({ ...config, clientDir: null });
  try {
    await prepareDatabase(ctx, config.surveysDir, { quiet: true });
    const file = flag("out");
    const params = {
      format: flag("format") ?? (file?.endsWith(".xlsx") ? "xlsx" : file?.endsWith(".json") ? "json" : undefined),
      labels: flag("labels"),
      sep: flag("sep"),
      decimal: flag("decimal"),
      lang: flag("lang"),
      unit: flag("unit"),
      group: flag("group"),
      variant: flag("variant"),
      asOf: flag("as-of"),
      compare: flag("compare"),
    };
    const { table, options, filename } = await buildExport(ctx, round, flag("layout") ?? "wide", params);
    // Standard output is not ended by the writer: it goes through a pass-through that is.
    const out: Writable = file ? fs.createWriteStream(file) : new PassThrough();
    if (!file) (out as PassThrough).pipe(process.stdout, { end: false });
    const bar = table.total !== null && table.total > 0 ? progressBar(`export ${filename}`, table.total) : null;
    await writeTable(table, out, options, (done) => bar?.update(done));
    await finished(out);
    bar?.done(file ? `written to ${file}` : undefined);
    return 0;
  } catch (error) {
    if (error instanceof Problem) {
      console.error(`error: ${error.text?.en ?? error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await ctx.db.close();
  }
}
