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

  it("targets stored with the round: ≥ 87% shows 0,45 points short, a rank target is met; a bad target is refused in both languages; the other group sits beside each area", async () => {
    // Appraised by default; the self-assessment is the column beside it, with the difference.
    await expect.poll(() => page.getByTestId("par-other-total").textContent()).toContain("Tự đánh giá:");
    expect(await page.locator(".par-areas thead th").count()).toBe(6);
    expect(await page.locator(".par-areas thead th.par-other").textContent()).toContain("Tự đánh giá");
    expect(await page.locator(".par-areas tbody td.par-other").count()).toBe(8);
    expect(await page.locator(".par-targets").textContent()).toContain("Chưa đặt mục tiêu");
    await page.locator('input[name="par-target-percent"]').fill("120");
    await page.getByRole("button", { name: "Lưu mục tiêu của đơn vị" }).click();
    const alert = page.locator(".par-targets .notice.error");
    await expect.poll(() => alert.textContent()).toContain("targets.0.value");
    expect(await alert.textContent()).toContain("phải từ 0 đến 100");
    expect(await alert.textContent()).toContain("must be from 0 to 100");
    const targetsUrl = "/api/par/par-index-2022-demo/targets?unit=2025:46";
    const headers = await server.authenticate("analyst");
    expect((await server.api(targetsUrl, { headers })).body.targets).toEqual([]);
    await page.locator('input[name="par-target-percent"]').fill("87");
    await page.locator('input[name="par-target-rank"]').fill("25");
    await page.getByRole("button", { name: "Lưu mục tiêu của đơn vị" }).click();
    await expect.poll(() => page.getByTestId("par-target").count()).toBe(2);
    const lines = await page.getByTestId("par-target").allTextContents();
    expect(lines[0]).toContain("còn thiếu 0,45 điểm");
    expect(lines[0]).toContain("87,00");
    expect(lines[1]).toContain("top 25");
    expect(lines[1]).toContain("đã đạt");
    const stored = (await server.api(targetsUrl, { headers })).body.targets;
    expect(stored).toEqual([
      { kind: "value", node: "PAR", value: 87, measure: "percent", unit: "2025:46" },
      { kind: "rank", node: "PAR", rank: 25, unit: "2025:46" },
    ]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, "par-index-targets-360");
    expect(errors).toEqual([]);
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

  it("an administrator binds a department's account on the administration screen, sees it listed, and removes it; errors show in both languages", async () => {
    const dept = await server.createUser("analyst");
    const adminUser = await server.createUser("admin");
    const adminPage = await (await phoneContext(browser, server.url)).newPage();
    const adminErrors = watchErrors(adminPage);
    await adminPage.goto("/admin/par-agencies");
    await adminPage.locator("#sign-in-user").fill(adminUser.username);
    await adminPage.locator("#sign-in-password").fill(adminUser.password);
    await adminPage.getByRole("button", { name: "Đăng nhập" }).click();
    await adminPage.locator("#par-username").waitFor();
    const headers = await server.signIn(adminUser.username, adminUser.password);
    const bindingOf = async (name: string) => (await server.api(`/api/par/agency-members/${name}`, { headers })).body.agencies;

    // An account that does not exist: the reason in Vietnamese and English, nothing bound.
    await adminPage.locator("#par-username").fill("khong-ton-tai");
    await adminPage.getByLabel("Sở Tài chính").check();
    await adminPage.getByRole("button", { name: "Lưu", exact: true }).click();
    const alert = adminPage.locator(".notice.error");
    await expect.poll(() => alert.textContent()).toContain('Không có tài khoản "khong-ton-tai".');
    expect(await alert.textContent()).toContain('There is no account "khong-ton-tai".');

    await adminPage.locator("#par-username").fill(dept.username);
    await adminPage.getByRole("button", { name: "Lưu", exact: true }).click();
    const row = adminPage.locator(`tr[data-username="${dept.username}"]`);
    await expect.poll(() => row.textContent()).toContain("Sở Tài chính");
    expect(await bindingOf(dept.username)).toEqual(["stc"]);
    expect(await adminPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(adminPage, "par-agencies-360");

    // Edit: add Văn phòng UBND tỉnh.
    await row.getByRole("button", { name: "Sửa" }).click();
    await expect.poll(() => adminPage.locator("#par-username").inputValue()).toBe(dept.username);
    await adminPage.getByLabel("Văn phòng UBND tỉnh").check();
    await adminPage.getByRole("button", { name: "Lưu", exact: true }).click();
    await expect.poll(() => row.textContent()).toContain("Văn phòng UBND tỉnh");
    expect((await bindingOf(dept.username)).sort()).toEqual(["stc", "vpub"]);

    // Remove, confirmed: the account is unbound and leaves the list.
    await row.getByRole("button", { name: "Gỡ" }).click();
    await adminPage.locator("dialog.confirm").getByRole("button", { name: "Gỡ" }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await bindingOf(dept.username)).toEqual([]);
    expect(adminErrors).toEqual([]);
  });
});
