/**
 * The questionnaires tab in real Chromium at phone width: an administrator uploads the team's
 * draft workbook and reads every problem with its sheet, cell and column, uploads the corrected
 * one with its index tree, then downloads an edition as XLSForm and the file imports back.
 * Screenshots: test-results/screenshots/xlsform-*.png.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, DIST, PHONE, launchBrowser, newContext, screenshot, watchErrors } from "../browser/helpers.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { latestEdition } from "../../server/instruments/repository.js";
import { readWorkbook } from "../../server/xlsform/workbook-file.js";
import { importXlsform } from "../../shared/xlsform/import.js";
import { xlsx } from "./build.js";
import { DRAFT, FIXED, INDEX } from "./team-form.js";

describe.skipIf(!chromiumAvailable)("XLSForm in the administration screens", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-xlsform-ui-"));

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "admin.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    const admin = await server.createUser("admin", { username: "quantri-xlsform" });
    browser = await launchBrowser();
    const context = await newContext(browser, {
      baseURL: server.url,
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "vi-VN",
      acceptDownloads: true,
    });
    page = await context.newPage();
    errors = watchErrors(page);
    fs.writeFileSync(path.join(dir, "nuoc-sach-nhap.xlsx"), await xlsx(DRAFT));
    fs.writeFileSync(path.join(dir, "nuoc-sach.xlsx"), await xlsx(FIXED));
    fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify(INDEX));
    await page.goto("/admin/questionnaires");
    await page.locator("#sign-in-user").fill(admin.username);
    await page.locator("#sign-in-password").fill(admin.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.locator("#xlsform-import").waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists every problem of the draft with its cell, then imports the corrected workbook with its index", async () => {
    await page.getByRole("button", { name: "Nhập", exact: true }).click();
    await expect.poll(() => page.locator("#xlsform-file-error, .field-error, [role=alert]").first().textContent()).toMatch(/\.xlsx/);

    await page.locator("#xlsform-file").setInputFiles(path.join(dir, "nuoc-sach-nhap.xlsx"));
    await page.getByRole("button", { name: "Nhập", exact: true }).click();
    const items = page.locator("#xlsform-errors li");
    await expect.poll(() => items.count()).toBe(5);
    expect(await items.nth(1).textContent()).toMatch(/^Trang tính survey, ô B6 \(name\): Tên “TT_Nhanh” không hợp lệ/);
    expect(await items.nth(4).textContent()).toBe("Trang tính choices, ô C7 (label::Tiếng Việt (vi)): Thiếu nhãn (label) của lựa chọn.");
    await screenshot(page, "xlsform-refused");
    expect(await latestEdition(server.ctx.db.kysely, "nuoc-sach-2026")).toBeNull();

    await page.locator("#xlsform-file").setInputFiles(path.join(dir, "nuoc-sach.xlsx"));
    await page.getByRole("button", { name: "Chỉ kiểm tra" }).click();
    await expect.poll(() => page.locator(".notice.ok").textContent()).toMatch(/Không có lỗi: nuoc-sach-2026 phiên bản 1\.0\.0 nhập được/);
    await page.locator("#xlsform-index").setInputFiles(path.join(dir, "index.json"));
    await page.getByRole("button", { name: "Nhập", exact: true }).click();
    await expect.poll(() => page.locator(".notice.ok").textContent()).toBe("Đã nhập nuoc-sach-2026 phiên bản 1.0.0.");
    await expect.poll(() => page.locator('#xlsform-editions tr[data-edition="nuoc-sach-2026"]').count()).toBe(1);
    expect((await latestEdition(server.ctx.db.kysely, "nuoc-sach-2026"))?.index?.root.code).toBe("NS");
    await screenshot(page, "xlsform-imported");
  });

  it("downloads an edition as an XLSForm workbook that imports back", async () => {
    const link = page.locator('#xlsform-editions tr[data-edition="sipas-2022"] a');
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^sipas-2022-\d+\.\d+\.\d+\.xlsx$/);
    const file = path.join(dir, "sipas.xlsx");
    await download.saveAs(file);
    const back = importXlsform(await readWorkbook(fs.readFileSync(file)), { defaultYear: 2026 });
    expect(back.ok && back.instrument.id).toBe("sipas-2022");
    expect(errors).toEqual([]);
  });
});
