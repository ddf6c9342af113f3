/**
 * The respondent form without a connection, in real Chromium: after a first visit its service
 * worker serves the page and the round's form, so a reload offline opens the form with its draft;
 * and an answer tapped just before a reload (or a closed tab) is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { TestServer } from "../helpers/server.js";
import { answerPage, chromiumAvailable, launchBrowser, phoneContext, pressNext, screenshot, startClientServer, type Answer } from "./helpers.js";

describe.skipIf(!chromiumAvailable)("respondent form offline", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function startForm(page: Page): Promise<void> {
    await page.locator("#q-unit-in").fill("thon mau 2 phong dien");
    await page.locator(".result").first().click();
    await page.locator('#q-group input[value="citizen"]').check();
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
  }

  it("after a first visit, a reload without a connection shows the form and its draft", async () => {
    const round = await server.createRound("sipas-2022");
    const context = await phoneContext(browser, server.url, { serviceWorkers: "allow" });
    const page = await context.newPage();
    await page.goto(`/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    // The worker is active and controls the page (it claims it on activation).
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toMatch(/\/respond-sw\.js$/);
    // The form definition passes through the worker once while it controls the page, and is kept.
    await page.reload();
    await page.locator("#q-unit-in").waitFor();
    await startForm(page);
    // Part I spans several pages: answer them up to the screening question.
    const answers: Record<string, Answer> = {};
    while ((await page.locator("#q-did_procedure").count()) === 0) {
      Object.assign(answers, await answerPage(page));
      await pressNext(page);
    }
    await page.locator('#q-did_procedure input[value="no"]').check();

    await context.setOffline(true);
    await page.reload();
    await page.locator(".section-body").waitFor();
    await expect.poll(() => page.locator('#q-did_procedure input[value="no"]').isChecked()).toBe(true);
    await screenshot(page, "respond-offline-reload-360", false);
    // The page before too: every answer on it is there.
    await page.getByRole("button", { name: "Quay lại" }).click();
    await page.locator(".q.rating").first().waitFor();
    let checked = 0;
    for (const [id, code] of Object.entries(answers)) {
      if ((await page.locator(`#q-${id}`).count()) === 0) continue;
      expect(await page.locator(`#q-${id} input[value="${code}"]`).isChecked()).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);

    // A new visit of the same link, offline, opens too.
    await page.goto(`/r/${round}`);
    await page.locator(".section-body").waitFor();

    await context.close();
  });

  it("a round the worker never saw, offline, says it cannot load and offers to try again", async () => {
    const [seen, unseen] = [await server.createRound("sipas-2022"), await server.createRound("sipas-2022")];
    const context = await phoneContext(browser, server.url, { serviceWorkers: "allow" });
    const page = await context.newPage();
    await page.goto(`/r/${seen}`);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await context.setOffline(true);
    await page.goto(`/r/${unseen}`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Không tải được phiếu khảo sát");
    await expect.poll(() => page.getByRole("button", { name: "Thử lại" }).isVisible()).toBe(true);
    await context.close();
  });

  it("an answer tapped right before a reload is kept (saved synchronously, flushed on pagehide)", async () => {
    const round = await server.createRound("sipas-2022");
    const context = await phoneContext(browser, server.url);
    const page = await context.newPage();
    await page.goto(`/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    await startForm(page);
    const first = (await page.locator(".q.rating").first().getAttribute("id"))!;
    // The tap and the reload in one task: nothing after the tap's event gets a chance to run.
    await page.evaluate((id) => {
      document.querySelector<HTMLInputElement>(`#${id} input[value="2"]`)!.click();
      location.reload();
    }, first);
    await page.locator(".section-body").waitFor();
    await expect.poll(() => page.locator(`#${first} input[value="2"]`).isChecked()).toBe(true);

    // A tab closed right after a tap: the next visit has the answer.
    await page.evaluate((id) => document.querySelector<HTMLInputElement>(`#${id} input[value="5"]`)!.click(), first);
    await page.close({ runBeforeUnload: true });
    const again = await context.newPage();
    await again.goto(`/r/${round}`);
    await again.locator(".section-body").waitFor();
    await expect.poll(() => again.locator(`#${first} input[value="5"]`).isChecked()).toBe(true);
    await context.close();
  });
});
