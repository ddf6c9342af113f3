/**
 * The results dashboard in real Chromium on demo data: the index tree with Vietnamese decimal commas,
 * drill-down by unit, English toggle, ranking with PAPI performance groups, year on year, progress,
 * a target set through the form, and the printed appendix. Screenshots go to test-results/screenshots/.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, DIST, launchBrowser, newContext, SCREENSHOTS, watchErrors } from "./helpers.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { addDemoResponses } from "../../server/demo/seed.js";
import { findRound, setTargets } from "../../server/rounds/repository.js";
import { demoUnits } from "../helpers/responses.js";

describe.skipIf(!chromiumAvailable)("results dashboard in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const rounds: Record<string, string> = {};

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "dashboard.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    const make = async (name: string, edition: string, title: string, n: number, seed: number) => {
      const id = await server.createRound(edition, { id: `${name}-demo`, title: { vi: title, en: title } } as never);
      await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, id))!, n, seed);
      rounds[name] = id;
    };
    await make("sipas-2021", "sipas-2022", "SIPAS 2021 (mẫu)", 250, 1);
    await make("sipas", "sipas-2022", "SIPAS 2022 (mẫu)", 400, 2);
    await make("papi", "papi-2022", "PAPI 2022 (mẫu)", 240, 3);
    // Sample targets of 12 per commune and group, so that progress shows how far each has come.
    await setTargets(
      server.ctx.db.kysely,
      rounds.sipas!,
      demoUnits(server.ctx, "commune").flatMap((unitKey) => ["citizen", "organisation"].map((group) => ({ unitKey, group, target: 6 }))),
    );
    browser = await launchBrowser();
    const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 }, locale: "vi-VN" });
    page = await context.newPage();
    errors = watchErrors(page);
    // The dashboard needs an account: an analyst signs in through the form.
    const analyst = await server.createUser("analyst");
    await page.goto("/dashboard");
    await page.locator("#sign-in-user").fill(analyst.username);
    await page.locator("#sign-in-password").fill(analyst.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.locator(".dash-header .signed-in").waitFor();
    // Leave the page, so that each test's first visit loads the dashboard afresh.
    await page.goto("about:blank");
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const shot = async (name: string) => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  it("shows the index tree in Vietnamese with decimal commas, and prints as an appendix", async () => {
    await page.goto(`/dashboard#round=${rounds.sipas}&view=results&compare=${rounds["sipas-2021"]}`);
    await page.locator("table.tree tbody tr").first().waitFor();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Kết quả khảo sát");
    await expect.poll(() => page.locator("table.tree tbody tr").first().innerText()).toMatch(/SIPAS.*\d+,\d{2}/s);
    await expect.poll(() => page.locator("table.tree thead").innerText()).toMatch(/Năm trước/);
    await expect.poll(() => page.locator("svg.vbar").count()).toBeGreaterThan(5);
    await page.getByRole("button", { name: "Mở tất cả" }).click();
    await expect.poll(() => page.locator("table.tree tbody tr").count()).toBe(45);
    await shot("dashboard-results");

    await page.emulateMedia({ media: "print" });
    expect(await page.locator("nav.tabs").isVisible()).toBe(false);
    expect(await page.locator(".print-header").isVisible()).toBe(true);
    await shot("dashboard-print");
    await page.emulateMedia({ media: "screen" });
  });

  it("breaks down by commune and drills into one", async () => {
    await page.selectOption("select[name=by]", "commune");
    await expect.poll(() => page.locator("table.breakdown tbody tr").count()).toBe(40);
    const first = page.locator("table.breakdown tbody button.link").first();
    const name = (await first.textContent())!;
    await first.click();
    await expect.poll(() => page.locator(".crumbs strong").textContent()).toBe(name);
    await expect.poll(() => page.locator(".summary").innerText()).toMatch(/Hạng \d+\/40/);
  });

  it("switches to English with decimal points", async () => {
    await page.getByRole("button", { name: "English" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Survey results");
    await expect.poll(() => page.locator("table.tree tbody tr").first().innerText()).toMatch(/\d+\.\d{2}/);
    await page.getByRole("button", { name: "Tiếng Việt" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Kết quả khảo sát");
  });

  it("ranks PAPI communes with the four performance groups", async () => {
    await page.goto(`/dashboard#round=${rounds.papi}&view=ranking&level=commune`);
    await page.reload();
    await expect.poll(() => page.locator("table.ranking").innerText()).toMatch(/Nhóm cao nhất[\s\S]*Nhóm thấp nhất/);
    await expect.poll(() => page.locator("table.ranking tbody tr").first().locator("td").first().innerText()).toMatch(/^1\/\d+$/);
    await shot("dashboard-ranking");
  });

  it("compares with the earlier round on a chart, and shows progress by day and unit", async () => {
    await page.goto(`/dashboard#round=${rounds.sipas}&view=compare&compare=${rounds["sipas-2021"]}`);
    await page.reload();
    await expect.poll(() => page.locator("svg.paired rect.cur-bar").count()).toBeGreaterThan(1);
    await shot("dashboard-compare");
    await page.getByRole("button", { name: "Tiến độ" }).click();
    await page.locator("svg.columns").waitFor();
    await expect.poll(() => page.locator(".card .big strong").first().textContent()).toBe("400");
    await expect.poll(() => page.locator(".card").first().innerText()).toMatch(/400 \/ 480 phiếu/);
    await shot("dashboard-progress");
  });

  it("sets a target through the form and shows its gap; lists the weakest criteria", async () => {
    await page.getByRole("button", { name: "Mục tiêu" }).click();
    await page.locator("select[name=kind]").waitFor();
    await page.selectOption("select[name=kind]", "value");
    await page.selectOption("select[name=node]", "SIPAS");
    await page.fill("input[name=value]", "85");
    await page.getByRole("button", { name: "Thêm mục tiêu" }).click();
    await page.getByRole("button", { name: "Lưu mục tiêu" }).click();
    await expect.poll(() => page.locator("table.targets tbody tr").first().innerText()).toMatch(/85,00/);
    await shot("dashboard-targets");
    await page.getByRole("button", { name: "Tiêu chí yếu" }).click();
    await expect.poll(() => page.locator("table tbody tr").count()).toBe(15);
    expect(errors).toEqual([]);
  });

  it("offers an analyst assigned to one round only that round, with nothing to compare it to", async () => {
    const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 }, locale: "vi-VN" });
    const scoped = await context.newPage();
    const analyst = await server.createUser("analyst", { rounds: [rounds.sipas!] });
    await scoped.goto(`/dashboard#round=${rounds.papi}`);
    await scoped.locator("#sign-in-user").fill(analyst.username);
    await scoped.locator("#sign-in-password").fill(analyst.password);
    await scoped.getByRole("button", { name: "Đăng nhập" }).click();
    await scoped.locator("table.tree tbody tr").first().waitFor();
    // The unassigned PAPI round named in the link is not opened; the assigned SIPAS round is.
    await expect.poll(() => scoped.locator("select[name=round] option").allTextContents()).toEqual(["SIPAS 2022 (mẫu)"]);
    await expect.poll(() => scoped.locator("select[name=compare] option").count()).toBeLessThanOrEqual(1);
    await context.close();
  });
});
