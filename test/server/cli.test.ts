/** The chiso command line, run as a user would: help, import, units, rounds, users, demo data. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../server/config.js";

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-cli-"));
const env = { ...process.env, CHISO_DB: path.join(dir, "chiso.db") };

async function chiso(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(REPO_ROOT, "bin/chiso.js"), ...args], { env, cwd: dir });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("chiso command line", () => {
  it("lists its commands", async () => {
    const { stdout, code } = await chiso("--help");
    expect(code).toBe(0);
    for (const command of ["serve", "migrate", "import", "units import", "round create", "demo", "user add"]) expect(stdout).toContain(command);
  });

  it("refuses an unknown command with the help text", async () => {
    const { stderr, code } = await chiso("frobnicate");
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command");
  });

  it("imports the questionnaires once, then reports them unchanged", async () => {
    const first = await chiso("import", path.join(REPO_ROOT, "surveys"));
    expect(first.stdout).toMatch(/sipas-2022 1\.0\.0: imported/);
    const second = await chiso("import", path.join(REPO_ROOT, "surveys"));
    expect(second.stdout).toMatch(/sipas-2022 1\.0\.0: unchanged/);
  });

  it("refuses a changed definition under a published version", async () => {
    const copy = path.join(dir, "surveys", "sipas-2022");
    fs.cpSync(path.join(REPO_ROOT, "surveys", "sipas-2022"), copy, { recursive: true });
    const file = path.join(copy, "instrument.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    json.title.vi += " (sửa)";
    fs.writeFileSync(file, JSON.stringify(json));
    const result = await chiso("import", copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/new version/);
  });

  it("adds villages from CSV, reporting bad rows by line", async () => {
    const bad = path.join(dir, "bad.csv");
    fs.writeFileSync(bad, "commune_code,village_code,name\n99999,01,Thôn Một\n");
    const refused = await chiso("units", "import", bad, "--kind", "village", "--registry", "2025");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/line 2/);
    const good = path.join(dir, "villages.csv");
    fs.writeFileSync(good, "\uFEFFcommune_code;village_code;name\n00004;01;Thôn Đông\n00004;02;\"Thôn Tây; xóm mới\"\n");
    const ok = await chiso("units", "import", good, "--kind", "village", "--registry", "2025");
    expect(ok.stdout).toMatch(/2 villages added/);
  });

  it("creates, lists, opens and fills a round; creates a user", async () => {
    const created = await chiso("round", "create", "--id", "sipas-ba-dinh", "--edition", "sipas-2022", "--title-vi", "SIPAS phường Ba Đình", "--title-en", "SIPAS Ba Dinh", "--registry", "2025", "--scope", "2025:00004", "--modes", "public,enumerator");
    expect(created.stdout).toMatch(/created round sipas-ba-dinh \(draft\)/);
    expect((await chiso("round", "open", "sipas-ba-dinh")).stdout).toMatch(/open/);
    const list = await chiso("round", "list");
    expect(list.stdout).toMatch(/sipas-ba-dinh\topen/);
    const demo = await chiso("demo", "--round", "sipas-ba-dinh", "--responses", "20");
    expect(demo.stdout).toMatch(/20 responses added/);
    const user = await chiso("user", "add", "dtv01", "--role", "enumerator", "--name", "Điều tra viên 01", "--scope", "2025:00004");
    expect(user.stdout).toMatch(/created dtv01 \(enumerator\) with password: \S+/);
    expect((await chiso("user", "list")).stdout).toMatch(/dtv01\tenumerator\tactive\tĐiều tra viên 01/);
    const missing = await chiso("round", "create", "--id", "x1y", "--edition", "sipas-2022");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing --title-vi/);
  });
});
