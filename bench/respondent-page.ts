/**
 * Respondent page benchmark: the bytes /r/:roundId loads (from the built client, gzip) and the time
 * until the form is usable (the unit search box on screen) in Chromium, on a throttled slow mobile
 * network (CDP: 400 ms round trip, 400 kbit/s down, 150 kbit/s up) against the same page on an
 * unthrottled loopback, measured in the same run.
 *
 *   npm run build && npx tsx bench/respondent-page.ts [--runs 5]
 */
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { measurePage, BUDGET } from "../scripts/page-weight.js";
import { REPO_ROOT } from "../server/config.js";
import { prepareTemplate } from "./ingest.js";
import { arg, median, report, round2, startServer, tempDir } from "./lib.js";

const SLOW = { offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (150 * 1024) / 8 };

async function main(): Promise<void> {
  const runs = arg("runs", 5);
  const dist = path.join(REPO_ROOT, "dist");
  const files = measurePage(dist, "respond.html");
  const sum = (kind?: string) => files.filter((f) => !kind || f.kind === kind).reduce((s, f) => s + f.gzip, 0);
  const weight = { js: sum("js"), css: sum("css"), html: sum("html"), total: sum() };

  const dir = tempDir("page");
  const { file, ctx } = await prepareTemplate(dir);
  await ctx.db.close();
  const server = await startServer({ CHISO_DB: file, CHISO_CLIENT_DIR: dist });
  const browser = await chromium.launch({
    executablePath: process.env.CHISO_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const timeToUsable = async (throttle: boolean): Promise<number> => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    if (throttle) {
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", SLOW);
    }
    const started = performance.now();
    await page.goto(`${server.url}/r/bench-sipas`);
    await page.locator("#q-unit-in").waitFor({ timeout: 60_000 });
    const ms = performance.now() - started;
    await context.close();
    return ms;
  };
  const fast: number[] = [];
  const slow: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      fast.push(await timeToUsable(false));
      slow.push(await timeToUsable(true));
    }
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report(
    "respondent-page",
    [
      { measure: "JS gzip KB", value: round2(weight.js / 1024), budget: BUDGET.js / 1024 },
      { measure: "CSS gzip KB", value: round2(weight.css / 1024), budget: "–" },
      { measure: "HTML gzip KB", value: round2(weight.html / 1024), budget: "–" },
      { measure: "total gzip KB", value: round2(weight.total / 1024), budget: BUDGET.total / 1024 },
      { measure: "usable form, loopback ms (baseline)", value: round2(median(fast)), budget: "–" },
      { measure: "usable form, slow mobile ms", value: round2(median(slow)), budget: "–" },
      { measure: "slow / baseline", value: round2(median(slow) / median(fast)), budget: "–" },
    ],
    { runs, network: SLOW },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
