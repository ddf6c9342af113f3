/**
 * `chiso xlsform import FILE` and `chiso xlsform export EDITION --out FILE.xlsx`: the same checks
 * and files as the API. Problems are printed one per line with their sheet, row and column.
 */
import fs from "node:fs";
import path from "node:path";
import { CliError, stringOption, usageError, writeLine, type Command } from "../lib/command-line.js";
import { withDatabase, withMigratedDatabase } from "../lib/command-database.js";
import { loadEdition } from "../instruments/load.js";
import { exportXlsform } from "../../shared/xlsform/export.js";
import { issuePlace } from "../../shared/xlsform/workbook.js";
import { checkXlsform, exportXlsformFile, importXlsformFile, XlsformProblem } from "./service.js";
import { writeWorkbook } from "./workbook-file.js";

function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw error;
    throw new CliError({ vi: `${file} không phải JSON hợp lệ.`, en: `${file} is not valid JSON.` }, 1, [(error as Error).message]);
  }
}

/** An XlsformProblem as the lines a person reads: one per problem, Vietnamese / English. */
function printable(error: XlsformProblem): CliError {
  const lines = [
    ...error.issues.map((i) => `${issuePlace(i)}: ${i.message.vi} / ${i.message.en}`),
    ...(error.errors ?? []).slice(error.issues.length).map((e) => `${e.question}: ${e.message_vi} / ${e.message_en}`),
  ];
  return new CliError(error.text!, 1, lines);
}

export const XLSFORM_IMPORT_COMMAND: Command = {
  name: "xlsform import",
  usage: `chiso xlsform import FILE.xlsx [--id ID] [--version V] [--index index.json] [--check] [--write DIR]
  Import an XLSForm workbook as a questionnaire edition (docs/xlsform.md). Every problem is listed
  with its sheet, row and column and nothing is imported. --index attaches an index tree so the
  edition can be scored; --check only checks; --write DIR writes DIR/ID/instrument.json (and
  index.json) for “chiso import” instead of touching the database.`,
  options: { id: { type: "string" }, version: { type: "string" }, index: { type: "string" }, check: { type: "boolean" }, write: { type: "string" } },
  args: ["FILE"],
  async run({ options, args, config, io }) {
    const file = args[0]!;
    if (options.check && options.write) throw usageError("--check và --write không dùng cùng nhau.", "--check and --write cannot be used together.");
    const bytes = fs.readFileSync(file);
    const indexFile = stringOption(options, "index");
    const input = {
      bytes,
      fileName: path.basename(file),
      ...(stringOption(options, "id") ? { id: stringOption(options, "id")! } : {}),
      ...(stringOption(options, "version") ? { version: stringOption(options, "version")! } : {}),
      ...(indexFile ? { index: readJsonFile(indexFile) } : {}),
    };
    try {
      const writeDir = stringOption(options, "write");
      if (options.check || writeDir) {
        const { instrument, index } = await checkXlsform(input);
        if (writeDir) {
          const dir = path.join(writeDir, instrument.id);
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(path.join(dir, "instrument.json"), `${JSON.stringify(instrument, null, 2)}\n`);
          if (index) fs.writeFileSync(path.join(dir, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
          writeLine(io.stdout, `${instrument.id} ${instrument.version}: written to ${dir}`);
        } else writeLine(io.stdout, `${instrument.id} ${instrument.version}: ok${index ? " (with index)" : ""}`);
        return;
      }
      await withMigratedDatabase(config, io.stderr, async (ctx) => {
        const result = await importXlsformFile(ctx.db.kysely, input);
        writeLine(
          io.stdout,
          `${result.instrument.id} ${result.instrument.version}: ${result.outcome}${result.index ? " (with index)" : " (no index: it cannot be scored until one is attached)"}`,
        );
      });
    } catch (error) {
      if (error instanceof XlsformProblem) throw printable(error);
      throw error;
    }
  },
};

export const XLSFORM_EXPORT_COMMAND: Command = {
  name: "xlsform export",
  usage: `chiso xlsform export EDITION --out FILE.xlsx [--version V]
  Write an edition as an XLSForm workbook: EDITION is an edition id in the database (its latest
  version unless --version) or an edition folder such as surveys/sipas-2022.`,
  options: { out: { type: "string", required: true }, version: { type: "string" } },
  args: ["EDITION"],
  async run({ options, args, config, io }) {
    const target = args[0]!;
    const out = stringOption(options, "out")!;
    if (path.extname(out).toLowerCase() !== ".xlsx") throw usageError(`--out “${out}” phải là tệp .xlsx.`, `--out “${out}” must be an .xlsx file.`);
    if (!fs.existsSync(path.dirname(path.resolve(out)))) {
      throw new CliError({ vi: `Không có thư mục “${path.dirname(out)}” để ghi --out.`, en: `There is no folder “${path.dirname(out)}” to write --out to.` });
    }
    let bytes: Buffer;
    let name: string;
    if (fs.existsSync(target) && (fs.statSync(target).isDirectory() || target.endsWith(".json"))) {
      const { edition, problems } = loadEdition(target);
      if (!edition)
        throw new CliError(
          { vi: "Định nghĩa bộ câu hỏi có lỗi:", en: "The questionnaire definition has problems:" },
          1,
          problems.map((p) => `${p.file}${p.path ? ` at ${p.path}` : ""}: ${p.reason}`),
        );
      bytes = await writeWorkbook(exportXlsform(edition.instrument));
      name = `${edition.instrument.id} ${edition.instrument.version}`;
    } else {
      const version = stringOption(options, "version");
      const found = await withDatabase(config, (ctx) => exportXlsformFile(ctx.db.kysely, target, version));
      if (!found)
        throw new CliError({
          vi: `Không có bộ câu hỏi “${target}”${version ? ` phiên bản ${version}` : ""}.`,
          en: `There is no edition “${target}”${version ? ` version ${version}` : ""}.`,
        });
      bytes = found.bytes;
      name = `${found.instrument.id} ${found.instrument.version}`;
    }
    fs.writeFileSync(out, bytes);
    writeLine(io.stdout, `${name}: written to ${out}`);
  },
};
