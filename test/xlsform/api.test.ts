/**
 * XLSForm through the real server and the command line: a team's workbook is refused with every
 * problem at its sheet, row and column until it is right, then imported with its index tree,
 * collected into and scored; editions download as workbooks that import back unchanged; only
 * administrators may do either.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../server/cli.js";
import { REPO_ROOT } from "../../server/config.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { readWorkbook } from "../../server/xlsform/workbook-file.js";
import { importXlsform } from "../../shared/xlsform/import.js";
import { InstrumentSchema } from "../../shared/instrument/schema.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { DIALECTS, postgresAvailable } from "../helpers/databases.js";
import { demoUnits } from "../helpers/responses.js";
import { xlsx } from "./build.js";
import { DRAFT, FIXED, INDEX } from "./team-form.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function form(workbook: Buffer, fileName: string, index?: unknown): FormData {
  const data = new FormData();
  data.append("file", new Blob([new Uint8Array(workbook)], { type: XLSX }), fileName);
  if (index !== undefined) data.append("index", new Blob([JSON.stringify(index)], { type: "application/json" }), "index.json");
  return data;
}

for (const dialect of DIALECTS)
  describe.skipIf(dialect === "postgres" && !postgresAvailable)(`XLSForm API on ${dialect}`, () => {
    let server: TestServer;
    let admin: Record<string, string>;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      admin = await server.authenticate("admin");
    });
    afterAll(async () => server?.close());

    const post = (body: BodyInit, query = "", headers: Record<string, string> = admin) =>
      fetch(`${server.url}/api/xlsform${query}`, { method: "POST", body, headers });

    it("refuses the draft with every problem placed, then imports the corrected form and scores it once the index is attached", async () => {
      const draft = await post(form(await xlsx(DRAFT), "nuoc-sach.xlsx"));
      expect(draft.status).toBe(422);
      const problem = (await draft.json()) as {
        error: {
          code: string;
          message_vi: string;
          errors: Array<{ question: string; message_vi: string; message_en: string }>;
          detail: { issues: Array<{ sheet: string; row: number; column: string }> };
        };
      };
      expect(problem.error.code).toBe("invalid");
      expect(problem.error.message_vi).toMatch(/có 5 lỗi; chưa nhập gì/);
      expect(problem.error.errors.map((e) => e.question)).toEqual([
        "survey!H5 (relevant)",
        "survey!B6 (name)",
        "survey!I7 (constraint)",
        "survey!A9 (type)",
        "choices!C7 (label::Tiếng Việt (vi))",
      ]);
      expect(problem.error.errors[0]!.message_en).toMatch(/text values need quotes/);
      expect(problem.error.errors[1]!.message_vi).toMatch(/Tên “TT_Nhanh” không hợp lệ/);
      expect(problem.error.detail.issues[0]).toMatchObject({ sheet: "survey", row: 5, column: "relevant" });
      expect(await latestEdition(server.ctx.db.kysely, "nuoc-sach-2026")).toBeNull();

      // Checking only stores nothing.
      const checked = await post(form(await xlsx(FIXED), "nuoc-sach.xlsx"), "?check=1");
      expect(checked.status).toBe(200);
      expect(await checked.json()).toMatchObject({ id: "nuoc-sach-2026", checked: true });
      expect(await latestEdition(server.ctx.db.kysely, "nuoc-sach-2026")).toBeNull();

      // An index that names a question the form does not have is refused with the form.
      const badIndex = structuredClone(INDEX);
      badIndex.root.children[0]!.children[0]!.question = "toc_do";
      const refusedIndex = await post(form(await xlsx(FIXED), "nuoc-sach.xlsx", badIndex));
      expect(refusedIndex.status).toBe(422);
      expect(JSON.stringify(await refusedIndex.json())).toMatch(/index\.json/);

      const created = await post(form(await xlsx(FIXED), "nuoc-sach.xlsx", INDEX));
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ id: "nuoc-sach-2026", version: "1.0.0", outcome: "imported", withIndex: true });
      const again = await post(form(await xlsx(FIXED), "nuoc-sach.xlsx", INDEX));
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ outcome: "unchanged" });

      const edition = (await latestEdition(server.ctx.db.kysely, "nuoc-sach-2026"))!;
      expect(edition.index?.root.code).toBe("NS");
      expect(edition.instrument.instanceName).toBe("concat('Hộ ', ${so_nguoi})");

      // Collect three responses and read the scores.
      const round = await server.createRound("nuoc-sach-2026", { minCellSize: 1 });
      const unit = demoUnits(server.ctx, "village")[0]!;
      const answers = [
        { da_dung: "yes", so_nguoi: 4, tt_nhanh: "5", tt_lich_su: "4" },
        { da_dung: "yes", so_nguoi: 2, tt_nhanh: "2", tt_lich_su: "5" },
        { da_dung: "yes", so_nguoi: 6, tt_nhanh: "dk", tt_lich_su: "1" },
        { da_dung: "no", so_nguoi: 3 },
      ];
      for (const [i, a] of answers.entries()) {
        const res = await server.api(`/api/rounds/${round}/responses`, {
          json: {
            id: `00000000-0000-4000-8000-00000000000${i}`,
            instrument: { id: "nuoc-sach-2026", version: "1.0.0" },
            unit,
            group: "ho_dan",
            channel: "self",
            startedAt: "2026-11-01T08:00:00.000Z",
            submittedAt: "2026-11-01T08:10:00.000Z",
            answers: a,
          },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
      const results = await server.api(`/api/rounds/${round}/results`);
      expect(results.status).toBe(200);
      expect(results.body.responses).toBe(4);
      const nodes = new Map<string, { percent: number | null }>();
      const walk = (n: { code: string; percent: number | null; children?: unknown[] }) => {
        nodes.set(n.code, n);
        for (const c of (n.children ?? []) as Array<typeof n>) walk(c);
      };
      walk(results.body.root);
      // Fault repair: 1 satisfied of 2 valid ("don't know" is outside the scale); attitude: 2 of 3.
      expect(nodes.get("NS.1.1")!.percent).toBeCloseTo(50, 6);
      expect(nodes.get("NS.1.2")!.percent).toBeCloseTo(200 / 3, 6);
      expect(nodes.get("NS")!.percent).toBeCloseTo((50 + 200 / 3) / 2, 6);
    });

    it("accepts a raw .xlsx body too, and refuses what is not a workbook", async () => {
      const raw = await post(new Uint8Array(await xlsx(FIXED)), "?check=1&id=nuoc-sach-2027&version=2.0.0", { ...admin, "content-type": XLSX });
      expect(raw.status).toBe(200);
      expect(await raw.json()).toMatchObject({ id: "nuoc-sach-2027", version: "2.0.0" });
      const csv = await post("type,name\n", "", { ...admin, "content-type": XLSX });
      expect(csv.status).toBe(422);
      expect(((await csv.json()) as { error: { message_en: string } }).error.message_en).toMatch(/not an \.xlsx workbook/);
      const json = await post("{}", "", { ...admin, "content-type": "application/json" });
      expect(json.status).toBe(415);
    });

    it("downloads every 2022 edition as a workbook that imports back unchanged", async () => {
      for (const id of ["sipas-2022", "papi-2022", "par-leaders-2022", "par-index-2022"]) {
        const res = await fetch(`${server.url}/api/xlsform/${id}`, { headers: admin });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe(XLSX);
        expect(res.headers.get("content-disposition")).toMatch(new RegExp(`attachment; filename="${id}-\\d+\\.\\d+\\.\\d+\\.xlsx"`));
        const back = importXlsform(await readWorkbook(new Uint8Array(await res.arrayBuffer())), { defaultYear: 2026 });
        expect(back.ok).toBe(true);
        const stored = (await latestEdition(server.ctx.db.kysely, id))!;
        if (back.ok) expect(back.instrument).toStrictEqual(InstrumentSchema.parse(stored.instrument));
      }
      expect((await fetch(`${server.url}/api/xlsform/nope-2022`, { headers: admin })).status).toBe(404);
    });

    it("is for administrators only", async () => {
      const analyst = await server.signIn(
        ...(await (async () => {
          const u = await server.createUser("analyst");
          return [u.username, u.password] as const;
        })()),
      );
      expect((await fetch(`${server.url}/api/xlsform/sipas-2022`, { headers: analyst })).status).toBe(403);
      expect((await post(form(await xlsx(FIXED), "f.xlsx"), "", analyst)).status).toBe(403);
      expect((await fetch(`${server.url}/api/xlsform/sipas-2022`)).status).toBe(401);
    });
  });

describe("chiso xlsform import / export", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-xlsform-"));
  const env = { ...process.env, CHISO_DB: path.join(dir, "chiso.db") };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function chiso(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const sink = (add: (s: string) => void) => new Writable({ write: (chunk, _e, done) => (add(String(chunk)), done()) });
    const code = await main(args, { stdin: new PassThrough(), stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) }, env);
    return { code, stdout, stderr };
  }

  it("exports an edition folder, imports it into the database and exports it back from there", async () => {
    const out = path.join(dir, "leaders.xlsx");
    const exported = await chiso("xlsform", "export", path.join(REPO_ROOT, "surveys/par-leaders-2022"), "--out", out);
    expect(exported).toMatchObject({ code: 0, stdout: expect.stringContaining("par-leaders-2022 ") });
    const imported = await chiso("xlsform", "import", out, "--id", "leaders-copy-2022", "--index", path.join(REPO_ROOT, "surveys/par-leaders-2022/index.json"));
    // The index is bound to par-leaders-2022, so under another id it is refused and nothing is stored.
    expect(imported.code).toBe(1);
    expect(imported.stderr).toMatch(/index\.json instrument: .*bound to par-leaders-2022/);
    const plain = await chiso("xlsform", "import", out, "--id", "leaders-copy-2022");
    expect(plain).toMatchObject({ code: 0, stdout: expect.stringContaining("leaders-copy-2022 1.0.0: imported (no index") });
    const back = path.join(dir, "back.xlsx");
    expect((await chiso("xlsform", "export", "leaders-copy-2022", "--out", back)).code).toBe(0);
    const reread = importXlsform(await readWorkbook(fs.readFileSync(back)), { defaultYear: 2026 });
    const original = InstrumentSchema.parse(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "surveys/par-leaders-2022/instrument.json"), "utf8")));
    expect(reread.ok ? reread.instrument : reread.issues).toStrictEqual({ ...original, id: "leaders-copy-2022" });
  });

  it("lists every problem of a draft with its cell, in both languages, and imports nothing", async () => {
    const file = path.join(dir, "draft.xlsx");
    fs.writeFileSync(file, await xlsx(DRAFT));
    const run = await chiso("xlsform", "import", file, "--check");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lỗi: {3}Tệp XLSForm có 5 lỗi/m);
    expect(run.stderr).toContain("survey!B6 (name): Tên “TT_Nhanh” không hợp lệ");
    expect(run.stderr).toContain("choices!C7 (label::Tiếng Việt (vi)): Thiếu nhãn (label) của lựa chọn. / The option has no label.");
    const fixed = path.join(dir, "fixed.xlsx");
    fs.writeFileSync(fixed, await xlsx(FIXED));
    const written = await chiso("xlsform", "import", fixed, "--write", path.join(dir, "surveys"));
    expect(written.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "surveys/nuoc-sach-2026/instrument.json"), "utf8"))).toMatchObject({ id: "nuoc-sach-2026" });
    expect((await chiso("xlsform", "export", "sipas-2022", "--out", path.join(dir, "x.csv"))).code).toBe(2);
  });
});
