/**
 * Exports over real HTTP on SQLite and PostgreSQL, parsed back: CSV (BOM, semicolons, decimal
 * commas, label row), XLSX (read with exceljs), JSON and NDJSON give the stored values with
 * diacritics intact; anonymous (invitation) responses never leave one by one; the stream starts at once, does not
 * stall submissions while a slow reader holds it, and survives a reader that leaves. Plus the CLI.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, makeSubmission } from "../helpers/responses.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { findRound } from "../../server/rounds/repository.js";
import { addDemoResponses } from "../../server/demo/seed.js";
import { prepareAnonymous } from "../../server/invitations/anonymous-response.js";
import { DEMO_PROVINCE } from "../../server/demo/seed.js";
import { seededRng } from "../../server/demo/random.js";
import { main } from "../../server/cli.js";
import { answerableQuestions } from "../../shared/instrument/walk.js";
import { nodeMap } from "../../shared/results/tree.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import type { ResultsResponse } from "../../shared/results/types.js";
import { parseCsv, randomSubmissions, storedResponses, submitAll, type Stored } from "./fixtures.js";

const TRICKY = 'Đăng ký khai sinh; "gấp", lần 2\nở Thừa Thiên Huế';
/** Texts a spreadsheet would run as formulas: each must come out with a leading quote. */
const FORMULAS = ["=1+1 không phải công thức", "-2+3+cmd|' /C calc'!A0", "+84 912 345 678", "@SUM(A1)"];
const FORMULA_START = /^[=+\-@\t\r]/;

