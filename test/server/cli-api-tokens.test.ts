/**
 * `chiso api-token create|list|revoke` in this process on a real SQLite file: the token printed
 * once works over real HTTP with its analyst's scope, the list never shows it, revoking ends it,
 * both are in the audit log, and mistakes (no expiry, a year and a day, not an analyst) are refused
 * in both languages with nothing made.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../server/cli.js";
import { openContext } from "../../server/bootstrap.js";
import { listen } from "../../server/serve.js";
import { createUser } from "../../server/accounts/repository.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-cli-tokens-"));
const dbFile = path.join(dir, "chiso.db");
const env: NodeJS.ProcessEnv = { ...process.env, CHISO_DB: dbFile, PORT: "0" };
delete env.DATABASE_URL;

async function chiso(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  const sink = (key: "stdout" | "stderr") =>
    new Writable({
      write(chunk, _e, done) {
        out[key] += String(chunk);
        done();
      },
    });
  const code = await main(args, { stdin: new PassThrough(), stdout: sink("stdout"), stderr: sink("stderr") }, env);
  return { code, ...out };
}

describe("chiso api-token", () => {
  beforeAll(async () => {
    expect((await chiso(["migrate"])).code).toBe(0);
    const ctx = await openContext({ sqlitePath: dbFile, databaseUrl: undefined, clientDir: null, minCellSize: 5 });
    await createUser(ctx.db.kysely, { username: "phan-tich", displayName: "Phân tích", role: "analyst", password: "x".repeat(20), rounds: ["r-khac"] });
    await createUser(ctx.db.kysely, { username: "dieu-tra", displayName: "Điều tra", role: "enumerator", password: "x".repeat(20) });
    await ctx.db.close();
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("makes a token that works with its analyst's scope, lists it without the token, and revokes it", async () => {
    const made = await chiso(["api-token", "create", "phan-tich", "--days", "30", "--label", "Power BI"]);
    expect(made.code, made.stderr).toBe(0);
    const token = /token:\s+(chiso_at_\S+)/.exec(made.stdout)![1]!;
    const id = /id:\s+(\S+)/.exec(made.stdout)![1]!;

    const ctx = await openContext({ sqlitePath: dbFile, databaseUrl: undefined, clientDir: null, minCellSize: 5 });
    const server = await listen(ctx, 0, "127.0.0.1");
    try {
      const me = await (await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(me).toMatchObject({ user: { username: "phan-tich", rounds: ["r-khac"] }, via: "api-token" });
      // Its analyst is assigned to another round only.
      const refused = await fetch(`${server.url}/api/rounds/any-round/results`, { headers: { authorization: `Bearer ${token}` } });
      expect(refused.status).toBe(403);

      const listed = await chiso(["api-token", "list", "--user", "phan-tich"]);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).toContain("active");
      expect(listed.stdout).not.toContain("chiso_at_");

      const revoked = await chiso(["api-token", "revoke", id]);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect((await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())).user).toBeNull();
      expect((await chiso(["api-token", "revoke", id])).code).toBe(1);
      const actions = (await ctx.db.kysely.selectFrom("audit_log").select(["action", "target", "actor"]).where("target", "=", id).execute()).map(
        (r) => `${r.actor} ${r.action}`,
      );
      expect(actions.sort()).toEqual(["cli api-token.create", "cli api-token.revoke"]);
    } finally {
      await server.close();
      await ctx.db.close();
    }
  });

  it("refuses a missing or too long expiry and a non-analyst account, making nothing", async () => {
    const before = (await chiso(["api-token", "list"])).stdout;
    const noDays = await chiso(["api-token", "create", "phan-tich"]);
    expect(noDays.code).toBe(2);
    expect(noDays.stderr).toContain("Thiếu tùy chọn --days");
    expect(noDays.stderr).toContain("--days is missing");
    const tooLong = await chiso(["api-token", "create", "phan-tich", "--days", "366"]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain("1–365");
    const enumerator = await chiso(["api-token", "create", "dieu-tra", "--days", "5"]);
    expect(enumerator.code).toBe(1);
    expect(enumerator.stderr).toContain("is not an active analyst account");
    expect(enumerator.stderr).toContain("không phải tài khoản cán bộ phân tích");
    expect((await chiso(["api-token", "list"])).stdout).toBe(before);
  });
});
