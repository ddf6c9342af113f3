/**
 * The chiso command line, called in-process through main(argv) with captured output on a real
 * SQLite file, plus real processes of bin/chiso.js for what only a process shows (exit status, a
 * closed pipe). Strict options (an unknown flag or bad value stops the command before it does
 * anything), --help everywhere, bilingual errors without codes or stack traces, read-only commands
 * that do not migrate, and CSV files in every encoding Excel saves.
 */
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../server/config.js";
import { main } from "../../server/cli.js";
import { PROBLEMS } from "../../shared/errors.js";
import { encodedFixtures, TCVN3_THON_PHU_LOC } from "../helpers/encodings.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-cli-"));
const dbFile = path.join(dir, "chiso.db");
const env = { ...process.env, CHISO_DB: dbFile, PORT: "0" };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  let text = "";
  return {
    stream: new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    text: () => text,
  };
}

/** main(argv) in this process, its output captured. */
async function chiso(args: string[], options: { db?: string } = {}): Promise<Run> {
  const stdout = collector();
  const stderr = collector();
  const code = await main(args, { stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream }, { ...env, CHISO_DB: options.db ?? dbFile });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const run = promisify(execFile);
/** bin/chiso.js as a real process. */
async function spawned(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(REPO_ROOT, "bin/chiso.js"), ...args], { env, cwd: dir });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Neither a problem code nor a stack trace: what a user sees is the message. */
function expectReadable(stderr: string): void {
  expect(stderr).not.toMatch(/\bat .+:\d+:\d+\)?$/m);
  for (const code of Object.keys(PROBLEMS).filter((c) => c.includes("_"))) expect(stderr).not.toContain(code);
}

const ROUND = [
  "round",
  "create",
  "--id",
  "sipas-ba-dinh",
  "--edition",
  "sipas-2022",
  "--title-vi",
  "SIPAS phường Ba Đình",
  "--title-en",
  "SIPAS Ba Dinh",
  "--scope",
  "2025:00004",
];

