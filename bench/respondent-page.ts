/**
 * Respondent page benchmark: what a citizen's phone downloads for /r/:roundId, measured as bytes on
 * the wire (CDP `encodedDataLength`, headers included, form definition included), and the time until
 * the first question is on screen, on an emulated slow phone (CDP: 400 ms round trip, 400 kbit/s
 * down, 150 kbit/s up, CPU ×4) and on an unthrottled loopback. Each run alternates the page as
 * served (brotli) with the same page asked for uncompressed (`Accept-Encoding: identity`, the
 * baseline), so both see the same machine load. Sizes of the built files (gzip on disk) are
 * reported too, as scripts/page-weight.ts budgets them.
 *
 *   npm run build && npx tsx bench/respondent-page.ts [--runs 5]
 */
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { measurePage, BUDGET } from "../scripts/page-weight.js";
import { REPO_ROOT } from "../server/config.js";
import { prepareTemplate } from "./ingest.js";
import { arg, median, report, round2, startServer, tempDir } from "./lib.js";

const SLOW = { offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (150 * 1024) / 8 };
const CPU_SLOWDOWN = 4;

interface Load {
  ms: number;
  bytes: number;
}

async function load(browser: Browser, url: string, options: { slow: boolean; identity: boolean }): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, serviceWorkers: "block" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
  if (options.identity) await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": "identity" } });
  if (options.slow) {
    await cdp.send("Network.emulateNetworkConditions", SLOW);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  }
  const started = performance.now();
  await page.goto(url);
  await page.locator("#q-unit-in").waitFor({ timeout: 120_000 });
  const ms = performance.now() - started;
  await page.waitForLoadState("networkidle");
  await context.close();
  return { ms, bytes };
}

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
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const url = `${server.url}/r/bench-sipas`;
  const series = { fast: [] as Load[], slow: [] as Load[], fastIdentity: [] as Load[], slowIdentity: [] as Load[] };
  try {
    for (let i = 0; i < runs; i++) {
      series.fast.push(await load(browser, url, { slow: false, identity: false }));
      series.fastIdentity.push(await load(browser, url, { slow: false, identity: true }));
      series.slow.push(await load(browser, url, { slow: true, identity: false }));
      series.slowIdentity.push(await load(browser, url, { slow: true, identity: true }));
    }
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ms = (s: Load[]) => s.map((l) => l.ms);
  const range = (values: number[]) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
  const kb = (s: Load[]) => round2(median(s.map((l) => l.bytes)) / 1024);
  report(
    "respondent-page",
    [
      { measure: "JS gzip KB (built files)", value: round2(weight.js / 1024), range: "–", budget: BUDGET.js / 1024 },
      { measure: "total gzip KB (built files)", value: round2(weight.total / 1024), range: "–", budget: BUDGET.total / 1024 },
      { measure: "cold load on the wire KB, as served", value: kb(series.fast), range: "–", budget: 40 },
      { measure: "cold load on the wire KB, uncompressed (baseline)", value: kb(series.fastIdentity), range: "–", budget: "–" },
      { measure: "first question, loopback ms", value: round2(median(ms(series.fast))), range: range(ms(series.fast)), budget: "–" },
      { measure: "first question, slow phone ms, as served", value: round2(median(ms(series.slow))), range: range(ms(series.slow)), budget: 3000 },
      {
        measure: "first question, slow phone ms, uncompressed (baseline)",
        value: round2(median(ms(series.slowIdentity))),
        range: range(ms(series.slowIdentity)),
        budget: "–",
      },
      { measure: "slow phone: as served / baseline", value: round2(median(ms(series.slow)) / median(ms(series.slowIdentity))), range: "–", budget: "–" },
    ],
    { runs, network: SLOW, cpuSlowdown: CPU_SLOWDOWN, order: "per run: loopback, loopback uncompressed, slow, slow uncompressed" },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
