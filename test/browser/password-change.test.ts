/**
 * Passwords in the administration screens, in real Chromium against a real server: the generated
 * first-start password leads straight to the change form (a guessable new password is refused at
 * its field, the policy's verdict shows while typing), then the tabs open; an administrator resets
 * another account's password, which that account must change at its next sign-in.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, DIST, launchBrowser, newContext, screenshot } from "./helpers.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { ensureFirstAdmin } from "../../server/accounts/first-start.js";

describe.skipIf(!chromiumAvailable)("passwords in the administration screens", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let generated: { username: string; password: string };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "admin.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    const created = (await ensureFirstAdmin(server.ctx, {}))!;
    generated = { username: created.username, password: created.password! };
    browser = await launchBrowser();
    const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 860 }, locale: "vi-VN" });
    page = await context.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("makes the first administrator change the generated password before anything else", async () => {
    await page.goto("/admin");
    await page.locator("#sign-in-user").fill(generated.username);
    await page.locator("#sign-in-password").fill(generated.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await expect.poll(() => page.locator("h1#password-change-title").textContent()).toBe("Đổi mật khẩu");
    expect(await page.locator("nav.tabs").count()).toBe(0);

    await page.locator("#password-current").fill(generated.password);
    await page.locator("#password-new").fill("password12345");
    await expect.poll(() => page.locator("#password-new-hint").textContent()).toMatch(/dễ đoán/);
    await page.locator("#password-confirm").fill("password12345");
    await page.getByRole("button", { name: "Đổi mật khẩu" }).click();
    await expect.poll(() => page.locator("#password-new-error").textContent()).toMatch(/dễ đoán/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("password-new");
    await screenshot(page, "admin-password-required");

    const chosen = "Sen hồng nở giữa đầm Huế";
    await page.locator("#password-new").fill(chosen);
    await expect.poll(() => page.locator("#password-new-hint").textContent()).toBe("Mật khẩu đủ mạnh.");
    await page.locator("#password-confirm").fill(chosen);
    await page.getByRole("button", { name: "Đổi mật khẩu" }).click();
    await page.locator("nav.tabs").waitFor();
    expect((await page.request.get("/api/users")).status()).toBe(200);
    expect((await server.api("/api/auth/login", { json: { username: generated.username, password: chosen } })).status).toBe(200);
  });

  it("resets another account's password, to be changed at its next sign-in", async () => {
    const analyst = await server.createUser("analyst", { username: "phan-tich-hue" });
    const before = await server.signIn(analyst.username, analyst.password);
    await page.getByRole("navigation", { name: "Các mục quản trị" }).getByRole("link", { name: "Tài khoản" }).click();
    await page.getByRole("button", { name: "Đặt lại mật khẩu: phan-tich-hue" }).click();
    const temporary = "Cầu Trường Tiền sáu vài";
    await page.locator("#reset-password-input").fill(temporary);
    await page.locator("#reset-password").getByRole("button", { name: "Đặt lại mật khẩu" }).click();
    await expect
      .poll(() => page.locator(".notice.ok").textContent())
      .toBe("Đã đặt lại mật khẩu của “phan-tich-hue”; người dùng phải đổi khi đăng nhập lần sau.");
    await expect.poll(() => page.locator('tr[data-user="phan-tich-hue"]').innerText()).toMatch(/Phải đổi mật khẩu/);
    await screenshot(page, "admin-password-reset");
    expect((await server.api("/api/auth/me", { headers: before })).body.user).toBeNull();
    const after = await server.api("/api/auth/login", { json: { username: analyst.username, password: temporary } });
    expect(after.body.user.mustChangePassword).toBe(true);
  });
});
