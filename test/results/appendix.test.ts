/**
 * Results downloads as report appendices, over real HTTP on SQLite and PostgreSQL, read back with
 * exceljs and a CSV parser: title rows, Vietnamese headers (English on request), values rounded to
 * the index's decimals (full precision on request), outline levels and indentation, print setup,
 * reasons beside missing values, the ranking appendix with by=, node=, cols= and peers=, file names,
 * refused parameters, and the command line. The PDF test renders with LibreOffice when installed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { addDemoResponses, DEMO_PROVINCE } from "../../server/demo/seed.js";
import { findRound } from "../../server/rounds/repository.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { demoUnits } from "../helpers/responses.js";
import { parseCsv, randomSubmissions, submitAll } from "./fixtures.js";
import { main } from "../../server/cli.js";
import { nodeMap, walk } from "../../shared/results/tree.js";
import type { RankingResponse, ResultNode, ResultsResponse } from "../../shared/results/types.js";

/** An appendix CSV cut into its parts: title lines, header, data rows (up to the blank line), notes. */
function appendixCsv(text: string, sep: string) {
  const lines = parseCsv(text.replace(/^\uFEFF/, ""), sep);
  const blank = (r: string[]) => r.every((c) => c === "");
  const firstBlank = lines.findIndex(blank);
  const titles = new Map(lines.slice(1, firstBlank).map((r) => [r[0]!, r[1]!]));
  const header = lines[firstBlank + 1]!;
  const rest = lines.slice(firstBlank + 2);
  const end = rest.findIndex(blank);
  const rows = end === -1 ? rest : rest.slice(0, end);
  const notes = end === -1 ? [] : rest.slice(end + 1).map((r) => r[0]!);
  return { title: lines[0]![0]!, titles, header, rows, notes };
}

/** The cells of a worksheet as plain values, row by row (1-based rows kept as index + 1). */
function sheetValues(sheet: ExcelJS.Worksheet): unknown[][] {
  const out: unknown[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const values: unknown[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) {
      const v = row.getCell(c).value;
      values.push(v && typeof v === "object" && "richText" in v ? v.richText.map((t) => t.text).join("") : v);
    }
    out.push(values);
  }
  return out;
}

const round2 = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 100) / 100);
const decimalsOf = (v: number) => (String(v).split(".")[1] ?? "").length;

