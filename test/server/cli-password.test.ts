/**
 * Passwords on the command line, on SQLite and PostgreSQL: `chiso user password` reads the new
 * password from standard input (--password-stdin) and refuses one that fails the policy, changing
 * nothing; it ends the account's sessions, and --temporary forces a change at the next sign-in;
 * `chiso user add --password` applies the same policy.
 */
import { PassThrough, Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../server/cli.js";
import { createTestDatabase, DIALECTS, postgresAvailable, type TestDatabase } from "../helpers/databases.js";
import { openDatabase, type Db } from "../../server/db/database.js";
import { createSession, createUser, findUserByName } from "../../server/accounts/repository.js";
import { verifySecret } from "../../server/lib/secrets.js";

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = "";
  return stream;
}

describe.each(DIALECTS)("chiso user password on %s", (dialect) => {
  const skip = dialect === "postgres" && !postgresAvailable;
  let database: TestDatabase;
  let db: Db;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase(dialect);
    env = { ...process.env, CHISO_DB: database.sqlitePath, DATABASE_URL: database.databaseUrl ?? "" };
    const quiet = { stdin: Readable.from([""]), stdout: sink(), stderr: sink() };
    expect(await main(["migrate"], quiet, env), quiet.stderr.text).toBe(0);
    db = openDatabase({ databaseUrl: database.databaseUrl, sqlitePath: database.sqlitePath });
    await createUser(db.kysely, { username: "can-bo", displayName: "Cán bộ Sở", role: "analyst", password: "mat-khau-ban-dau-1" });
  });
  afterAll(async () => {
    if (skip) return;
    await db.close();
    await database.drop();
  });

  const chiso = async (argv: string[], input = "") => {
    const io = { stdin: Readable.from([input]), stdout: sink(), stderr: sink() };
    const code = await main(argv, io, env);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };
  const hash = async () => (await findUserByName(db.kysely, "can-bo"))!;

  it.skipIf(skip)("refuses a weak password from stdin in both languages and changes nothing", async () => {
    const before = (await hash()).password_hash;
    const result = await chiso(["user", "password", "can-bo", "--password-stdin"], "can-bo-can-bo\n");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/dễ đoán/);
    expect(result.stderr).toMatch(/easy to guess/);
    expect((await hash()).password_hash).toBe(before);
    expect((await chiso(["user", "password", "can-bo", "--password-stdin"], "short\n")).stderr).toMatch(/at least 12 characters/);
  });

  it.skipIf(skip)("sets a strong password read from stdin and ends the account's sessions", async () => {
    const row = await hash();
    await createSession(db.kysely, row.id);
    const result = await chiso(["user", "password", "can-bo", "--password-stdin"], "Sông Hương chảy qua thành phố\n");
    expect(result.code, result.stderr).toBe(0);
    const after = await hash();
    expect(await verifySecret("Sông Hương chảy qua thành phố", after.password_hash)).toBe(true);
    expect(after.must_change_password).toBe(0);
    expect(await db.kysely.selectFrom("sessions").select("token_hash").where("user_id", "=", row.id).execute()).toEqual([]);
  });

  it.skipIf(skip)("--temporary makes the next sign-in change it", async () => {
    expect((await chiso(["user", "password", "can-bo", "--password-stdin", "--temporary"], "Núi Ngự Bình mùa thu 2026")).code).toBe(0);
    expect((await hash()).must_change_password).toBe(1);
  });

  it.skipIf(skip)("at a terminal, asks twice without showing what is typed", async () => {
    // A terminal as the command sees one: raw mode switched on and off, keys arriving as typed.
    const terminal = (keys: string) => {
      const stream = Object.assign(new PassThrough(), { isTTY: true, raw: [] as boolean[], setRawMode: (on: boolean) => (stream.raw.push(on), stream) });
      setImmediate(() => stream.write(keys));
      return stream;
    };
    const run = async (keys: string) => {
      const io = { stdin: terminal(keys), stdout: sink(), stderr: sink() };
      return { code: await main(["user", "password", "can-bo"], io, env), io };
    };
    const differ = await run("Đèo Hải Vân mây trắng\rĐèo Hải Vân mây trắngx\r");
    expect(differ.code).toBe(1);
    expect(differ.io.stderr.text).toMatch(/differ/);
    const typed = "Đèo Hải Vân mây trắnggg\u007f\u007f";
    const ok = await run(`${typed}\r${typed}\r`);
    expect(ok.code, ok.io.stderr.text).toBe(0);
    expect(ok.io.stderr.text).toMatch(/New password for can-bo/);
    expect(ok.io.stderr.text).not.toMatch(/Hải Vân/);
    expect((ok.io.stdin as unknown as { raw: boolean[] }).raw).toEqual([true, false, true, false]);
    expect(await verifySecret("Đèo Hải Vân mây trắng", (await hash()).password_hash)).toBe(true);
  });

  it.skipIf(skip)("asks for --password-stdin when standard input is not a terminal, and names an unknown account", async () => {
    const piped = await chiso(["user", "password", "can-bo"], "Sông Hương chảy qua thành phố\n");
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/--password-stdin/);
    const unknown = await chiso(["user", "password", "khong-co", "--password-stdin"], "Sông Hương chảy qua thành phố\n");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/khong-co/);
  });

  it.skipIf(skip)("user add --password applies the same policy", async () => {
    const weak = await chiso(["user", "add", "phan-tich", "--role", "analyst", "--password", "Password123456"]);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/easy to guess/);
    expect(await findUserByName(db.kysely, "phan-tich")).toBeUndefined();
    expect((await chiso(["user", "add", "phan-tich", "--role", "analyst"])).stdout).toMatch(/created phan-tich \(analyst\) with password: \S{16}/);
  });
});
