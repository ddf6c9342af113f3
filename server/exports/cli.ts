/**
 * `chiso export --round ID --format csv|xlsx|json|ndjson|sps|do|r --layout wide|long|data|codebook|results [--out file]`
 * with a progress bar on stderr; the same tables and writers as the HTTP export.
 */
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { PassThrough, type Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { CliError, usageError, stringOption, type Command } from "../lib/command-line.js";
import { withDatabase } from "../lib/command-database.js";
import { progressBar } from "../lib/progress.js";
import { buildExport } from "./build.js";
import { LAYOUTS } from "./layouts.js";
import { FORMATS, writeTable, type Format } from "./writers.js";

const EXTENSIONS: Record<string, Format> = { ".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".ndjson": "ndjson", ".sps": "sps", ".do": "do", ".r": "r" };

/** The format asked for, or implied by the file name; a file name that says another format is an error. */
function formatOf(given: string | undefined, file: string | undefined): Format {
  const implied = file ? EXTENSIONS[path.extname(file).toLowerCase()] : undefined;
  if (given && implied && given !== implied) {
    throw usageError(`--out "${file}" là tệp ${implied}, nhưng --format là ${given}.`, `--out "${file}" names a ${implied} file, but --format is ${given}.`);
  }
  return (given as Format | undefined) ?? implied ?? "csv";
}

export const EXPORT_COMMAND: Command = {
  name: "export",
  usage: `chiso export --round ID [--layout wide|long|data|codebook|results] [--format csv|xlsx|json|ndjson|sps|do|r]
             [--out FILE] [--labels vi|en] [--sep comma|semicolon|tab] [--decimal point|comma]
             [--lang vi|en] [--unit KEY] [--group CODE] [--variant ID] [--as-of REGISTRY] [--compare ROUND]
  Raw responses (wide: one row per response; long: one row per answer), the codebook, or index
  results in the appendix layout. data: the wide layout coded for statistical software, with label
  files for its CSV (--format sps|do|r: SPSS, Stata, R; labels in --labels, default vi).
  CSV is UTF-8 with a byte-order mark; --sep semicolon --decimal comma
  as Vietnamese spreadsheets expect. The format follows --out's extension when --format is not given.
  Without --out the file goes to standard output.`,
  options: {
    round: { type: "string", required: true },
    layout: { type: "string", values: LAYOUTS },
    format: { type: "string", values: FORMATS },
    out: { type: "string" },
    labels: { type: "string", values: ["vi", "en", "none"] },
    sep: { type: "string", values: ["comma", "semicolon", "tab"] },
    decimal: { type: "string", values: ["point", "comma"] },
    lang: { type: "string", values: ["vi", "en"] },
    unit: { type: "string" },
    group: { type: "string" },
    variant: { type: "string" },
    "as-of": { type: "string" },
    compare: { type: "string" },
  },
  args: [],
  async run({ options, config, io }) {
    const flag = (name: string) => stringOption(options, name);
    const file = flag("out");
    const format = formatOf(flag("format"), file);
    if (file && !fs.existsSync(path.dirname(path.resolve(file)))) {
      throw new CliError({ vi: `Không có thư mục “${path.dirname(file)}” để ghi --out.`, en: `There is no folder “${path.dirname(file)}” to write --out to.` });
    }
    return withDatabase(config, async (ctx) => {
      const params = {
        format,
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
      // The command line is the operator's: no caller scope applies.
      const { table, options: writeOptions, filename } = await buildExport(ctx, flag("round")!, flag("layout") ?? "wide", params, null);
      // Written beside the target and renamed at the end: a failed export leaves no partial file behind.
      const partial = file ? `${file}.part` : null;
      let out: Writable;
      if (partial) {
        out = fs.createWriteStream(partial);
        await once(out, "open");
      } else {
        // The writer ends its stream; standard output must stay open, so it gets a pass-through.
        out = new PassThrough();
        (out as PassThrough).pipe(io.stdout, { end: false });
      }
      try {
        const bar = table.total !== null && table.total > 0 ? progressBar(`export ${filename}`, table.total, io.stderr) : null;
        await writeTable(table, out, writeOptions, (done) => bar?.update(done));
        await finished(out);
        if (partial) fs.renameSync(partial, file!);
        bar?.done(file ? `written to ${file}` : undefined);
      } finally {
        if (partial) fs.rmSync(partial, { force: true });
      }
      return 0;
    });
  },
};