describe.each(DIALECTS)("report appendices on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let server: TestServer;
  let round: string;
  let commune: string;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(dialect);
    await server.authenticate("admin");
    round = await server.createRound("sipas-2022");
    // Ten communes with enough responses, one below the minimum of 5, the others none.
    const sipas = (await latestEdition(server.ctx.db.kysely, "sipas-2022"))!.instrument;
    const byCommune = new Map<string, string[]>();
    for (const village of demoUnits(server.ctx, "village")) {
      const key = server.ctx.units.ancestorAt(village, "commune")!.key;
      byCommune.set(key, [...(byCommune.get(key) ?? []), village]);
    }
    const communes = [...byCommune.keys()];
    expect(communes.length).toBeGreaterThan(11);
    await submitAll(server, round, [
      ...randomSubmissions(
        sipas,
        communes.slice(0, 10).flatMap((c) => byCommune.get(c)!),
        ["citizen", "organisation"],
        240,
        7,
      ),
      ...randomSubmissions(sipas, byCommune.get(communes[10]!)!, ["citizen"], 3, 8),
    ]);
    const ranked = (await server.api(`/api/rounds/${round}/results?by=commune`)).body as ResultsResponse;
    commune = ranked.rows!.find((r) => !r.suppressed && r.root.rank! > 1)!.unit!.key;
  });
  afterAll(async () => {
    if (!skip) await server.close();
  });

  const get = async (url: string) => {
    const res = await fetch(server.url + url, { headers: server.defaultHeaders });
    return { res, buffer: Buffer.from(await res.arrayBuffer()) };
  };
  const workbook = async (url: string) => {
    const { res, buffer } = await get(url);
    expect(res.status, url).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    return { res, wb, sheet: wb.worksheets[0]! };
  };

  it.skipIf(skip)("a commune's workbook: title rows, Vietnamese headers, rounded values and the rank as on screen, outlines, print setup", async () => {
    const api = (await server.api(`/api/rounds/${round}/results?unit=${commune}&rank=1`)).body as ResultsResponse;
    const { res, sheet } = await workbook(`/api/rounds/${round}/export/results?format=xlsx&unit=${commune}&rank=1`);
    const values = sheetValues(sheet);
    const unit = server.ctx.units.getCached(commune)!;
    expect(String(values[0]![0])).toBe(
      `Phụ lục: Kết quả ${"Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước (SIPAS) năm 2022"} — ${unit.fullName}`,
    );
    const titles = values
      .slice(1)
      .map((r) => String(r[0] ?? ""))
      .filter((t) => t.includes(": "));
    const title = (label: string) => titles.find((t) => t.startsWith(`${label}: `))?.slice(label.length + 2);
    expect(title("Đợt khảo sát")).toBe(`Đợt thử ${round} (${round})`);
    expect(title("Đơn vị")).toBe(unit.fullName);
    expect(title("Nhóm người trả lời")).toBe("Tất cả nhóm");
    expect(title("Danh mục đơn vị")).toBe("Từ 01/7/2025 (34 tỉnh, không cấp huyện) — 2025");
    expect(title("Cách tính")).toBe("Mặc định của chỉ số; SIPAS: trung bình cộng của 9 tiêu chí");
    expect(title("Số phiếu")).toBe(String(api.responses));
    expect(title("Xếp hạng chung")).toBe(`${api.root.rank}/${api.root.of}`);
    expect(title("Lập ngày")).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(UTC\+7\)$/);

    const headerRow = values.findIndex((r) => r[0] === "Mã") + 1;
    expect(headerRow).toBeGreaterThan(10);
    const header = values[headerRow - 1]!;
    expect(header.slice(0, 7)).toEqual(["Mã", "Tiêu chí / nội dung", "Cấp", "Tỷ lệ (%)", "Xếp hạng", "Trên số đơn vị", "Số câu trả lời hợp lệ"]);
    const nodes: Array<{ node: ResultNode; depth: number }> = [];
    walk<ResultNode>(api.root, (node, depth) => nodes.push({ node, depth }));
    nodes.forEach(({ node, depth }, i) => {
      const row = sheet.getRow(headerRow + 1 + i);
      expect(row.getCell(1).value).toBe(node.code);
      expect(row.getCell(2).value).toBe(node.label.vi);
      expect(row.getCell(3).value).toBe({ 0: "Chỉ số", 1: "Nhóm tiêu chí", 2: "Tiêu chí", 3: "Tiêu chí thành phần" }[depth]);
      expect(row.getCell(4).value, node.code).toBe(round2(node.percent));
      expect(row.getCell(4).numFmt).toBe("0.00");
      expect(row.getCell(5).value, node.code).toBe(node.rank);
      expect(row.getCell(6).value).toBe(node.of);
      // The hierarchy is a style and an outline level, not leading spaces.
      expect(row.outlineLevel ?? 0).toBe(depth);
      expect(row.getCell(2).alignment?.indent ?? 0).toBe(depth);
      expect(String(row.getCell(2).value)).not.toMatch(/^\s/);
    });
    expect(sheet.rowCount).toBeGreaterThanOrEqual(headerRow + nodes.length);

    expect(sheet.pageSetup).toMatchObject({
      orientation: "landscape",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      paperSize: 9,
      printTitlesRow: `${headerRow}:${headerRow}`,
    });
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: headerRow });

    const disposition = res.headers.get("content-disposition")!;
    expect(disposition).toMatch(
      new RegExp(
        `filename="${round}_ket-qua_${unit.fullName
          .normalize("NFD")
          .replace(/[\u0300-\u036f]/g, "")
          .replace(/đ/g, "d")
          .replace(/Đ/g, "D")
          .replace(/[^A-Za-z0-9._-]+/g, "-")}\\.xlsx"`,
      ),
    );
    const star = /filename\*=UTF-8''([^;]+)/.exec(disposition)![1]!;
    expect(star).not.toMatch(/['()*]/);
    expect(decodeURIComponent(star)).toBe(`${round} - kết quả - ${unit.fullName}.xlsx`);
  });

  it.skipIf(skip)("CSV: title rows, values rounded to the index's decimals with a decimal comma, full precision on request, English on request", async () => {
    const api = (await server.api(`/api/rounds/${round}/results?unit=${commune}&group=citizen`)).body as ResultsResponse;
    const nodes = nodeMap(api.root);
    const csv = appendixCsv(
      (await get(`/api/rounds/${round}/export/results?format=csv&unit=${commune}&group=citizen&sep=semicolon&decimal=comma`)).buffer.toString("utf8"),
      ";",
    );
    expect(csv.titles.get("Nhóm người trả lời")).toBe("Người dân");
    expect(csv.titles.get("Giá trị")).toBe("tỷ lệ %, làm tròn 2 chữ số thập phân");
    expect(csv.header.slice(0, 4)).toEqual(["Mã", "Tiêu chí / nội dung", "Cấp", "Tỷ lệ (%)"]);
    expect(csv.rows.length).toBe(nodes.size);
    let fractional = 0;
    for (const row of csv.rows) {
      const node = nodes.get(row[0]!)!;
      if (node.percent === null) continue;
      const cell = row[3]!;
      expect(cell, node.code).toMatch(/^\d+(,\d{1,2})?$/);
      expect(Number(cell.replace(",", "."))).toBe(round2(node.percent));
      if (cell.includes(",")) fractional++;
    }
    expect(fractional).toBeGreaterThan(5);
    expect(csv.notes[0]).toMatch(/dưới 5 phiếu/);

    const full = appendixCsv(
      (await get(`/api/rounds/${round}/export/results?format=csv&unit=${commune}&group=citizen&precision=full&lang=en`)).buffer.toString("utf8"),
      ",",
    );
    expect(full.header.slice(0, 4)).toEqual(["Code", "Criterion", "Level", "Percent"]);
    expect(full.titles.get("Respondent group")).toBe("Citizens");
    expect(full.titles.get("Values")).toBe("percent, full precision");
    const precise = full.rows.filter((r) => r[3] && decimalsOf(Number(r[3])) > 2);
    expect(precise.length).toBeGreaterThan(5);
    for (const row of full.rows) if (row[3]) expect(Number(row[3])).toBeCloseTo(nodes.get(row[0]!)!.percent!, 9);
    expect(full.rows[0]![1]).toBe(api.root.label.en);

    // titles=0: the header is the first line, as a script reads a table.
    const bare = parseCsv((await get(`/api/rounds/${round}/export/results?format=csv&unit=${commune}&titles=0`)).buffer.toString("utf8").slice(1), ",");
    expect(bare[0]![0]).toBe("Mã");
    expect(bare.length).toBe(nodes.size + 1);
  });

  it.skipIf(skip)("previous year and targets: the columns say points or percent; a suppressed unit says why on every row", async () => {
    const earlier = await server.createRound("sipas-2022");
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, earlier))!, 200, 8);
    await server.api(`/api/rounds/${round}/targets`, { method: "PUT", json: { targets: [{ kind: "value", node: "SIPAS", value: 85 }] } });
    const api = (await server.api(`/api/rounds/${round}/results?compare=${earlier}`)).body as ResultsResponse;
    const csv = appendixCsv((await get(`/api/rounds/${round}/export/results?format=csv&compare=${earlier}`)).buffer.toString("utf8"), ",");
    expect(csv.titles.get("So với đợt")).toBe(`Đợt thử ${earlier} (${earlier})`);
    const col = (label: string) => csv.header.indexOf(label);
    expect(col("Năm trước (%)")).toBeGreaterThan(0);
    expect(col("Tăng/giảm (điểm %)")).toBeGreaterThan(0);
    expect(col("Mục tiêu (%)")).toBeGreaterThan(0);
    const root = csv.rows[0]!;
    expect(Number(root[col("Năm trước (%)")])).toBe(round2(api.root.previous!.value));
    expect(Number(root[col("Tăng/giảm (điểm %)")])).toBe(round2(api.root.delta!.value));
    expect(Number(root[col("Mục tiêu (%)")])).toBe(85);
    await server.api(`/api/rounds/${round}/targets`, { method: "PUT", json: { targets: [] } });

    // The ranking with the previous year: last year's total, its change, last year's rank and places gained.
    const rows = ((await server.api(`/api/rounds/${round}/results?by=commune&compare=${earlier}`)).body as ResultsResponse).rows!;
    const table = appendixCsv((await get(`/api/rounds/${round}/export/results?format=csv&by=commune&compare=${earlier}`)).buffer.toString("utf8"), ",");
    const at = (h: string) => table.header.indexOf(h);
    for (const h of ["SIPAS năm trước (%)", "Tăng/giảm (điểm %)", "Hạng năm trước", "Bậc tăng/giảm"]) expect(at(h), h).toBeGreaterThan(0);
    let compared = 0;
    for (const r of rows) {
      const line = table.rows.find((l) => l[1] === r.unit!.code)!;
      const cell = (h: string) => (line[at(h)] === "" ? null : Number(line[at(h)]));
      expect(cell("SIPAS năm trước (%)"), r.unit!.code).toBe(round2(r.root.previous?.value));
      expect(cell("Bậc tăng/giảm"), r.unit!.code).toBe(r.root.delta?.rank ?? null);
      if (r.root.delta?.rank !== null && r.root.delta?.rank !== undefined) compared++;
    }
    expect(compared).toBeGreaterThan(3);

    const ranked = (await server.api(`/api/rounds/${round}/results?by=commune`)).body as ResultsResponse;
    const small = ranked.rows!.find((r) => r.suppressed);
    if (!small) throw new Error("the demo round should have a commune under 5 responses");
    const hidden = appendixCsv((await get(`/api/rounds/${round}/export/results?format=csv&unit=${small.unit!.key}`)).buffer.toString("utf8"), ",");
    const note = hidden.header.indexOf("Ghi chú");
    expect(note).toBe(hidden.header.length - 1);
    for (const row of hidden.rows) {
      expect(row[3], row[0]).toBe("");
      expect(row[note]).toBe(`Ẩn: ${small.responses} phiếu, dưới mức tối thiểu 5 phiếu`);
    }
  });

  it.skipIf(skip)("the ranking appendix: the communes of the province by component with ranks, units without responses, sorted by a node", async () => {
    const api = (await server.api(`/api/rounds/${round}/results?unit=${DEMO_PROVINCE}&by=commune`)).body as ResultsResponse;
    const ranking = (await server.api(`/api/rounds/${round}/results/ranking?unit=${DEMO_PROVINCE}&level=commune&node=II.3`)).body as RankingResponse;
    const { res, sheet } = await workbook(`/api/rounds/${round}/export/results?format=xlsx&unit=${DEMO_PROVINCE}&by=commune&node=II.3`);
    expect(decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(res.headers.get("content-disposition")!)![1]!)).toBe(
      `${round} - kết quả - Thành phố Huế - theo xã, phường.xlsx`,
    );
    const values = sheetValues(sheet);
    expect(String(values[0]![0])).toMatch(/của các xã, phường — Thành phố Huế$/);
    const headerRow = values.findIndex((r) => r[0] === "STT");
    const header = values[headerRow] as string[];
    expect(header.slice(0, 4)).toEqual(["STT", "Mã đơn vị", "Xã, phường", "Số phiếu"]);
    const components: string[] = [];
    walk(api.root, (n) => {
      if (n.level === "component") components.push(n.code);
    });
    expect(components).toHaveLength(9);
    for (const code of [...components, "SIPAS"]) {
      expect(
        header.some((h) => h?.startsWith(`${code} `)),
        code,
      ).toBe(true);
      expect(header).toContain(`Hạng ${code}`);
    }
    expect(sheet.pageSetup).toMatchObject({ orientation: "landscape", fitToWidth: 1, printTitlesRow: `${headerRow + 1}:${headerRow + 1}` });

    const rows = values.slice(headerRow + 1).filter((r) => typeof r[0] === "number");
    const communes = server.ctx.units.childrenOf(DEMO_PROVINCE).filter((u) => u.level === "commune");
    // Every commune of the province is a row, with or without responses.
    expect(rows.length).toBe(communes.length);
    expect(rows.length).toBeGreaterThan(api.rows!.length);
    const byCode = new Map(rows.map((r) => [r[1], r]));
    const col = (h: string) => header.indexOf(h);
    for (const row of ranking.rows) {
      const r = byCode.get(row.unit.code)!;
      expect(r[col("Số phiếu")]).toBe(row.responses);
      expect(r[col("Hạng II.3")], row.unit.code).toBe(row.rank);
      expect(r[header.findIndex((h) => h?.startsWith("II.3 "))]).toBe(round2(row.value));
      if (row.suppressed) expect(String(r[col("Ghi chú")])).toMatch(/^Ẩn: \d phiếu/);
    }
    const empty = rows.filter((r) => r[col("Số phiếu")] === 0);
    expect(empty.length).toBe(communes.length - api.rows!.length);
    for (const r of empty) expect(r[col("Ghi chú")]).toBe("Không có phiếu");
    // Ordered by rank at II.3, unranked rows last.
    const ranks = rows.map((r) => r[col("Hạng II.3")] as number | null);
    const ranked = ranks.filter((r) => r !== null) as number[];
    expect(ranked).toEqual([...ranked].sort((a, b) => a - b));
    expect(ranks.slice(0, ranked.length).every((r) => r !== null)).toBe(true);
    expect(rows.map((r) => r[0])).toEqual(rows.map((_, i) => i + 1));

    // cols=item: one column per sub-criterion instead.
    const items = appendixCsv(
      (await get(`/api/rounds/${round}/export/results?format=csv&unit=${DEMO_PROVINCE}&by=commune&cols=item`)).buffer.toString("utf8"),
      ",",
    );
    expect(items.header.filter((h) => h.startsWith("Hạng ")).length).toBe(33 + 1);
    expect(items.titles.get("Cột")).toBe("Tiêu chí thành phần và SIPAS");
    // Ordered by a node of another level: it is a column too.
    const groups = appendixCsv(
      (await get(`/api/rounds/${round}/export/results?format=csv&unit=${DEMO_PROVINCE}&by=commune&cols=group&node=II.3`)).buffer.toString("utf8"),
      ",",
    );
    expect(groups.header.filter((h) => h.startsWith("Hạng "))).toEqual(["Hạng I", "Hạng II", "Hạng II.3", "Hạng SIPAS"]);
  });

  it.skipIf(skip)("the provinces of a region: a peer group's members ranked among themselves; respondent groups side by side", async () => {
    const members = ["2025:46", "2025:48", "2025:51"];
    const put = await server.api("/api/peer-groups/vung-phu-luc", {
      method: "PUT",
      json: { label: { vi: "Vùng thử", en: "Test region" }, registry: "2025", members },
    });
    expect(put.status).toBe(200);
    const csv = appendixCsv((await get(`/api/rounds/${round}/export/results?format=csv&by=province&peers=vung-phu-luc`)).buffer.toString("utf8"), ",");
    expect(csv.title).toMatch(/của các tỉnh, thành phố \(Vùng thử\)$/);
    expect(csv.titles.get("Nhóm so sánh")).toBe("Vùng thử (3)");
    // The round covers one province: it is the only member with responses; the other two are rows without any.
    expect(csv.rows.map((r) => r[1]).sort()).toEqual(["46", "48", "51"]);
    const col = (h: string) => csv.header.indexOf(h);
    const hue = csv.rows.find((r) => r[1] === "46")!;
    expect(hue[col("Hạng SIPAS")]).toBe("1");
    expect(hue[col("Hạng SIPAS trong tất cả đơn vị")]).toBe("1");
    for (const r of csv.rows.filter((r) => r[1] !== "46")) expect(r[col("Ghi chú")]).toBe("Không có phiếu");

    const groups = appendixCsv((await get(`/api/rounds/${round}/export/results?format=csv&by=group&lang=en`)).buffer.toString("utf8"), ",");
    expect(groups.header.slice(0, 4)).toEqual(["No.", "Group code", "Respondent group", "Responses"]);
    expect(groups.rows.map((r) => r[2]).sort()).toEqual(["Citizens", "Organisations"]);
  });

  describe("parameters that do not apply are refused by name", () => {
    const cases: Array<[string, () => string, string]> = [
      ["labels on results (headers follow lang)", () => `/api/rounds/${round}/export/results?labels=vi`, "labels"],
      ["rank with a breakdown", () => `/api/rounds/${round}/export/results?unit=${DEMO_PROVINCE}&by=commune&rank=1`, "rank"],
      ["rank without a unit", () => `/api/rounds/${round}/export/results?rank=1`, "rank"],
      ["cols without by", () => `/api/rounds/${round}/export/results?cols=item`, "cols"],
      ["node without by", () => `/api/rounds/${round}/export/results?node=II.3`, "node"],
      ["an index level the index lacks", () => `/api/rounds/${round}/export/results?by=commune&cols=dimension`, "cols"],
      ["a node the index lacks", () => `/api/rounds/${round}/export/results?by=commune&node=IX.9`, "node"],
      ["a breakdown level that does not exist", () => `/api/rounds/${round}/export/results?by=hamlet`, "by"],
      ["peers with groups", () => `/api/rounds/${round}/export/results?by=group&peers=vung-phu-luc`, "peers"],
      ["lang on a raw layout", () => `/api/rounds/${round}/export/wide?lang=en`, "lang"],
      ["unit on the codebook", () => `/api/rounds/${round}/export/codebook?unit=${DEMO_PROVINCE}`, "unit"],
      ["by on a raw layout", () => `/api/rounds/${round}/export/long?by=commune`, "by"],
      ["sep with XLSX", () => `/api/rounds/${round}/export/results?format=xlsx&sep=semicolon`, "sep"],
      ["titles with JSON", () => `/api/rounds/${round}/export/results?format=json&titles=0`, "titles"],
      ["an unknown precision", () => `/api/rounds/${round}/export/results?precision=exact`, "precision"],
    ];
    it.skipIf(skip).each(cases)("%s", async (_name, url, named) => {
      const res = await server.api(url());
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message_vi).toContain(named);
      expect(res.body.error.message_en).toContain(named);
      expect(res.body.error.message_vi).toBe(res.body.error.message_vi.normalize("NFC"));
    });
  });

  it.skipIf(skip || dialect !== "sqlite")("the command line asks for the same appendices: breakdowns, ranks, precision", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-appendix-"));
    const env = { ...process.env, CHISO_DB: server.ctx.db.sqlite!.name, DATABASE_URL: "" };
    const chiso = async (...args: string[]) => {
      let stderr = "";
      const sink = new Writable({ write: (chunk, _e, done) => ((stderr += String(chunk)), done()) });
      const code = await main(args, { stdin: new PassThrough(), stdout: sink, stderr: sink }, env);
      return { code, stderr };
    };
    const same = async (args: string[], query: string) => {
      const out = path.join(dir, `${args.join("_").replace(/[^a-z0-9]+/gi, "-")}.csv`);
      const run = await chiso("export", "--round", round, "--layout", "results", "--titles", "0", ...args, "--out", out);
      expect(run.code, run.stderr).toBe(0);
      expect(fs.readFileSync(out).toString("utf8"), query).toBe(
        (await get(`/api/rounds/${round}/export/results?format=csv&titles=0&${query}`)).buffer.toString("utf8"),
      );
    };
    await same(["--unit", commune, "--rank"], `unit=${commune}&rank=1`);
    await same(["--unit", DEMO_PROVINCE, "--by", "commune", "--node", "II.3", "--cols", "group"], `unit=${DEMO_PROVINCE}&by=commune&node=II.3&cols=group`);
    await same(
      ["--by", "group", "--precision", "full", "--lang", "en", "--sep", "semicolon", "--decimal", "comma"],
      "by=group&precision=full&lang=en&sep=semicolon&decimal=comma",
    );
    const refused = await chiso("export", "--round", round, "--layout", "results", "--rank", "--by", "commune", "--out", path.join(dir, "x.csv"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("rank");
    expect(fs.existsSync(path.join(dir, "x.csv"))).toBe(false);
    const bad = await chiso("export", "--round", round, "--layout", "results", "--precision", "exact");
    expect(bad.code).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/** LibreOffice on the machine (Debian's libreoffice-calc), for rendering workbooks as they print. */
function findOffice(): string | null {
  for (const bin of ["soffice", "libreoffice"]) {
    try {
      execFileSync("which", [bin], { stdio: "pipe" });
      execFileSync("which", ["pdfinfo"], { stdio: "pipe" });
      execFileSync("which", ["pdftotext"], { stdio: "pipe" });
      return bin;
    } catch {
      // not this one
    }
  }
  return null;
}
const office = findOffice();
if (!office) console.warn("LibreOffice (soffice) or poppler-utils (pdfinfo, pdftotext) is not installed: the appendix print test is skipped.");

describe("appendices as they print (LibreOffice → PDF)", () => {
  let server: TestServer;
  let round: string;
  let papi: string;
  let dir: string;

  beforeAll(async () => {
    if (!office) return;
    server = await startTestServer("sqlite");
    await server.authenticate("admin");
    round = await server.createRound("sipas-2022");
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, round))!, 300, 11);
    papi = await server.createRound("papi-2022");
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, papi))!, 300, 12);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-print-"));
  });
  afterAll(async () => {
    if (!office) return;
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Renders a download to PDF; gives its pages' size and text. */
  const render = async (name: string, url: string) => {
    const res = await fetch(server.url + url, { headers: server.defaultHeaders });
    expect(res.status).toBe(200);
    const file = path.join(dir, `${name}.xlsx`);
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    execFileSync(office!, ["--headless", `-env:UserInstallation=file://${dir}/profile`, "--convert-to", "pdf", "--outdir", dir, file], {
      stdio: "pipe",
      timeout: 120_000,
    });
    const pdf = path.join(dir, `${name}.pdf`);
    const info = execFileSync("pdfinfo", [pdf]).toString();
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    const [w, h] = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(info)!.slice(1).map(Number) as [number, number];
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const headers = sheetValues(wb.worksheets[0]!).find((r) => r[0] === "Mã" || r[0] === "STT")!;
    const lastWord = String(headers[headers.length - 1])
      .split(" ")
      .at(-1)!;
    const text = Array.from({ length: pages }, (_, i) => execFileSync("pdftotext", ["-f", String(i + 1), "-l", String(i + 1), "-layout", pdf, "-"]).toString());
    return { pages, w, h, text, first: String(headers[0]), last: lastWord };
  };

  it.skipIf(!office)("one page wide, landscape A4, the header row on every page", { timeout: 240_000 }, async () => {
    const unit = (await server.api(`/api/rounds/${round}/results?by=commune`)).body.rows[0].unit.key as string;
    const cases = [
      { name: "sipas-commune", url: `/api/rounds/${round}/export/results?format=xlsx&unit=${unit}&rank=1`, maxPages: 3 },
      { name: "papi-round", url: `/api/rounds/${papi}/export/results?format=xlsx`, maxPages: 7 },
      { name: "sipas-communes", url: `/api/rounds/${round}/export/results?format=xlsx&by=commune`, maxPages: 2 },
    ];
    for (const c of cases) {
      const pdf = await render(c.name, c.url);
      // Landscape A4 (842 × 595 points).
      expect(Math.round(pdf.w), c.name).toBe(842);
      expect(Math.round(pdf.h), c.name).toBe(595);
      expect(pdf.pages, c.name).toBeLessThanOrEqual(c.maxPages);
      // One page wide: every page holds the first and the last column's header (repeated rows), and page numbers.
      pdf.text.forEach((page, i) => {
        expect(page, `${c.name} page ${i + 1}`).toContain(pdf.first);
        expect(page, `${c.name} page ${i + 1}`).toContain(pdf.last);
        expect(page, `${c.name} page ${i + 1}`).toContain(`Trang ${i + 1}/${pdf.pages}`);
      });
      expect(pdf.text[0], c.name).toContain("Phụ lục: Kết quả");
    }
  });
});
