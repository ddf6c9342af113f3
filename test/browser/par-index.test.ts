/**
 * The PAR INDEX view of the dashboard in real Chromium at 360 px, on the demo round of Thừa Thiên
 * Huế 2022: the total 86,55/100 with its three parts, the areas, the below-maximum list by agency
 * with its download, a what-if, and the analyst returning the self-assessment and a department
 * correcting it. Screenshots go to test-results/screenshots/.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, DIST, launchBrowser, phoneContext, screenshot, watchErrors } from "./helpers.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { REPO_ROOT } from "../../server/config.js";
import { ensureDemoParRound } from "../../server/par-index/demo.js";

describe.skipIf(!chromiumAvailable)("PAR INDEX dashboard in Chromium at 360 px", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "dashboard.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npm run build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    await ensureDemoParRound(server.ctx, path.join(REPO_ROOT, "surveys"));
    browser = await launchBrowser();
    page = await (await phoneContext(browser, server.url)).newPage();
    errors = watchErrors(page);
    const analyst = await server.createUser("analyst");
    await page.goto("/dashboard#round=par-index-2022-demo");
    await page.locator("#sign-in-user").fill(analyst.username);
    await page.locator("#sign-in-password").fill(analyst.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.locator(".dash-header .signed-in").waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the total 86,55/100 with its three parts, the areas and who must act, within 360 px", async () => {
    await expect.poll(() => page.getByTestId("par-total").textContent()).toContain("86,55");
    const parts = await page.locator(".par-part .big").allTextContents();
    expect(parts.map((p) => p.replace(/\s/g, ""))).toEqual(["61,21/68", "17,42/22", "7,92/10"]);
    await expect.poll(() => page.locator(".par-areas tbody tr").count()).toBe(8);
    expect(await page.locator(".par-areas tbody tr").nth(6).textContent()).toContain("11,10");
    // Group: appraised by default; the below-maximum list of the appraisal names 20 rows by lead agency.
    await expect.poll(() => page.locator(".par-below li").count()).toBe(20);
    const agencies = await page.locator(".par-agency h4").allTextContents();
    expect(agencies.some((a) => a.startsWith("Sở Nội vụ ("))).toBe(true);
    expect(agencies.some((a) => a.startsWith("Văn phòng UBND tỉnh ("))).toBe(true);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
    await screenshot(page, "par-index-360");
    expect(errors).toEqual([]);
  });

  it("the appendix download opens as a CSV with the 20 rows", async () => {
    const href = await page.locator(".par-below a", { hasText: "CSV" }).getAttribute("href");
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    const text = await res.text();
    expect(text.split("\r\n").filter(Boolean)).toHaveLength(22);
    expect(text).toContain("4.1.3;4.1.3 – ");
  });

  it("what-if: SIPAS at 8,22 gives 86,85 (+0,30), and nothing changes", async () => {
    await page.locator('input[name="what-if-sipas"]').fill("8.22");
    await page.getByRole("button", { name: "Tính thử" }).click();
    await expect.poll(() => page.getByTestId("what-if-result").textContent()).toContain("86,85");
    expect(await page.getByTestId("what-if-result").textContent()).toContain("+0,30");
    expect(await page.getByTestId("par-total").textContent()).toContain("86,55");
  });

  it("the analyst returns the self-assessment with a reason; a department corrects its figure and saves", async () => {
    await page.locator('select[name="par-group"]').selectOption("tu-danh-gia");
    await expect.poll(() => page.getByTestId("assessment-status").textContent()).toContain("đã duyệt");
    await page.locator('input[name="return-reason"]').fill("Bổ sung tài liệu kiểm chứng 3.2.1");
    await page.getByRole("button", { name: "Trả lại" }).click();
    await expect.poll(() => page.getByTestId("assessment-status").textContent()).toContain("bản nháp");
    await page.locator(".par-evidence summary", { hasText: "6.1.3" }).click();
    await page.locator('input[name="a6_1_3_rate"]').fill("70");
    await page.getByRole("button", { name: "Lưu", exact: true }).click();
    await expect.poll(() => page.getByTestId("assessment-status").textContent()).toContain("phiên bản 8");
    const stored = await server.api(`/api/par/par-index-2022-demo/assessments/2025:46/tu-danh-gia`, { headers: await server.authenticate("analyst") });
    expect(stored.body.assessment.answers.a6_1_3_rate).toBe(70);
    expect(stored.body.assessment.returnReason).toBe("Bổ sung tài liệu kiểm chứng 3.2.1");
    await screenshot(page, "par-index-evidence-360");
    expect(errors).toEqual([]);
  });

  it("a department's account sees only its own agency's sub-criteria and cannot submit", async () => {
    const dept = await server.createUser("analyst");
    const adminUser = await server.createUser("admin");
    const admin = await server.signIn(adminUser.username, adminUser.password);
    expect((await server.api(`/api/par/agency-members/${dept.username}`, { method: "PUT", json: { agencies: ["stc"] }, headers: admin })).status).toBe(200);
    const other = await (await phoneContext(browser, server.url)).newPage();
    const otherErrors = watchErrors(other);
    await other.goto("/dashboard#round=par-index-2022-demo");
    await other.locator("#sign-in-user").fill(dept.username);
    await other.locator("#sign-in-password").fill(dept.password);
    await other.getByRole("button", { name: "Đăng nhập" }).click();
    await other.locator('select[name="par-group"]').selectOption("tu-danh-gia");
    await expect.poll(() => other.getByTestId("assessment-status").textContent()).toContain("bản nháp");
    expect(await other.locator('select[name="par-agency"] option').allTextContents()).toEqual(["Sở Tài chính"]);
    expect(await other.locator(".par-evidence summary", { hasText: "6.2.3" }).count()).toBe(1);
    expect(await other.locator(".par-evidence summary", { hasText: "4.1.3" }).count()).toBe(0);
    expect(await other.getByRole("button", { name: "Gửi Sở Nội vụ" }).count()).toBe(0);
    expect(otherErrors).toEqual([]);
  });
});
