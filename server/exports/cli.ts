/**
 * `chiso export --round ID --format csv|xlsx|json|ndjson|sps|do|r --layout wide|long|data|codebook|results [--out file]`
 * with a progress bar on stderr; the same tables, writers and parameters (server/exports/parameters.ts) as the HTTP export.
 */
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { PassThrough, type Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { CliError, usageError, stringOption, type Command, type OptionSpec } from "../lib/command-line.js";
import { withDatabase } from "../lib/command-database.js";
import { progressBar } from "../lib/progress.js";
import { buildExport } from "./build.js";
import { LAYOUTS } from "./layouts.js";
import { FORMATS, writeTable, type Format } from "./writers.js";
import { EXPORT_PARAMETERS } from "./parameters.js";

const EXTENSIONS: Record<string, Format> = { ".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".ndjson": "ndjson", ".sps": "sps", ".do": "do", ".r": "r" };

/** The format asked for, or implied by the file name; a file name that says another format is an error. */
function formatOf(given: string | undefined, file: string | undefined): Format {
  const implied = file ? EXTENSIONS[path.extname(file).toLowerCase()] : undefined;
  if (given && implied && given !== implied) {
    throw usageError(`--out "${file}" là tệp ${implied}, nhưng --format là ${given}.`, `--out "${file}" names a ${implied} file, but --format is ${given}.`);
  }
  return (given as Format | undefined) ?? implied ?? "csv";
}

/** One option per export parameter (server/exports/parameters.ts): whatever the API takes, the command line takes. */
const PARAMETER_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(
  EXPORT_PARAMETERS.map((p) => [p.option, p.flag ? { type: "boolean" } : p.values ? { type: "string", values: p.values } : { type: "string" }] as const),
);

export const EXPORT_COMMAND: Command = {
  name: "export",
  usage: `chiso export --round ID [--layout wide|long|data|codebook|results] [--format csv|xlsx|json|ndjson|sps|do|r]
             [--out FILE] [--labels vi|en] [--sep comma|semicolon|tab] [--decimal point|comma]
             [--lang vi|en] [--unit KEY] [--group CODE] [--variant ID] [--as-of REGISTRY] [--compare ROUND]
             [--rank] [--by province|district|commune|village|agency|group [--cols LEVEL] [--node CODE] [--peers ID]]
             [--precision display|full] [--titles 1|0]
  Raw responses (wide: one row per response; long: one row per answer), the codebook, or index
  results as report appendices. data: the wide layout coded for statistical software, with label
  files for its CSV (--format sps|do|r: SPSS, Stata, R; labels in --labels, default vi).
  results: one unit's index tree (--rank: with its rank among all units of its level), or with
  --by the units (or groups) of a level side by side by node with ranks (--cols: the index level
  of the columns; --node: the node rows are ranked by; --peers: only a peer group's members).
  Title rows, Vietnamese headers (--lang en for English), values rounded to the index's decimals
  (--precision full for all digits); --titles 0 leaves out the title and note rows.
  CSV is UTF-8 with a byte-order mark; --sep semicolon --decimal comma
  as Vietnamese spreadsheets expect. The format follows --out's extension when --format is not given.
  Without --out the file goes to standard output.`,
  options: {
    round: { type: "string", required: true },
    layout: { type: "string", values: LAYOUTS },
    out: { type: "string" },
    ...PARAMETER_OPTIONS,
    format: { type: "string", values: FORMATS },
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
      const params: Record<string, string | undefined> = {};
      for (const p of EXPORT_PARAMETERS) {
        if (p.flag) params[p.name] = options[p.option] === true ? "1" : undefined;
        else params[p.name] = flag(p.option);
      }
      params.format = format;
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
