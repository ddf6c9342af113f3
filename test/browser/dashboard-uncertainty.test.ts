/**
 * Uncertainty on the dashboard, on a 360 px phone in Chromium: the 95% interval, design effect and
 * effective n beside the score, whiskers on the tree's bars with the interval in their tooltips, the
 * interval columns in the printed appendix, and unreliable values marked and explained.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, DIST, launchBrowser, phoneContext, screenshot, watchErrors } from "./helpers.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { addDemoResponses } from "../../server/demo/seed.js";
import { findRound } from "../../server/rounds/repository.js";
import { storeDesign } from "../../server/results/design.js";
import { SamplingDesignSchema } from "../../shared/api/design.js";
import type { ResultsResponse } from "../../shared/results/types.js";

describe.skipIf(!chromiumAvailable)("uncertainty on the dashboard at 360 px", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let round: string;
  let strict: string;
  let earlier: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "dashboard.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    const make = async (id: string, reliability: Record<string, number>, seed = 5) => {
      await server.createRound("sipas-2022", { id, title: { vi: id, en: id } } as never);
      await storeDesign(
        server.ctx.db.kysely,
        id,
        SamplingDesignSchema.parse({ psuLevel: "village", strataLevel: "commune", lonelyPsu: "adjust", reliability }),
      );
      await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, id))!, 300, seed);
      return id;
    };
    round = await make("sipas-ci-demo", {});
    earlier = await make("sipas-ci-2021-demo", {}, 6);
    // Thresholds no value can meet: every value is flagged.
    strict = await make("sipas-strict-demo", { minEffectiveN: 1_000_000 });
    browser = await launchBrowser();
    const context = await phoneContext(browser, server.url);
    page = await context.newPage();
    errors = watchErrors(page);
    const analyst = await server.createUser("analyst");
    await page.goto("/dashboard");
    await page.locator("#sign-in-user").fill(analyst.username);
    await page.locator("#sign-in-password").fill(analyst.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.locator(".dash-header .signed-in").waitFor();
    await page.goto("about:blank");
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the interval, deff and effective n of the score, and whiskers with the interval in each bar's tooltip", async () => {
    await page.goto(`/dashboard#round=${round}&view=results`);
    await page.locator("table.tree tbody tr").first().waitFor();
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const api = (await server.api(`/api/rounds/${round}/results`, { headers })).body as ResultsResponse;
    const lo = api.root.ci!.lo.toFixed(2).replace(".", ",");
    const hi = api.root.ci!.hi.toFixed(2).replace(".", ",");
    await expect.poll(() => page.locator(".summary .interval").innerText()).toContain(`Khoảng tin cậy 95%: ${lo}–${hi}`);
    await expect.poll(() => page.locator(".summary .interval").innerText()).toMatch(/Hệ số thiết kế \d+,\d{2} · Cỡ mẫu hiệu dụng \d+/);
    await expect.poll(() => page.locator("table.tree thead").innerText()).toMatch(/KTC 95%/);
    // One whisker per bar with a value; the root row's tooltip gives its interval, design effect and n.
    const bars = await page.locator("table.tree svg.vbar").count();
    expect(bars).toBeGreaterThan(5);
    await expect.poll(() => page.locator("table.tree svg.vbar g.ci").count()).toBe(bars);
    const tooltip = await page.locator("table.tree tbody tr").first().locator("svg.vbar title").textContent();
    expect(tooltip).toContain(`khoảng tin cậy 95%: ${lo}–${hi}`);
    expect(tooltip).toMatch(/hệ số thiết kế \d+,\d{2}; cỡ mẫu hiệu dụng \d+ \(n = 300\)/);
    // The whisker spans the interval on the bar's scale (0–100 over the bar's width).
    const whisker = page.locator("table.tree tbody tr").first().locator("svg.vbar g.ci line").first();
    const [x1, x2, width] = await Promise.all([
      whisker.getAttribute("x1"),
      whisker.getAttribute("x2"),
      page.locator("table.tree tbody tr").first().locator("svg.vbar").getAttribute("width"),
    ]);
    expect(Number(x1)).toBeCloseTo((api.root.ci!.lo / 100) * Number(width), 6);
    expect(Number(x2)).toBeCloseTo((api.root.ci!.hi / 100) * Number(width), 6);
    // The page fits the phone: nothing but the table's own scroller is wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, "dashboard-uncertainty-360");
    await screenshot(page, "dashboard-uncertainty-360-top", false);
    await page.locator("table.tree").scrollIntoViewIfNeeded();
    await page.locator("table.tree").evaluate((t) => t.closest(".table-wrap")!.scrollBy(150, 0));
    await screenshot(page, "dashboard-uncertainty-360-bars", false);
    expect(errors).toEqual([]);
  });

  it("prints the interval, deff and effective n columns in the appendix", async () => {
    await page.emulateMedia({ media: "print" });
    const head = await page.locator("table.tree thead").innerText();
    expect(head).toMatch(/KTC 95%/);
    expect(head).toMatch(/HSTK/);
    expect(head).toMatch(/n hiệu dụng/);
    await expect.poll(() => page.locator("table.tree tbody tr").first().locator("td.ci-cell").innerText()).toMatch(/^\d+,\d{2}–\d+,\d{2}$/);
    await screenshot(page, "dashboard-uncertainty-print");
    await page.emulateMedia({ media: "screen" });
  });

  it("says in one plain line whether the year-on-year change is real, and which changes are noise", async () => {
    await page.goto("about:blank");
    await page.goto(`/dashboard#round=${round}&view=results&compare=${earlier}`);
    await page.locator("table.tree tbody tr").first().waitFor();
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const api = (await server.api(`/api/rounds/${round}/results?compare=${earlier}`, { headers })).body as ResultsResponse;
    const change = api.root.change!;
    expect(change).toBeTruthy();
    const line = page.locator(".summary .plain-line").first();
    await expect.poll(() => line.innerText()).toMatch(change.significant ? /là có thật ở mức tin cậy 95%/ : /nằm trong sai số/);
    // Each change cell says the same in its tooltip; changes within the margin of error are not coloured.
    const cell = page.locator("table.tree tbody tr").first().locator("td.delta");
    expect(await cell.getAttribute("title")).toMatch(/so với đợt trước/);
    expect(await cell.getAttribute("class")).toContain(change.significant ? "up" : "noise");
    await screenshot(page, "dashboard-uncertainty-change-360", false);
    expect(errors).toEqual([]);
  });

  it("marks unreliable values and explains the mark", async () => {
    await page.goto("about:blank");
    await page.goto(`/dashboard#round=${strict}&view=results`);
    await page.locator("table.tree tbody tr").first().waitFor();
    const rows = await page.locator("table.tree tbody tr").count();
    await expect.poll(() => page.locator("table.tree .unreliable-mark").count()).toBe(rows);
    await expect.poll(() => page.locator(".uncertainty-note").innerText()).toMatch(/Ước lượng không đủ tin cậy/);
    expect(await page.locator("table.tree .unreliable-mark").first().getAttribute("title")).toMatch(/cỡ mẫu hiệu dụng nhỏ/);
    expect(await page.locator("table.tree svg.vbar rect.fill.unreliable").count()).toBe(rows);
    await screenshot(page, "dashboard-uncertainty-unreliable");
    // The round with the default (NCHS) thresholds flags fewer values.
    await page.goto("about:blank");
    await page.goto(`/dashboard#round=${round}&view=results`);
    await page.locator("table.tree tbody tr").first().waitFor();
    await expect.poll(() => page.locator(".summary .interval").count()).toBe(1);
    expect(await page.locator("table.tree .unreliable-mark").count()).toBeLessThan(rows);
    expect(errors).toEqual([]);
  });
});
