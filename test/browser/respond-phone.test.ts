/**
 * The respondent form's length on a 360 × 740 phone, in real Chromium: the first screen shows the
 * round's title once and a field above the fold; a rating item is one compact row of its points,
 * with "Không biết / Không áp dụng" apart; progress counts answered over relevant questions; and
 * every page of SIPAS and PAPI is measured in screens (page height / 740), printed for the record.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { TestServer } from "../helpers/server.js";
import { answerPage, chromiumAvailable, launchBrowser, phoneContext, PHONE, pressNext, screenshot, setAnswer, startClientServer } from "./helpers.js";

/**
 * One page of the form on a phone is at most 4 screens of 740 px: the compact layout, and long
 * sections cut into several pages (client/common/pages.ts). Before, SIPAS's first page was 11.3.
 */
const SCREENS_AIM = 4;

describe.skipIf(!chromiumAvailable)("respondent form on a 360×740 phone", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(edition: string): Promise<Page> {
    const round = await server.createRound(edition);
    const context = await phoneContext(browser, server.url);
    const page = await context.newPage();
    await page.goto(`/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    return page;
  }

  async function start(page: Page): Promise<void> {
    await page.locator("#q-unit-in").fill("thon mau 2 phong dien");
    await page.locator(".result").first().click();
    const citizen = page.locator('#q-group input[value="citizen"]');
    if ((await citizen.count()) > 0) await citizen.check();
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
  }

  const screens = (page: Page) => page.evaluate((h) => Math.round((document.documentElement.scrollHeight / h) * 10) / 10, PHONE.height);

  /** Screens of every page of the form, answering each page to go on; the last page is measured, not submitted. */
  async function measure(page: Page, name: string): Promise<Array<{ page: string; screens: number }>> {
    const out: Array<{ page: string; screens: number }> = [];
    for (let n = 1; ; n++) {
      await answerPage(page, { d5_cert_visits: 2, d3_contact_vh_times: 3, d6_school_minutes: 15 });
      out.push({ page: (await page.locator("h1").textContent())!, screens: await screens(page) });
      if (n === 1) await screenshot(page, `${name}-page1-360`, false);
      if ((await page.locator("form button[type=submit]").textContent()) === "Gửi phiếu") break;
      try {
        await pressNext(page);
      } catch (e) {
        await screenshot(page, `${name}-stuck-360`);
        throw new Error(`stuck on ${out.at(-1)!.page} after ${JSON.stringify(out)}: ${await page.locator(".field-error").allTextContents()}`, { cause: e });
      }
    }
    return out;
  }

  for (const edition of ["sipas-2022", "papi-2022"]) {
    it(`every page of ${edition} is measured in screens at 360×740 (≤ ${SCREENS_AIM})`, async () => {
      const page = await open(edition);
      await start(page);
      const pages = await measure(page, edition);
      console.log(`screens per page, ${edition} at 360×740:\n` + pages.map((p) => `  ${p.screens.toFixed(1)}  ${p.page}`).join("\n"));
      for (const p of pages) expect(p.screens, p.page).toBeLessThanOrEqual(SCREENS_AIM);
    });
  }

  it("the first screen shows the title once and a field above the fold", async () => {
    const page = await open("sipas-2022");
    await screenshot(page, "respond-first-screen-360", false);
    const title = (await page.locator("h1").textContent())!;
    expect(await page.getByText(title, { exact: true }).count()).toBe(1);
    const fieldTop = await page.locator("#q-unit-in").evaluate((el) => el.getBoundingClientRect().bottom);
    expect(fieldTop).toBeLessThanOrEqual(PHONE.height);
  });

  it("a rating item is one row of its points, each ≥ 44 px high, with don't-know apart, and progress counts answers", async () => {
    const page = await open("sipas-2022");
    await start(page);
    const first = page.locator(".q.rating").first();
    const points = first.locator(".options.scale .option");
    const boxes = await points.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ top: r.top, height: r.height, width: r.width })));
    expect(boxes.length).toBe(5);
    expect(new Set(boxes.map((b) => Math.round(b.top))).size).toBe(1);
    for (const b of boxes) expect(b.height).toBeGreaterThanOrEqual(44);
    for (const b of boxes) expect(b.width).toBeGreaterThanOrEqual(44);
    // The end labels are on screen next to the row, and every radio keeps its own accessible name.
    expect(await first.locator(".scale-ends").isVisible()).toBe(true);
    const names = await first.getByRole("radio").evaluateAll((els) => els.map((e) => (e.closest("label")?.textContent ?? "").trim()));
    for (const n of names) expect(n).not.toBe("");
    // Don't know / not applicable: a separate row, set apart and smaller than the points.
    const outside = first.locator(".options.outside-scale .option");
    if ((await outside.count()) > 0) {
      const o = await outside.first().boundingBox();
      expect(o!.y).toBeGreaterThan(boxes[0]!.top + boxes[0]!.height);
      expect(await outside.first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeLessThan(
        await points.first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize) + 0.01),
      );
    }
    await screenshot(page, "respond-rating-360", false);

    // Progress: answered over the questions that apply, which only grows as answers come.
    const progress = () => page.locator("#progress-text").textContent();
    const before = (await progress())!;
    const [, answered0, total0] = /(\d+)\s*\/\s*(\d+)/.exec(before)!.map(Number);
    expect(answered0).toBe(0);
    const id = (await first.getAttribute("id"))!.slice(2);
    await setAnswer(page, id, "4");
    await expect.poll(progress).toMatch(new RegExp(`^\\D*1\\s*/\\s*${total0}\\D*$`));
    // On to the screening question, through the rest of Part I.
    while ((await page.locator("#q-did_procedure").count()) === 0) {
      await answerPage(page);
      await pressNext(page);
    }
    const [, answeredBefore] = /(\d+)\s*\/\s*(\d+)/.exec((await progress())!)!.map(Number);
    expect(answeredBefore).toBeGreaterThan(1);
    await setAnswer(page, "did_procedure", "yes");
    await expect.poll(progress).toMatch(new RegExp(`^\\D*${answeredBefore! + 1}\\s*/`));
    const [, answered1, total1] = /(\d+)\s*\/\s*(\d+)/.exec((await progress())!)!.map(Number);
    expect(answered1).toBeGreaterThan(answered0!);
    expect(total1).toBeGreaterThan(total0!); // the procedure's questions now apply
  });
});
