/**
 * Response-level data for statistical software: the numeric coding, the variable-name sanitiser and
 * the SPSS / Stata / R syntax writers (escaping, length limits), then the data layout over real HTTP
 * on SQLite, read by real R (Rscript) with the generated .R file: numeric ratings, Vietnamese value
 * and variable labels, 0/1 columns per choice, every row. Skips the R part, saying so, without R.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { main } from "../../server/cli.js";
import { parseCsv } from "../../server/lib/csv.js";
import { choicesOf, questionById } from "../../shared/instrument/walk.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import {
  cutChars,
  numericCoding,
  rSyntax,
  spssSyntax,
  stataSyntax,
  uniqueNames,
  variableName,
  vietnamTime,
  type DataColumn,
  type SyntaxOptions,
} from "../../server/exports/statistical.js";
import { randomSubmissions, storedResponses, submitAll, type Stored } from "./fixtures.js";

const hasR = spawnSync("Rscript", ["--version"], { stdio: "ignore" }).status === 0;
if (!hasR) console.warn("Rscript is not installed (bash scripts/install-r.sh): the test that reads the data export with R is skipped.");
/** GNU PSPP runs SPSS syntax; optional (apt-get install pspp). */
const hasPspp = spawnSync("pspp", ["--version"], { stdio: "ignore" }).status === 0;
if (!hasPspp) console.warn("pspp is not installed: the test that runs the SPSS syntax file is skipped.");

const label = (vi: string, en = vi) => ({ vi, en });

describe("numeric coding", () => {
  it("numerals are their number; other codes their position, or the next free number", () => {
    const codes = (list: string[]) => numericCoding(list.map((code) => ({ code, label: label(code) }))).map((v) => v.value);
    expect(codes(["1", "2", "3", "4", "5", "dk", "na"])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(codes(["yes", "no"])).toEqual([1, 2]);
    expect(codes(["0", "1", "2", "3", "4_plus"])).toEqual([0, 1, 2, 3, 5]);
    // "x" would be 2, which "2" holds: it gets the next number above those used.
    expect(codes(["2", "x", "1"])).toEqual([2, 3, 1]);
    // "01" is not written as a plain integer: position 1 is taken by "1", so it gets 2.
    expect(codes(["01", "1"])).toEqual([2, 1]);
  });

  it("outside codes of a scale are marked missing", () => {
    const scale = numericCoding([
      { code: "1", label: label("Không hài lòng") },
      { code: "dk", label: label("Không biết"), outside: true },
    ]);
    expect(scale).toEqual([
      { value: 1, code: "1", label: label("Không hài lòng") },
      { value: 2, code: "dk", label: label("Không biết"), missing: true },
    ]);
  });
});

describe("variable names", () => {
  it("letters, digits and _, starting with a letter, at most 32 characters, no reserved word", () => {
    expect(variableName("_unit")).toBe("unit");
    expect(variableName("__id")).toBe("id");
    expect(variableName("_123")).toBe("v_123");
    expect(variableName("2nd")).toBe("v_2nd");
    expect(variableName("Đường phố chính")).toBe("Duong_pho_chinh");
    expect(variableName("channel-other.x")).toBe("channel_other_x");
    expect(variableName("all")).toBe("all_");
    expect(variableName("str80")).toBe("str80_");
    expect(variableName("a".repeat(40))).toBe("a".repeat(32));
    for (const name of ["_unit", "Đường", "a".repeat(99), "_", "9"]) expect(variableName(name)).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,31}$/);
  });

  it("unique after truncation and without regard to case; priority keeps the plain name", () => {
    const long = "q".repeat(40);
    const names = uniqueNames([long, `${long}b`, "Q1", "q1", "x", "x"]);
    expect(names).toEqual(["q".repeat(32), `${"q".repeat(30)}_2`, "Q1", "q1_2", "x", "x_2"]);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(32);
    // The later entry has priority 0, so it keeps "channel_1".
    expect(uniqueNames(["channel_1", "channel_1"], [2, 0])).toEqual(["channel_1_2", "channel_1"]);
  });

  it("times in Vietnam's time zone with the offset", () => {
    expect(vietnamTime("2026-11-01T20:21:07.000Z")).toBe("2026-11-02T03:21:07+07:00");
    expect(vietnamTime("2026-11-01T10:00:00+02:00")).toBe("2026-11-01T15:00:00+07:00");
    expect(vietnamTime("2026-11-01")).toBe("2026-11-01");
    expect(vietnamTime(null)).toBe(null);
  });
});