beforeAll(async () => {
  const migrated = await chiso(["migrate"]);
  expect(migrated.code, migrated.stderr).toBe(0);
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("chiso command line", () => {
  it("lists its commands (real process)", async () => {
    const listed = await spawned("--help");
    expect(listed.code).toBe(0);
    for (const command of ["serve", "migrate", "import", "units import", "round create", "round list", "demo", "user add", "export"])
      expect(listed.stdout).toContain(`chiso ${command}`);
  }, 120_000);

  it("refuses an unknown command with exit status 2", async () => {
    const unknown = await chiso(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command “frobnicate”");
    expect(unknown.stderr).toContain("Không có lệnh “frobnicate”");
  });

  it("imports the questionnaires once, then reports them unchanged", async () => {
    const first = await chiso(["import", path.join(REPO_ROOT, "surveys")]);
    expect(first.stdout).toMatch(/sipas-2022 1\.1\.0: imported/);
    const second = await chiso(["import", path.join(REPO_ROOT, "surveys")]);
    expect(second.stdout).toMatch(/sipas-2022 1\.1\.0: unchanged/);
  });

  it("refuses a changed definition under a published version", async () => {
    const copy = path.join(dir, "surveys", "sipas-2022");
    fs.cpSync(path.join(REPO_ROOT, "surveys", "sipas-2022"), copy, { recursive: true });
    const file = path.join(copy, "instrument.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    json.title.vi += " (sửa)";
    fs.writeFileSync(file, JSON.stringify(json));
    const result = await chiso(["import", copy]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/new version/);
  });

  it("adds villages from CSV, reporting bad rows by line", async () => {
    const bad = path.join(dir, "bad.csv");
    fs.writeFileSync(bad, "commune_code,village_code,name\n99999,01,Thôn Một\n");
    const refused = await chiso(["units", "import", bad, "--kind", "village", "--registry", "2025"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/line 2, commune_code: Không có xã mã 99999 .* \/ No commune with code 99999/);
    const good = path.join(dir, "villages.csv");
    fs.writeFileSync(good, '\uFEFFcommune_code;village_code;name\n00004;01;Thôn Đông\n00004;02;"Thôn Tây; xóm mới"\n');
    const ok = await chiso(["units", "import", good, "--kind", "village", "--registry", "2025"]);
    expect(ok.stdout).toMatch(/2 villages added/);
  });

  it("reads a village file in UTF-8, UTF-8 with BOM, UTF-16LE with BOM and Windows-1258 to the same names", async () => {
    const names = ["Thôn Phú Lộc", "Tổ dân phố Đồng Tâm", "Ấp Mỹ Hưng"];
    const csv = (i: number) => `commune_code;village_code;name\n${names.map((n, j) => `00004;E${i}${j};${n}`).join("\n")}\n`;
    for (let i = 0; i < 4; i++) {
      const [encoding, bytes] = encodedFixtures(csv(i))[i]!;
      const file = path.join(dir, `villages-${i}.csv`);
      fs.writeFileSync(file, bytes);
      const result = await chiso(["units", "import", file]);
      expect(result.stdout, `${encoding}: ${result.stderr}`).toMatch(/3 villages added/);
      const stored = query<{ name: string }>("select name from units where key like ? order by key", `2025:00004-E${i}%`).map((r) => r.name);
      expect(stored, encoding).toEqual(names);
    }
  });

  it("refuses a file it cannot decode surely, asks for “CSV UTF-8”, and stores nothing", async () => {
    const file = path.join(dir, "tcvn3.csv");
    fs.writeFileSync(file, Buffer.concat([Buffer.from("commune_code,village_code,name\n00004,X1,"), TCVN3_THON_PHU_LOC, Buffer.from("\n")]));
    const result = await chiso(["units", "import", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("line 2");
    expect(result.stderr).toContain("Trong Excel, chọn Lưu thành “CSV UTF-8”");
    expect(result.stderr).toContain("In Excel, save it as “CSV UTF-8”");
    expect(query("select key from units where key = ?", "2025:00004-X1")).toEqual([]);
  });

  it("creates, lists, opens and fills a round; creates a user", async () => {
    const created = await chiso([...ROUND, "--modes", "public,enumerator"]);
    expect(created.stdout, created.stderr).toMatch(/created round sipas-ba-dinh \(draft\)/);
    expect((await chiso(["round", "open", "sipas-ba-dinh"])).stdout).toMatch(/open/);
    const list = await chiso(["round", "list"]);
    expect(list.stdout).toMatch(/sipas-ba-dinh\topen/);
    const demo = await chiso(["demo", "--round", "sipas-ba-dinh", "--responses", "20"]);
    expect(demo.stdout).toMatch(/20 responses added/);
    const user = await chiso(["user", "add", "dtv01", "--role", "enumerator", "--name", "Điều tra viên 01", "--scope", "2025:00004"]);
    expect(user.stdout).toMatch(/created dtv01 \(enumerator\) with password: \S+/);
    expect((await chiso(["user", "list"])).stdout).toMatch(/dtv01\tenumerator\tactive\tĐiều tra viên 01/);
    // The generated password was printed, so it is temporary: the first sign-in must change it. A chosen one is not.
    expect(query<{ must_change_password: number }>("select must_change_password from users where username = 'dtv01'")[0]!.must_change_password).toBe(1);
    const chosen = await chiso(["user", "add", "dtv02", "--role", "enumerator", "--password", "Zebra-kettle-9-orbit-lamp"]);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(query<{ must_change_password: number }>("select must_change_password from users where username = 'dtv02'")[0]!.must_change_password).toBe(0);
    // The same checks as POST /api/rounds: a registry that exists, a scope inside it, the questionnaire's groups; nothing stored otherwise.
    for (const [extra, message] of [
      [["--registry", "1999"], "registry: Không có danh mục đơn vị “1999”. / There is no unit registry “1999”."],
      [["--registry", "2025", "--scope", "pre2025:30"], "scope.0:"],
      [["--groups", "citizen,alien"], "groups.1:"],
    ] as const) {
      const refused = await chiso(["round", "create", "--id", "bad-round", "--edition", "sipas-2022", "--title-vi", "a", "--title-en", "b", ...extra]);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toContain(message);
      expectReadable(refused.stderr);
      expect(query("select id from rounds where id = 'bad-round'")).toEqual([]);
    }
    const missing = await chiso(["round", "create", "--id", "x1y", "--edition", "sipas-2022"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/The option --title-vi is missing/);
  });

  describe("refuses unknown options and bad values, naming them, and does nothing", () => {
    const rounds = () => query<{ id: string; scope_json: string }>("select id, scope_json from rounds order by id");
    const responses = () => query<{ n: number }>("select count(*) as n from responses")[0]!.n;

    it("a misspelt --scope does not create a round open to the whole registry", async () => {
      const before = rounds();
      const result = await chiso([
        "round",
        "create",
        "--id",
        "open-to-all",
        "--edition",
        "sipas-2022",
        "--title-vi",
        "a",
        "--title-en",
        "b",
        "--scop",
        "2025:00004",
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("--scop");
      expect(result.stderr).toContain("“chiso round create” has no option --scop");
      expect(rounds()).toEqual(before);
    });

    it("a misspelt --format or an --out of another format writes no file", async () => {
      const xlsx = path.join(dir, "typo.xlsx.csv");
      const typo = await chiso(["export", "--round", "sipas-ba-dinh", "--fromat", "xlsx", "--out", xlsx]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain("--fromat");
      expect(fs.existsSync(xlsx)).toBe(false);
      const ndjson = path.join(dir, "x.ndjson");
      const contradicts = await chiso(["export", "--round", "sipas-ba-dinh", "--out", ndjson, "--format", "csv"]);
      expect(contradicts.code).toBe(2);
      expect(contradicts.stderr).toContain(`--out "${ndjson}" names a ndjson file, but --format is csv`);
      expect(fs.existsSync(ndjson)).toBe(false);
      const bad = await chiso(["export", "--round", "sipas-ba-dinh", "--format", "pdf", "--out", path.join(dir, "x.pdf")]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--format "pdf" is not valid; use csv, xlsx, json, ndjson');
    });

    it("--out x.ndjson writes NDJSON", async () => {
      const file = path.join(dir, "wide.ndjson");
      const result = await chiso(["export", "--round", "sipas-ba-dinh", "--out", file]);
      expect(result.code, result.stderr).toBe(0);
      const lines = fs.readFileSync(file, "utf8").trim().split("\n");
      expect(lines).toHaveLength(20);
      for (const line of lines) expect(JSON.parse(line)).toHaveProperty("_id");
    });

    it.each([
      [["demo", "--round", "sipas-ba-dinh", "--responses", "abc"], '--responses "abc" must be a whole number'],
      [["demo", "--round", "sipas-ba-dinh", "--responses", "2.5"], '--responses "2.5" must be a whole number'],
      [["demo", "--round", "sipas-ba-dinh", "--responses"], "The option --responses needs a value"],
      [["demo", "--round", "sipas-ba-dinh", "--respones", "5"], "“chiso demo” has no option --respones"],
      [["round", "targets", "sipas-ba-dinh", "--per-unit", "0"], '--per-unit "0" must be a whole number'],
      [["round", "open", "sipas-ba-dinh", "extra"], "takes no argument “extra”"],
      [["user", "add", "boss01", "--role", "boss"], '--role "boss" is not valid; use admin, analyst, enumerator'],
      [["serve", "--port", "eighty"], '--port "eighty" must be a whole number 0–65535'],
      [
        ["round", "create", "--id", "r-modes", "--edition", "sipas-2022", "--title-vi", "a", "--title-en", "b", "--modes", "public,mail"],
        "--modes: “mail” is not valid",
      ],
      // The API's text rule: no stored text holds a control character, whichever way it comes in.
      [
        ["round", "create", "--id", "r-bell", "--edition", "sipas-2022", "--title-vi", "Đợt\u0007 một", "--title-en", "b"],
        "--title-vi holds the control character U+0007",
      ],
      [["user", "add", "bell01", "--role", "analyst", "--name", "Chu\u001bông"], "--name holds the control character U+001B"],
      [["user", "disable", "bell\u007f01"], "USERNAME holds the control character U+007F"],
    ])("%j", async (args, message) => {
      const before = { rounds: rounds(), responses: responses(), users: query("select username from users") };
      const result = await chiso(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toMatch(/^lỗi: {3}\S/m);
      expect({ rounds: rounds(), responses: responses(), users: query("select username from users") }).toEqual(before);
    });
  });

  describe("--help prints the usage of the command and does nothing else", () => {
    it.each(["serve", "migrate", "import", "user add", "round list", "units import", "export", "demo"])("%s --help", async (command) => {
      const words = command.split(" ");
      const fresh = path.join(dir, `help-${words.join("-")}.db`);
      for (const help of [
        [...words, "--help"],
        ["help", ...words],
        [...words, "-h"],
      ]) {
        const result = await chiso(help, { db: fresh });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout.startsWith(`chiso ${words.join(" ")}`)).toBe(true);
        expect(result.stderr).toBe("");
      }
      // No database was created, migrated or served.
      expect(fs.existsSync(fresh)).toBe(false);
    });

    it("a group of commands lists its own", async () => {
      const result = await chiso(["round", "--help"]);
      expect(result.code).toBe(0);
      for (const sub of ["create", "open", "close", "targets", "list"]) expect(result.stdout).toContain(`chiso round ${sub}`);
      expect((await chiso(["round"])).code).toBe(2);
    });
  });

  describe("errors speak Vietnamese and English, without codes or stack traces", () => {
    it.each([
      [["export", "--round", "nope"], "Không tìm thấy đợt khảo sát.", "Survey round not found."],
      [["round", "open", "nope"], "Không tìm thấy đợt khảo sát “nope”.", "Survey round “nope” not found."],
      [["import", "/no/such/folder"], "Không có tệp hoặc thư mục “/no/such/folder”.", "There is no file or folder “/no/such/folder”."],
      [["units", "import", "/no/such/file.csv"], "Không mở được “/no/such/file.csv” (ENOENT).", "Cannot open “/no/such/file.csv” (ENOENT)."],
      [["export", "--round", "sipas-ba-dinh", "--out", "/no/such/folder/x.csv"], "Không có thư mục “/no/such/folder”", "There is no folder “/no/such/folder”"],
      [["user", "disable", "nobody"], "Không có tài khoản “nobody”.", "There is no user “nobody”."],
      [["units", "import", os.tmpdir()], `“${os.tmpdir()}” là một thư mục, không phải tệp CSV.`, `“${os.tmpdir()}” is a folder, not a CSV file.`],
    ])("%j", async (args, vi, en) => {
      const result = await chiso(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`lỗi:   ${vi}`);
      expect(result.stderr).toContain(`error: ${en}`);
      expectReadable(result.stderr);
    });

    it("a reader that closes the pipe early ends the export quietly (real process)", async () => {
      // Far more than a pipe holds, so the export is still writing when the reader leaves.
      expect((await chiso(["demo", "--round", "sipas-ba-dinh", "--responses", "300"])).code).toBe(0);
      const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/chiso.js"), "export", "--round", "sipas-ba-dinh", "--layout", "long"], {
        env,
        cwd: dir,
      });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      // Like `| head -1`: read the first chunk, then close the pipe.
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      expect(stderr).not.toMatch(/EPIPE|Error|at /);
      expect(code).toBe(0);
    }, 120_000);
  });

  describe("commands other than serve, migrate and import do not set the database up", () => {
    it("on a missing database, round list says to migrate and creates no file", async () => {
      const fresh = path.join(dir, "never.db");
      const result = await chiso(["round", "list"], { db: fresh });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("Hãy chạy “chiso migrate” trước.");
      expect(result.stderr).toContain("Run “chiso migrate” first.");
      expect(fs.existsSync(fresh)).toBe(false);
    });

    it("on a database behind the code, they refuse without migrating it", async () => {
      const behind = path.join(dir, "behind.db");
      fs.copyFileSync(dbFile, behind);
      const db = new Database(behind);
      const last = (db.prepare("select name from chiso_migrations order by name desc limit 1").get() as { name: string }).name;
      db.prepare("delete from chiso_migrations where name = ?").run(last);
      db.close();
      for (const args of [
        ["round", "list"],
        ["user", "list"],
        ["demo", "--round", "sipas-ba-dinh", "--responses", "1"],
      ]) {
        const result = await chiso(args, { db: behind });
        expect(result.code, args.join(" ")).toBe(1);
        expect(result.stderr).toContain("chiso migrate");
      }
      const check = new Database(behind, { readonly: true });
      expect(check.prepare("select count(*) as n from chiso_migrations where name = ?").get(last)).toEqual({ n: 0 });
      check.close();
    });
  });
});
