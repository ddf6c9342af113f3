/**
 * Choosing a unit on the respondent form in real Chromium: typing the province ("Huế", "Thừa
 * Thiên Huế") or a commune with its province ("kim long huế") narrows to the villages in scope,
 * each shown with its path; browsing province → commune → village works without typing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { TestServer } from "../helpers/server.js";
import { chromiumAvailable, launchBrowser, phoneContext, screenshot, startClientServer } from "./helpers.js";

describe.skipIf(!chromiumAvailable)("choosing a unit on the respondent form", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
    const round = await server.createRound("sipas-2022");
    page = await (await phoneContext(browser, server.url)).newPage();
    await page.goto(`/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const results = () => page.locator("#q-unit-results .result").allTextContents();

  it("typing the province, by its current or former name, lists villages in scope with their path", async () => {
    for (const q of ["Huế", "Thừa Thiên Huế", "thua thien hue"]) {
      await page.locator("#q-unit-in").fill(q);
      await expect.poll(async () => (await results()).length, { message: q }).toBeGreaterThan(0);
      for (const r of await results()) expect(r, q).toMatch(/Thôn|Tổ|Bản|Khu|Xóm|Ấp/);
    }
    await page.locator("#q-unit-in").fill("kim long huế");
    // Until the answer to this query replaces the last one's: then every result lies in Kim Long.
    await expect
      .poll(async () => {
        const r = await results();
        return r.length > 0 && r.every((t) => t.includes("Kim Long"));
      })
      .toBe(true);
    // The path says where each lies: the province is named under the village.
    expect((await results())[0]).toContain("Huế");
    await page.locator("#q-unit-results").scrollIntoViewIfNeeded();
    await screenshot(page, "respond-unit-province-360", false);
    await page.locator("#q-unit-results .result").first().click();
    await expect.poll(() => page.locator("#q-unit-chosen").textContent()).toContain("Kim Long");
    await page.getByRole("button", { name: "Chọn đơn vị khác" }).click();
  });

  it("browsing goes commune → village and chooses, without typing", async () => {
    await page.locator("#q-unit-in").fill("");
    await page.getByRole("button", { name: "Chọn từ danh sách" }).click();
    const kimLong = page.locator(".browse-list .result", { hasText: "Phường Kim Long" });
    await kimLong.waitFor();
    await kimLong.click();
    await expect.poll(() => page.locator(".browse-list .label").textContent()).toContain("Phường Kim Long");
    await screenshot(page, "respond-unit-browse-360", false);
    const village = page.locator(".browse-list .result").first();
    const name = (await village.locator("span").first().textContent())!;
    await village.click();
    await expect.poll(() => page.locator("#q-unit-chosen").textContent()).toContain(name);
    expect(await page.locator("#q-unit-chosen").textContent()).toContain("Kim Long");
  });
});