describe.each(DIALECTS)("exports on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let sipas: Instrument;
  let round: string;
  let responses: Stored[];

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    await server.authenticate("admin");
    sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    // No invitation mode: the raw exports below are of every response (see the mixed-round test for invitations).
    round = await server.createRound("sipas-2022", { modes: ["public", "enumerator"], minCellSize: 3 });
    const villages = demoUnits(server.ctx, "village").slice(0, 10);
    const submissions = randomSubmissions(sipas, villages, ["citizen", "organisation"], 40, 21, { weights: true });
    let tricky = 0;
    for (const s of submissions) {
      if (s.answers.did_procedure !== "yes") continue;
      s.answers.procedure_name = tricky % 2 === 0 ? TRICKY : FORMULAS[(tricky >> 1) % FORMULAS.length]!;
      tricky++;
    }
    expect(tricky).toBeGreaterThan(2 * FORMULAS.length);
    await submitAll(server, round, submissions);
    responses = await storedResponses(server, round);
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const get = async (url: string) => {
    const res = await fetch(server.url + url, { headers: server.defaultHeaders });
    return { res, buffer: Buffer.from(await res.arrayBuffer()) };
  };
  const questions = () => answerableQuestions(sipas).map((q) => q.question);

  it.skipIf(skip)("wide CSV: BOM, semicolons, decimal commas, a Vietnamese label row, every answer back", async () => {
    const { res, buffer } = await get(`/api/rounds/${round}/export/wide?format=csv&sep=semicolon&decimal=comma&labels=vi`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toContain(`${round}-wide.csv`);
    expect([...buffer.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buffer.toString("utf8").slice(1);
    expect(text).toBe(text.normalize("NFC"));
    const [keys, labels, ...rows] = parseCsv(text, ";");
    expect(keys!.slice(0, 3)).toEqual(["_id", "_unit", "_unit_name"]);
    const qs = questions();
    expect(keys!.slice(-qs.length)).toEqual(qs.map((q) => q.id));
    expect(labels![keys!.indexOf("_group")]).toBe("Nhóm người trả lời");
    expect(labels![keys!.indexOf("s1_1_1")]).toMatch(/chính sách/);
    expect(rows).toHaveLength(responses.length);
    const col = (name: string) => keys!.indexOf(name);
    const byId = new Map(responses.map((r) => [r.id, r]));
    let weighted = 0;
    for (const row of rows) {
      const stored = byId.get(row[col("_id")]!)!;
      expect(row[col("_unit")]).toBe(stored.unit);
      expect(row[col("_unit_name")]).toMatch(/^Thôn mẫu \d, /);
      expect(row[col("_province")]).toBe("Thành phố Huế");
      if (stored.weight !== null) {
        weighted++;
        expect(row[col("_weight")]).toBe(String(stored.weight).replace(".", ","));
      }
      for (const q of qs) {
        const v = stored.answers[q.id];
        const cell = row[col(q.id)]!;
        if (v === undefined) expect(cell, q.id).toBe("");
        else if (Array.isArray(v)) expect(cell, q.id).toBe(v.join(";"));
        else if (typeof v === "number") expect(cell, q.id).toBe(String(v).replace(".", ","));
        else if (FORMULA_START.test(v)) expect(cell, q.id).toBe(`'${v}`);
        else expect(cell, q.id).toBe(v);
      }
    }
    expect(weighted).toBeGreaterThan(0);
    expect(rows.some((r) => r[col("procedure_name")] === TRICKY)).toBe(true);
    for (const formula of FORMULAS)
      expect(
        rows.some((r) => r[col("procedure_name")] === `'${formula}`),
        formula,
      ).toBe(true);
  });

  it.skipIf(skip)("a mixed round's raw exports leave its anonymous (invitation) responses out; an invitation-only round has none (403)", async () => {
    const mixed = await server.createRound("sipas-2022", { modes: ["public", "enumerator", "invitation"], minCellSize: 3 });
    const villages = demoUnits(server.ctx, "village").slice(0, 3);
    await submitAll(server, mixed, randomSubmissions(sipas, villages, ["citizen"], 6, 31));
    const named = new Set((await storedResponses(server, mixed)).map((r) => r.id));
    expect(named.size).toBe(6);
    // Anonymous answers stored as the invitation route stores them, each with a text found nowhere else.
    const anonymous: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answers = {
        ...makeSubmission(sipas, villages[0]!, "citizen", seededRng(90 + i)).answers,
        did_procedure: "yes",
        procedure_name: `Thủ tục ẩn danh ${i}`,
      };
      const prepared = await prepareAnonymous(server.ctx, mixed, {
        id: randomUUID(),
        instrument: { id: sipas.id, version: sipas.version },
        unit: DEMO_PROVINCE,
        group: "citizen",
        answers,
      });
      await server.ctx.store.store(prepared);
      anonymous.push(prepared.response.id);
    }
    const stored = await server.ctx.db.kysely.selectFrom("responses").select("id").where("round_id", "=", mixed).where("channel", "=", "invitation").execute();
    expect(stored.map((r) => r.id).sort()).toEqual([...anonymous].sort());
    for (const [layout, format] of [
      ["wide", "csv"],
      ["wide", "xlsx"],
      ["wide", "json"],
      ["wide", "ndjson"],
      ["long", "csv"],
      ["long", "ndjson"],
    ] as const) {
      const { res, buffer } = await get(`/api/rounds/${mixed}/export/${layout}?format=${format}`);
      expect(res.status, `${layout} ${format}`).toBe(200);
      let ids: string[];
      if (format === "xlsx") {
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
        const sheet = workbook.worksheets[0]!;
        ids = [];
        for (let i = 2; i <= sheet.rowCount; i++) ids.push(String(sheet.getRow(i).getCell(1).value));
        const text = JSON.stringify(sheet.getSheetValues());
        expect(text, `${layout} ${format}`).not.toContain("ẩn danh");
      } else {
        const text = buffer.toString("utf8");
        expect(text, `${layout} ${format}`).not.toContain("ẩn danh");
        for (const id of anonymous) expect(text, `${layout} ${format}`).not.toContain(id);
        ids =
          format === "csv"
            ? parseCsv(text.slice(1), ",")
                .slice(1)
                .map((r) => r[0]!)
            : format === "json"
              ? (JSON.parse(text) as Array<{ _id: string }>).map((r) => r._id)
              : text
                  .trim()
                  .split("\n")
                  .map((l) => (JSON.parse(l) as { _id: string })._id);
      }
      expect(new Set(ids), `${layout} ${format}`).toEqual(named);
    }
    // The results still count them (suppressed as the round's cells are).
    expect((await get(`/api/rounds/${mixed}/export/results?format=csv`)).res.status).toBe(200);

    const anonymousOnly = await server.createRound("par-leaders-2022", { modes: ["invitation"] });
    for (const layout of ["wide", "long"]) {
      for (const format of ["csv", "xlsx", "json", "ndjson"]) {
        const res = await server.api(`/api/rounds/${anonymousOnly}/export/${layout}?format=${format}`);
        expect(res.status, `${layout} ${format}`).toBe(403);
        expect(res.body.error.message_vi).toMatch(/ẩn danh/);
        expect(res.body.error.message_en).toMatch(/anonymous/);
      }
    }
    expect((await get(`/api/rounds/${anonymousOnly}/export/codebook?format=csv`)).res.status).toBe(200);
  });

  it.skipIf(skip)("wide XLSX: a real workbook read back with exceljs, bold frozen header, numbers as numbers", async () => {
    const { res, buffer } = await get(`/api/rounds/${round}/export/wide?format=xlsx&labels=en`);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe(`${round}-wide`.slice(0, 31));
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 2 });
    const header = sheet.getRow(1).values as unknown[];
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    const keys = header.slice(1) as string[];
    expect(sheet.getRow(2).getCell(keys.indexOf("_group") + 1).value).toBe("Respondent group");
    expect(sheet.getColumn(keys.indexOf("_unit_name") + 1).width).toBeGreaterThan(20);
    expect(sheet.rowCount).toBe(responses.length + 2);
    const byId = new Map(responses.map((r) => [r.id, r]));
    for (let i = 3; i <= sheet.rowCount; i++) {
      const row = sheet.getRow(i);
      const cell = (k: string) => row.getCell(keys.indexOf(k) + 1).value;
      const stored = byId.get(cell("_id") as string)!;
      expect(cell("_weight")).toBe(stored.weight);
      if (typeof stored.answers.age === "number") expect(cell("age")).toBe(stored.answers.age);
      if (Array.isArray(stored.answers.channel)) expect(cell("channel")).toBe(stored.answers.channel.join(";"));
      expect(cell("s2_3_1")).toBe(stored.answers.s2_3_1 ?? null);
      if (typeof stored.answers.procedure_name === "string") expect(cell("procedure_name")).toBe(stored.answers.procedure_name);
    }
  });

  it.skipIf(skip)("long CSV: one row per answer, as in the answers table", async () => {
    const { buffer } = await get(`/api/rounds/${round}/export/long?format=csv`);
    const [keys, ...rows] = parseCsv(buffer.toString("utf8").slice(1), ",");
    expect(keys).toEqual(["_id", "_unit", "_group", "question", "seq", "code", "num", "text"]);
    const answers = await server.ctx.db.kysely
      .selectFrom("answers")
      .innerJoin("responses", "responses.id", "answers.response_id")
      .select(["answers.response_id", "answers.question_id", "answers.seq", "answers.code", "answers.num", "answers.text"])
      .where("responses.round_id", "=", round)
      .execute();
    expect(rows).toHaveLength(answers.length);
    const key = (id: string, q: string, seq: string | number) => `${id}|${q}|${seq}`;
    const exported = new Map(rows.map((r) => [key(r[0]!, r[3]!, r[4]!), r]));
    for (const a of answers) {
      const row = exported.get(key(a.response_id, a.question_id, a.seq))!;
      expect(row[5]).toBe(a.code ?? "");
      expect(row[6]).toBe(a.num === null ? "" : String(Number(a.num)));
      expect(row[7]).toBe(a.text === null ? "" : FORMULA_START.test(a.text) ? `'${a.text}` : a.text);
      // Numbers stay numbers: a negative or decimal value is never quoted or prefixed.
      if (a.num !== null) expect(row[6]).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/);
    }
    // Within a response, answers follow the questionnaire.
    const order = new Map(questions().map((q, i) => [q.id, i]));
    const first = rows.filter((r) => r[0] === rows[0]![0]).map((r) => order.get(r[3]!)!);
    expect(first).toEqual([...first].sort((a, b) => a - b));
  });

  it.skipIf(skip)("JSON array and NDJSON carry the same responses, multiple choices as arrays", async () => {
    const json = JSON.parse((await get(`/api/rounds/${round}/export/wide?format=json`)).buffer.toString("utf8")) as Array<Record<string, unknown>>;
    const ndjson = (await get(`/api/rounds/${round}/export/wide?format=ndjson`)).buffer
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toHaveLength(responses.length);
    expect(ndjson).toEqual(json);
    const byId = new Map(responses.map((r) => [r.id, r]));
    for (const row of json) {
      const stored = byId.get(row._id as string)!;
      for (const q of questions()) expect(row[q.id], q.id).toEqual(stored.answers[q.id] ?? null);
    }
  });

  it.skipIf(skip)("codebook: every question with its codes and labels in both languages", async () => {
    const { buffer } = await get(`/api/rounds/${round}/export/codebook?format=xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const keys = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const rows = [];
    for (let i = 2; i <= sheet.rowCount; i++) rows.push(Object.fromEntries(keys.map((k, j) => [k, sheet.getRow(i).getCell(j + 1).value])));
    expect(new Set(rows.map((r) => r.question))).toEqual(new Set(questions().map((q) => q.id)));
    const rating = rows.filter((r) => r.question === "s2_3_1");
    expect(rating.map((r) => r.code)).toEqual(["1", "2", "3", "4", "5", "dk", "na"]);
    expect(rating.find((r) => r.code === "5")).toMatchObject({
      value: 5,
      code_label_vi: "Rất hài lòng",
      code_label_en: "Very satisfied",
      scale: "satisfaction",
    });
    expect(rating.find((r) => r.code === "dk")).toMatchObject({ outside: "yes", value: null });
    expect(rows.find((r) => r.question === "channel_other")!.relevant).toContain("selected(${channel}, 'other')");
  });

  it.skipIf(skip)("results in the appendix layout: values, target and gap, previous year; CSV and XLSX agree with the API", async () => {
    await server.api(`/api/rounds/${round}/targets`, {
      method: "PUT",
      json: {
        targets: [
          { kind: "value", node: "SIPAS", value: 85 },
          { kind: "rule", level: "component", delta: 10 },
        ],
      },
    });
    const earlier = await server.createRound("sipas-2022", { minCellSize: 3 });
    await submitAll(server, earlier, randomSubmissions(sipas, demoUnits(server.ctx, "village").slice(0, 10), ["citizen"], 20, 22));
    const api = (await server.api(`/api/rounds/${round}/results?compare=${earlier}`)).body as ResultsResponse;
    const nodes = nodeMap(api.root);
    // titles=0: the header row first (the title rows are tested in appendix.test.ts); full precision to compare with the API.
    const csv = (await get(`/api/rounds/${round}/export/results?format=csv&sep=semicolon&decimal=comma&compare=${earlier}&titles=0&precision=full`)).buffer
      .toString("utf8")
      .slice(1);
    const [labels, ...rows] = parseCsv(csv, ";");
    expect(labels).toEqual([
      "Mã",
      "Tiêu chí / nội dung",
      "Cấp",
      "Tỷ lệ (%)",
      "Năm trước (%)",
      "Tăng/giảm (điểm %)",
      "Mục tiêu (%)",
      "Còn thiếu so với mục tiêu",
      "Số câu trả lời hợp lệ",
      "Số người trả lời (n)",
      "Sai số chuẩn (điểm %)",
      "KTC 95%: cận dưới",
      "KTC 95%: cận trên",
      "Hệ số thiết kế (deff)",
      "Cỡ mẫu hiệu dụng",
      "Độ tin cậy",
      "Thay đổi có ý nghĩa (95%)",
    ]);
    expect(rows).toHaveLength(nodes.size);
    const num = (s: string) => (s === "" ? null : Number(s.replace(",", ".")));
    for (const row of rows) {
      const node = nodes.get(row[0]!)!;
      expect(row[1]).toBe(node.label.vi);
      expect(num(row[3]!)).toBeCloseTo(node.percent!, 9);
      expect(num(row[4]!)).toBeCloseTo(node.previous!.value!, 9);
      expect(num(row[5]!)).toBeCloseTo(node.delta!.value!, 9);
      expect(num(row[6]!)).toEqual(node.target ? expect.closeTo(node.target.value, 9) : null);
      // The uncertainty columns are the API's, under the round's design.
      expect(num(row[9]!)).toBe(node.n ?? null);
      expect(num(row[10]!)).toEqual(node.se === null || node.se === undefined ? null : expect.closeTo(node.se, 9));
      expect(num(row[11]!)).toEqual(node.ci ? expect.closeTo(node.ci.lo, 9) : null);
      expect(num(row[12]!)).toEqual(node.ci ? expect.closeTo(node.ci.hi, 9) : null);
      expect(row[16]).toBe(node.change ? (node.change.significant ? "Có" : "Không") : "");
    }
    expect(num(rows[0]![6]!)).toBe(85);
    const component = rows.find((r) => r[0] === "II.3")!;
    expect(num(component[6]!)).toBeCloseTo(nodes.get("II.3")!.percent! + 10, 9);
    expect(num(component[7]!)).toBeCloseTo(10, 9);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await get(`/api/rounds/${round}/export/results?format=xlsx&lang=en`)).buffer as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    let header = 1;
    while (sheet.getRow(header).getCell(1).value !== "Code") header++;
    expect(sheet.getRow(header + 1).getCell(1).value).toBe("SIPAS");
    expect(sheet.getRow(header + 1).getCell(2).value).toBe(api.root.label.en);
    expect(sheet.getRow(header + 1).getCell(4).value).toBe(Math.round(api.root.percent! * 100) / 100);
    expect(sheet.getRow(header + 1).getCell(4).numFmt).toBe("0.00");
  });

  it.skipIf(skip)("suppressed results export no values, and say why", async () => {
    const counts = new Map<string, number>();
    for (const r of responses) counts.set(r.unit, (counts.get(r.unit) ?? 0) + 1);
    const small = [...counts.entries()].find(([, n]) => n < 3)?.[0];
    const unit = small ?? demoUnits(server.ctx, "village").at(-1)!;
    const csv = (await get(`/api/rounds/${round}/export/results?format=csv&unit=${unit}&titles=0`)).buffer.toString("utf8").slice(1);
    const [header, ...rows] = parseCsv(csv, ",");
    expect(header).toEqual(["Mã", "Tiêu chí / nội dung", "Cấp", "Tỷ lệ (%)", "Số câu trả lời hợp lệ", "Ghi chú"]);
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) {
      expect(row.slice(3, 5)).toEqual(["", ""]);
      expect(row[5]).toMatch(small ? /^Ẩn: [12] phiếu, dưới mức tối thiểu 3 phiếu$/ : /^Không có phiếu$/);
    }
  });

  describe("refuses bad export parameters before sending anything", () => {
    const cases: Array<[string, () => string, number]> = [
      ["unknown format", () => `/api/rounds/${round}/export/wide?format=pdf`, 400],
      ["unknown layout", () => `/api/rounds/${round}/export/pivot`, 400],
      ["unknown label language", () => `/api/rounds/${round}/export/wide?labels=fr`, 400],
      ["unknown separator", () => `/api/rounds/${round}/export/wide?sep=pipe`, 400],
      ["unknown round", () => `/api/rounds/nope/export/wide`, 404],
      ["results for an unknown unit", () => `/api/rounds/${round}/export/results?unit=2025:nope`, 404],
    ];
    it.skipIf(skip).each(cases)("%s", async (_name, url, status) => {
      const res = await server.api(url());
      expect(res.status).toBe(status);
      expect(res.body.error.message_vi).toBeTruthy();
      expect(res.body.error.message_en).toBeTruthy();
    });
  });

  it.skipIf(skip)("streams: first bytes at once, submissions go through while a slow reader holds the export, a reader may leave", async () => {
    const big = await server.createRound("sipas-2022");
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, big))!, 1500, 5);
    const started = performance.now();
    const res = await fetch(`${server.url}/api/rounds/${big}/export/long?format=csv`, { headers: server.defaultHeaders });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    // Generous: the export worker's first start takes 1–3 s on a loaded machine; a server that
    // formatted the whole export before its first byte would take far longer at this size.
    expect(performance.now() - started).toBeLessThan(5000);
    // Stop reading: the server fills its buffers and waits. A submission must not wait for it.
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    const submitted = await server.api(`/api/rounds/${big}/responses`, {
      json: makeSubmission(sipas, demoUnits(server.ctx, "village")[0]!, "citizen", seededRng(3), { id: randomUUID() }),
    });
    expect(submitted.status).toBe(201);
    expect(performance.now() - t0).toBeLessThan(5000);
    let bytes = first.value!.byteLength;
    let lines = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      bytes += chunk.value.byteLength;
      for (const b of chunk.value) if (b === 0x0a) lines++;
    }
    expect(bytes).toBeGreaterThan(1_000_000);
    expect(lines).toBeGreaterThan(1500 * 40);

    // A reader that goes away mid-stream: the server stops and stays healthy.
    const aborted = new AbortController();
    const partial = await fetch(`${server.url}/api/rounds/${big}/export/wide?format=xlsx`, { signal: aborted.signal, headers: server.defaultHeaders });
    await partial.body!.getReader().read();
    aborted.abort();
    await new Promise((r) => setTimeout(r, 200));
    expect((await server.api("/api/health")).status).toBe(200);
  });

  it.skipIf(skip || dialect !== "sqlite")("the command line writes the same export to a file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-export-"));
    const env = { ...process.env, CHISO_DB: server.ctx.db.sqlite!.name, DATABASE_URL: "" };
    const chiso = async (...args: string[]) => {
      let stderr = "";
      const sink = new Writable({ write: (chunk, _e, done) => ((stderr += String(chunk)), done()) });
      const code = await main(args, { stdin: new PassThrough(), stdout: sink, stderr: sink }, env);
      return { code, stderr };
    };
    const out = path.join(dir, "wide.csv");
    expect(
      (await chiso("export", "--round", round, "--layout", "wide", "--format", "csv", "--sep", "semicolon", "--decimal", "comma", "--out", out)).code,
    ).toBe(0);
    const viaHttp = (await get(`/api/rounds/${round}/export/wide?format=csv&sep=semicolon&decimal=comma`)).buffer;
    expect(fs.readFileSync(out)).toEqual(viaHttp);
    const xlsx = path.join(dir, "results.xlsx");
    expect((await chiso("export", "--round", round, "--layout", "results", "--out", xlsx)).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    const values = workbook.worksheets[0]!.getColumn(1).values;
    expect(values[values.indexOf("Mã") + 1]).toBe("SIPAS");
    const missing = await chiso("export", "--round", "nope", "--out", path.join(dir, "x.csv"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Survey round not found.");
    expect(fs.existsSync(path.join(dir, "x.csv"))).toBe(false);
    expect((await chiso("export")).code).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
