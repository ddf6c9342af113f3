/**
 * `npm run bench`: a quick version of every benchmark, one after another (each also runs alone
 * with sizes for the full version; see BENCHMARKS.md). Results go to bench/results/*.json.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../server/config.js";

const quick: Array<[string, string[]]> = [
  ["ingest.ts", ["--seconds", "3", "--runs", "1"]],
  ["ingest-pg.ts", ["--seconds", "3", "--runs", "1"]],
  ["results.ts", ["--responses", "10000", "--runs", "3"]],
  ["export.ts", ["--responses", "10000"]],
  ["sync.ts", ["--runs", "3"]],
  ["respondent-page.ts", ["--runs", "3"]],
];

let failed = 0;
for (const [script, args] of quick) {
  console.log(`\n=== ${script} ${args.join(" ")}`);
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "bench", script), ...args], { stdio: "inherit", cwd: REPO_ROOT });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
