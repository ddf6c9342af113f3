/**
 * The committed fixtures are what scripts/r/reference-statistics.R writes today: reruns it into a
 * temporary directory when R with the survey package is installed (scripts/install-r.sh), and
 * says so and skips when it is not.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "./fixture-data.js";

const hasR = spawnSync("Rscript", ["-e", 'quit(status = !requireNamespace("survey", quietly = TRUE))'], { stdio: "ignore" }).status === 0;
if (!hasR) console.warn("R with the survey package is not installed (scripts/install-r.sh): the fixture freshness check is skipped.");

describe.skipIf(!hasR)("statistics fixtures are current", () => {
  it("rerunning the R script gives the committed files byte for byte", () => {
    const dir = mkdtempSync(join(tmpdir(), "chiso-stats-"));
    try {
      execFileSync("Rscript", ["scripts/r/reference-statistics.R", dir], { stdio: "pipe", timeout: 120_000 });
      for (const file of ["respondents.csv", "design-inputs.json", "reference.json"]) {
        expect(readFileSync(join(dir, file), "utf8"), file).toBe(readFileSync(join(FIXTURES, file), "utf8"));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
