/** The respondent route's page weight, measured by scripts/page-weight.ts on the built client (`vite build` runs first). */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../server/config.js";
import { DIST } from "./helpers.js";

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, "scripts", "page-weight.ts");

async function pageWeight(dist: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", SCRIPT, "--dist", dist], { cwd: REPO_ROOT });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe("respondent page weight", () => {
  it("stays within budget: JS ≤ 60 KB gzip, everything ≤ 120 KB gzip, and no dashboard or admin code", async () => {
    const { code, out } = await pageWeight(DIST);
    expect(out).toMatch(/respond\.html\s+html/);
    expect(out).toMatch(/total js\s/);
    expect(code, out).toBe(0);
    expect(out).toContain("Within budget");
    expect(out).not.toMatch(/dashboard/);
  });

  it("fails, naming the budget, when the route grows past it", async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-weight-"));
    try {
      fs.mkdirSync(path.join(dist, "assets"));
      fs.writeFileSync(path.join(dist, "respond.html"), '<script type="module" src="/assets/app.js"></script><link rel="stylesheet" href="/assets/app.css">');
      // Random bytes barely compress: ~90 KB gzip of "JavaScript" imported from the entry.
      fs.writeFileSync(path.join(dist, "assets", "app.js"), 'import"./big.js";');
      fs.writeFileSync(path.join(dist, "assets", "big.js"), `export const x="${randomBytes(64 * 1024).toString("base64")}";`);
      fs.writeFileSync(path.join(dist, "assets", "app.css"), "body{margin:0}");
      const { code, out } = await pageWeight(dist);
      expect(code).toBe(1);
      expect(out).toContain("assets/big.js");
      expect(out).toMatch(/OVER BUDGET: JavaScript .* exceeds the budget of 60\.0 KB/);
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });
});
