/**
 * The analyst's API tokens on the dashboard, on a 360 px phone in Chromium: make one, see it once,
 * use it from outside the browser, revoke it and see it stop working; administrators do not get
 * the dashboard panel (they cannot make tokens) but list and revoke everyone's in the
 * administration. And the API reference page, which must live with the same
 * Content-Security-Policy.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, DIST, launchBrowser, phoneContext, screenshot, watchErrors } from "./helpers.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

describe.skipIf(!chromiumAvailable)("API tokens on the dashboard at 360 px", () => {
  let server: TestServer;
  let browser: Browser;
  let round: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "dashboard.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    round = await server.createRound("sipas-2022");
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signedIn(role: "analyst" | "admin"): Promise<{ page: Page; errors: string[] }> {
    const context = await phoneContext(browser, server.url);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const user = await server.createUser(role);
    await page.goto("/dashboard");
    await page.locator("#sign-in-user").fill(user.username);
    await page.locator("#sign-in-password").fill(user.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.locator(".dash-header .signed-in").waitFor();
    return { page, errors };
  }

  it("makes a token shown once, which then reads results from outside the browser, and revokes it", async () => {
    const { page, errors } = await signedIn("analyst");
    const panel = page.locator("details.api-tokens");
    await panel.locator("summary").click();
    await expect.poll(() => panel.textContent()).toContain("Chưa có mã nào.");
    await panel.getByLabel("Dùng cho").fill("Power BI – báo cáo năm");
    await panel.getByLabel("Hiệu lực").selectOption("30");
    await panel.getByRole("button", { name: "Tạo mã" }).click();
    const value = panel.locator("input.api-token-value");
    await value.waitFor();
    const token = await value.inputValue();
    expect(token).toMatch(/^chiso_at_/);
    await expect.poll(() => panel.locator(".api-token-list li").count()).toBe(1);
    expect(await panel.locator(".api-token-list li").textContent()).toContain("Power BI – báo cáo năm");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, "dashboard-api-tokens-360");

    const read = await fetch(`${server.url}/api/rounds/${round}/results`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);

    await panel.getByRole("button", { name: "Thu hồi" }).click();
    await expect.poll(() => panel.locator(".api-token-list li").textContent()).toContain("đã thu hồi");
    expect((await fetch(`${server.url}/api/rounds/${round}/results`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    // Reloading does not show the token again.
    await page.reload();
    await page.locator("details.api-tokens summary").click();
    await expect.poll(() => page.locator(".api-token-list li").count()).toBe(1);
    expect(await page.locator("input.api-token-value").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("shows the API reference page under the strict policy, its stylesheet applied, at phone width", async () => {
    const context = await phoneContext(browser, server.url);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto("/api/docs");
    await page.locator("section.op").first().waitFor();
    expect(await page.locator("section.op").count()).toBeGreaterThan(60);
    // The border comes from /api/docs/style.css: the stylesheet loaded (a blocked one leaves none).
    expect(
      await page
        .locator("section.op")
        .first()
        .evaluate((el) => getComputedStyle(el).borderTopStyle),
    ).toBe("solid");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await page.getByText("Tạo mã API chỉ đọc (hiện một lần)").count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it("lists every analyst's tokens in the administration and revokes one after confirmation", async () => {
    const analyst = await server.createUser("analyst");
    const session = await server.signIn(analyst.username, analyst.password);
    const made = await server.api("/api/api-tokens", { method: "POST", json: { label: "Excel – phụ lục", expiresInDays: 90 }, headers: session });
    expect(made.status).toBe(201);
    const context = await phoneContext(browser, server.url);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const admin = await server.createUser("admin");
    await page.goto("/admin");
    await page.locator("#sign-in-user").fill(admin.username);
    await page.locator("#sign-in-password").fill(admin.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByRole("navigation", { name: "Các mục quản trị" }).getByRole("link", { name: "Tài khoản" }).click();
    const row = page.locator("table.api-tokens tbody tr", { hasText: "Excel – phụ lục" });
    await row.waitFor();
    expect(await row.textContent()).toContain(analyst.username);
    await row.getByRole("button", { name: /^Thu hồi/ }).click();
    await page.locator("dialog.confirm").getByRole("button", { name: "Thu hồi", exact: true }).click();
    await expect.poll(() => row.textContent()).toContain(`Đã thu hồi (${admin.username})`);
    expect((await fetch(`${server.url}/api/rounds/${round}/results`, { headers: { authorization: `Bearer ${made.body.token}` } })).status).toBe(401);
    await screenshot(page, "admin-api-tokens-360");
    expect(errors).toEqual([]);
  });

  it("shows administrators no panel", async () => {
    const { page, errors } = await signedIn("admin");
    await page.locator(".dash-header").waitFor();
    expect(await page.locator("details.api-tokens").count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