describe("syntax writers", () => {
  const tricky = "Ông/Bà's \"ý kiến\"\nlần 2 — `x' $HOME \\ back";
  const columns: DataColumn[] = [
    { key: "response_id", label: label("Mã phiếu", "Response id"), type: "text" },
    {
      key: "q1",
      label: label(tricky),
      type: "number",
      values: [
        { value: 1, code: "a", label: label(tricky) },
        { value: 9, code: "dk", label: label("Không biết", "Don't know"), missing: true },
      ],
    },
    { key: "q2", label: label("Đ".repeat(100)), type: "number" },
  ];
  const options: SyntaxOptions = { lang: "vi", csvFile: "r1-data.csv", separator: ",", decimal: "." };

  it("SPSS: apostrophes doubled, one line per label, missing values declared", () => {
    const sps = spssSyntax(columns, options);
    expect(sps.startsWith("* Encoding: UTF-8.")).toBe(true);
    expect(sps).toContain("/FILE='r1-data.csv'");
    expect(sps).toContain(`q1 'Ông/Bà''s "ý kiến" lần 2 — \`x'' $HOME \\ back'`);
    expect(sps).toContain("MISSING VALUES q1 (9).");
    expect(sps).toContain("VALUE LABELS\r\n  q1\r\n    1 'Ông/Bà''s");
    expect(sps).toContain("    9 'Không biết'");
    // Every quoted string is closed on its line: an even number of apostrophes per line.
    for (const line of sps.split("\r\n")) expect((line.match(/'/g) ?? []).length % 2, line).toBe(0);
  });

  it("Stata: compound quotes, no macro expansion, variable labels cut to 80 characters", () => {
    const d = stataSyntax(columns, options);
    expect(d).toContain('import delimited using "r1-data.csv", clear encoding("utf-8") varnames(1) case(preserve)');
    expect(d).toContain("stringcols(1) numericcols(2 3)");
    expect(d).toContain(`label variable q1 \`"Ông/Bà's "ý kiến" lần 2 — 'x' \\$HOME \\ back"'`);
    const q2 = d.split("\n").find((l) => l.startsWith("label variable q2"))!;
    expect(q2).toBe(`label variable q2 \`"${"Đ".repeat(79)}…"'`);
    expect(d).toContain(`label define q1 1 \`"Ông/Bà's`);
    expect(d).toContain("label values q1 q1");
    // A 0/1 column whose "question: choice" label is too long is labelled "<question id>: choice".
    const dummy: DataColumn = { key: "q3_1", label: label(`${"Câu hỏi dài ".repeat(8)}: Trực tiếp`), short: label("q3: Trực tiếp"), type: "number" };
    expect(stataSyntax([dummy], options)).toContain('label variable q3_1 `"q3: Trực tiếp"\'');
    expect(d).not.toMatch(/\n(?!label|import|version|\*)\S/);
    expect(cutChars("abc", 80)).toBe("abc");
  });

  it.skipIf(!hasR)("R: quotes and backslashes escaped; R parses it and reads the labels back", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-labels-"));
    fs.writeFileSync(path.join(dir, "r1-data.csv"), "\uFEFFresponse_id,q1,q2\r\nabc,1,2.5\r\n'-x,9,\r\n");
    fs.writeFileSync(path.join(dir, "labels.R"), rSyntax(columns, options));
    const out = execFileSync(
      "Rscript",
      [
        "-e",
        'source("labels.R", encoding = "UTF-8"); cat(attr(chiso_data$q1, "label"), names(attr(chiso_data$q1, "labels"))[1], chiso_data$response_id[2], class(chiso_data$q2), sep = "\\n")',
      ],
      { cwd: dir, encoding: "utf8" },
    );
    const oneLine = tricky.replace(/\n/g, " ");
    expect(out.split("\n").slice(0, 4)).toEqual([oneLine, oneLine, "-x", "numeric"]);
    // Semicolons and decimal commas, as Vietnamese Excel writes them.
    fs.writeFileSync(path.join(dir, "r1-data.csv"), "\uFEFFresponse_id;q1;q2\r\nabc;1;2,5\r\n");
    fs.writeFileSync(path.join(dir, "labels.R"), rSyntax(columns, { ...options, separator: ";", decimal: "," }));
    expect(execFileSync("Rscript", ["-e", 'source("labels.R", encoding = "UTF-8"); cat(chiso_data$q2[1] * 2)'], { cwd: dir, encoding: "utf8" })).toBe("5");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("the data layout, read by R", () => {
  let server: TestServer;
  let sipas: Instrument;
  let round: string;
  let responses: Stored[];
  let dir: string;
  const FORMULA = "=1+1 không phải công thức";

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    await server.authenticate("admin");
    sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    round = await server.createRound("sipas-2022", { modes: ["public", "enumerator"], minCellSize: 3 });
    const submissions = randomSubmissions(sipas, demoUnits(server.ctx, "village").slice(0, 6), ["citizen", "organisation"], 30, 16, { weights: true });
    let n = 0;
    for (const s of submissions) if (s.answers.did_procedure === "yes") s.answers.procedure_name = n++ % 2 ? FORMULA : 'Cấp "giấy" phép; lần 2\nở Huế';
    await submitAll(server, round, submissions);
    responses = await storedResponses(server, round);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-labels-"));
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = async (url: string) => {
    const res = await fetch(server.url + url, { headers: server.defaultHeaders });
    return { res, buffer: Buffer.from(await res.arrayBuffer()) };
  };

  it("unknown parameters and syntax files of other layouts are a 400 naming them", async () => {
    const unknown = await get(`/api/rounds/${round}/export/data?format=csv&coding=numeric&x=1`);
    expect(unknown.res.status).toBe(400);
    const body = JSON.parse(unknown.buffer.toString("utf8")) as Record<string, unknown>;
    expect(JSON.stringify(body)).toContain("coding, x");
    const wide = await get(`/api/rounds/${round}/export/wide?format=sps`);
    expect(wide.res.status).toBe(400);
    expect(wide.buffer.toString("utf8")).toContain("layout=data");
  });

  it("XLSX of the data layout: ratings and choices are number cells", async () => {
    const { buffer } = await get(`/api/rounds/${round}/export/data?format=xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const keys = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    expect(keys.slice(0, 2)).toEqual(["response_id", "unit_key"]);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,31}$/);
    expect(new Set(keys.map((k) => k.toLowerCase())).size).toBe(keys.length);
    const byId = new Map(responses.map((r) => [r.id, r]));
    for (let i = 2; i <= sheet.rowCount; i++) {
      const row = sheet.getRow(i);
      const cell = (k: string) => row.getCell(keys.indexOf(k) + 1).value;
      const stored = byId.get(cell("response_id") as string)!;
      const rating = stored.answers.s2_3_1;
      expect(cell("s2_3_1")).toBe(rating === undefined ? null : rating === "dk" ? 6 : rating === "na" ? 7 : Number(rating));
      expect(cell("did_procedure")).toBe(stored.answers.did_procedure === "yes" ? 1 : 2);
      expect(cell("started_at")).toBe("2026-11-01T15:00:00+07:00");
    }
  });

  it("the codebook gives each question's variable and each code's number", async () => {
    const { buffer } = await get(`/api/rounds/${round}/export/codebook?format=json`);
    const rows = JSON.parse(buffer.toString("utf8")) as Array<Record<string, unknown>>;
    const find = (question: string, code: string) => rows.find((r) => r.question === question && r.code === code)!;
    expect(find("s2_3_1", "5")).toMatchObject({ variable: "s2_3_1", data_value: 5, code_label_vi: "Rất hài lòng" });
    expect(find("s2_3_1", "dk")).toMatchObject({ data_value: 6, outside: "yes" });
    expect(find("did_procedure", "no")).toMatchObject({ variable: "did_procedure", data_value: 2 });
    expect(find("channel", "online")).toMatchObject({ variable: "channel", data_value: 3 });
    expect(rows.find((r) => r.question === "procedure_name")).toMatchObject({ variable: "procedure_name", data_value: null });
  });

  it.skipIf(!hasR)("R reads the CSV with the .R file: numbers, Vietnamese labels, 0/1 columns, every row", async () => {
    const csv = await get(`/api/rounds/${round}/export/data?format=csv`);
    expect(csv.res.headers.get("content-disposition")).toContain(`${round}-data.csv`);
    const r = await get(`/api/rounds/${round}/export/data?format=r`);
    expect(r.res.status).toBe(200);
    expect(r.res.headers.get("content-disposition")).toContain(`${round}-data.R`);
    fs.writeFileSync(path.join(dir, `${round}-data.csv`), csv.buffer);
    fs.writeFileSync(path.join(dir, "labels.R"), r.buffer);
    const channel = questionById(sipas).get("channel")!;
    const choices = choicesOf(sipas, channel);
    const script = `
      source("labels.R", encoding = "UTF-8")
      d <- chiso_data
      out <- c(
        paste("rows", nrow(d)),
        paste("class", class(d$s2_3_1), typeof(d$s2_3_1)),
        paste("label", attr(d$s2_3_1, "label")),
        paste("labels", paste(names(attr(d$s2_3_1, "labels")), attr(d$s2_3_1, "labels"), sep = "=", collapse = "|")),
        paste("na_values", paste(attr(d$s2_3_1, "na_values"), collapse = " ")),
        paste("factor5", sum(chiso_factor(d$s2_3_1) == "Rất hài lòng", na.rm = TRUE)),
        paste("channel_label", attr(d$channel_1, "label")),
        paste("dummy_class", class(d$channel_1)),
        paste("dummy_values", paste(sort(unique(d$channel_1[!is.na(d$channel_1)])), collapse = " ")),
        paste("trips_label", attr(d$trips, "label"))
      )
      writeLines(enc2utf8(out), "summary.txt", useBytes = TRUE)
      rows <- data.frame(id = d$response_id, rating = d$s2_3_1, dummies = apply(d[, paste0("channel_", 1:${choices.length})], 1, paste, collapse = ""), text = d$procedure_name)
      write.csv(rows, "rows.csv", row.names = FALSE, fileEncoding = "UTF-8", na = "")
    `;
    execFileSync("Rscript", ["-e", script], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    const summary = fs.readFileSync(path.join(dir, "summary.txt"), "utf8");
    expect(summary).toBe(summary.normalize("NFC"));
    const line = (key: string) =>
      summary
        .split("\n")
        .find((l) => l.startsWith(`${key} `))!
        .slice(key.length + 1);
    expect(line("rows")).toBe(String(responses.length));
    expect(line("class")).toBe("numeric double");
    const s231 = questionById(sipas).get("s2_3_1")!;
    expect(line("label")).toContain(s231.label.vi);
    expect(line("labels")).toBe(
      choicesOf(sipas, s231)
        .map((c, i) => `${c.label.vi}=${i + 1}`)
        .join("|"),
    );
    expect(line("labels")).toContain("Rất hài lòng=5");
    expect(line("na_values")).toBe("6 7");
    expect(Number(line("factor5"))).toBe(responses.filter((x) => x.answers.s2_3_1 === "5").length);
    expect(line("channel_label")).toBe(`${channel.label.vi}: ${choices[0]!.label.vi}`);
    expect(line("dummy_class")).toBe("numeric");
    expect(line("dummy_values")).toBe("0 1");

    // Row by row against what was stored: the rating number, the 0/1 pattern, text with its formula guard undone.
    const rows = fs.readFileSync(path.join(dir, "rows.csv"), "utf8");
    const byId = new Map(responses.map((x) => [x.id, x]));
    const seen = new Set<string>();
    for (const text of rows.matchAll(/^"([^"]+)",(\d*),"([01NA]*)",(?:"((?:[^"]|"")*)"|NA|)$/gm)) {
      const stored = byId.get(text[1]!)!;
      seen.add(stored.id);
      const rating = stored.answers.s2_3_1;
      expect(text[2]).toBe(rating === undefined ? "" : String(rating === "dk" ? 6 : rating === "na" ? 7 : Number(rating)));
      const selected = stored.answers.channel;
      expect(text[3]).toBe(Array.isArray(selected) ? choices.map((c) => (selected.includes(c.code) ? "1" : "0")).join("") : "NA".repeat(choices.length));
      const procedure = stored.answers.procedure_name;
      // Line breaks become spaces in this layout (SPSS reads no line break inside a field).
      if (typeof procedure === "string") expect(text[4]!.replace(/""/g, '"')).toBe(procedure.replace(/\n/g, " "));
    }
    expect(seen.size).toBe(responses.length);
  });

  it.skipIf(!hasPspp)("PSPP runs the .sps file on the CSV: every row, value labels in Vietnamese, Không biết missing", async () => {
    const sub = fs.mkdtempSync(path.join(dir, "pspp-"));
    fs.writeFileSync(path.join(sub, `${round}-data.csv`), (await get(`/api/rounds/${round}/export/data?format=csv`)).buffer);
    const sps = (await get(`/api/rounds/${round}/export/data?format=sps`)).buffer.toString("utf8");
    expect(sps).toContain("MISSING VALUES s2_3_1 (6, 7).");
    // Write the data back with value labels in place of numbers, as SPSS would show them.
    fs.writeFileSync(path.join(sub, "run.sps"), `${sps}SAVE TRANSLATE /OUTFILE='labels.csv' /TYPE=CSV /FIELDNAMES /CELLS=LABELS /REPLACE.\r\n`);
    const run = spawnSync("pspp", ["run.sps"], { cwd: sub, encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/error/i);
    const text = fs.readFileSync(path.join(sub, "labels.csv"), "utf8");
    const table = parseCsv(text);
    const at = table.columns.indexOf("s2_3_1");
    const labels = new Map(choicesOf(sipas, questionById(sipas).get("s2_3_1")!).map((c) => [c.code, c.label.vi]));
    const byId = new Map(responses.map((x) => [x.id, x]));
    let rows = 0;
    for (const { fields } of table.records) {
      const stored = byId.get(fields[0]!)!;
      rows++;
      const rating = stored.answers.s2_3_1;
      expect(fields[at]).toBe(typeof rating === "string" ? labels.get(rating) : "");
    }
    expect(rows).toBe(responses.length);
    expect(text).toBe(text.normalize("NFC"));
  });

  it("the command line writes the same label files", async () => {
    const env = { ...process.env, CHISO_DB: server.ctx.db.sqlite!.name, DATABASE_URL: "" };
    const chiso = async (...args: string[]) => {
      const sink = new Writable({ write: (_c, _e, done) => done() });
      return main(args, { stdin: new PassThrough(), stdout: sink, stderr: sink }, env);
    };
    for (const [format, ext] of [
      ["sps", "sps"],
      ["do", "do"],
      ["r", "R"],
    ] as const) {
      const out = path.join(dir, `cli.${ext}`);
      expect(await chiso("export", "--round", round, "--layout", "data", "--format", format, "--labels", "en", "--out", out)).toBe(0);
      const viaHttp = (await get(`/api/rounds/${round}/export/data?format=${format}&labels=en`)).buffer;
      expect(fs.readFileSync(out)).toEqual(viaHttp);
    }
    expect(fs.readFileSync(path.join(dir, "cli.do"), "utf8")).toContain('label define chiso_selected 0 `"Not selected"\' 1 `"Selected"\', replace');
  });
});
