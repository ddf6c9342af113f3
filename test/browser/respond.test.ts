/**
 * The respondent form in real Chromium on a phone-sized screen, against a real server: a complete
 * SIPAS response, relevance and constraints, focus on the error summary of a refused page, a draft
 * saved the moment an answer changes and kept through a reload, and a resend after a lost
 * acknowledgement that stores nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { TestServer } from "../helpers/server.js";
import { instrumentOf } from "../helpers/responses.js";
import { DEMO_PROVINCE } from "../helpers/server.js";
import { PROBLEMS } from "../../shared/errors.js";
import { forgetRound } from "../../server/responses/prepare.js";
import { validateAnswers } from "../../shared/instrument/validate.js";
import type { Instrument } from "../../shared/instrument/schema.js";
import {
  answerPage,
  chromiumAvailable,
  completeForm,
  focusWhenShown,
  launchBrowser,
  phoneContext,
  pressNext,
  screenshot,
  setAnswer,
  startClientServer,
  type Answer,
  storedResponses,
  watchErrors,
} from "./helpers.js";

describe.skipIf(!chromiumAvailable)("respondent form in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let sipas: Instrument;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
    sipas = await instrumentOf(server.ctx, "sipas-2022");
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openForm(round: string): Promise<{ page: Page; errors: string[] }> {
    const context = await phoneContext(browser, server.url);
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    return { page, errors };
  }

  /** Picks the village by typing part of its name without accents, and the respondent group. */
  async function startPage(page: Page, query = "thon mau 2 phong dien"): Promise<string> {
    await page.locator("#q-unit-in").fill(query);
    const first = page.locator(".result").first();
    const name = (await first.locator("span").first().textContent())!;
    await first.click();
    await page.locator('#q-group input[value="citizen"]').check();
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
    return name;
  }

  /** Answers the pages of Part I (a section on several pages) until the screening question shows; returns the answers. */
  async function toScreening(page: Page): Promise<Record<string, Answer>> {
    const answers: Record<string, Answer> = {};
    while ((await page.locator("#q-did_procedure").count()) === 0) {
      Object.assign(answers, await answerPage(page));
      await pressNext(page);
    }
    return answers;
  }

  const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it("a citizen completes SIPAS at 360×740 and the server holds exactly that response", async () => {
    const round = await server.createRound("sipas-2022");
    const { page, errors } = await openForm(round);
    expect(await page.locator("html").getAttribute("lang")).toBe("vi");
    await screenshot(page, "respond-start-360");

    const unitName = await startPage(page);
    // First page: a rating grid, shown as statements with the scale under each, never a table.
    const answers = await answerPage(page);
    expect(await noSideScroll(page)).toBe(true);
    const heights = await page.locator(".option").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    expect(await page.locator("table").count()).toBe(0);
    await screenshot(page, "respond-grid-360", false);
    await pressNext(page);

    Object.assign(
      answers,
      await completeForm(page, {
        did_procedure: "yes",
        procedure_name: "Đăng ký khai sinh cho con",
        channel: ["in_person", "online"],
        on_time: "late",
        pakn_made: "yes",
        age_group: "26-35",
        age: 35,
      }),
    );
    const receipt = (await page.getByTestId("receipt").textContent())!.trim();
    expect(receipt).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}$/);
    await screenshot(page, "respond-receipt-360");

    const stored = await storedResponses(server, round);
    expect(stored.size).toBe(1);
    const [payload] = [...stored.values()] as Array<Record<string, any>>;
    expect(payload!.answers).toEqual(answers);
    expect(payload!.answers.apology).toBeDefined(); // revealed by on_time = late
    expect(payload!.channel).toBe("self");
    expect(payload!.group).toBe("citizen");
    expect(server.ctx.units.getCached(payload!.unit)?.fullName).toBe(unitName);
    const row = await server.ctx.db.kysely.selectFrom("responses").select("receipt_code").where("round_id", "=", round).executeTakeFirstOrThrow();
    expect(row.receipt_code).toBe(receipt);

    // Back button and reload after submitting show the receipt again; nothing is sent twice.
    await page.goBack();
    await page.reload();
    await expect.poll(() => page.getByTestId("receipt").textContent()).toBe(receipt);
    expect(await server.count("responses")).toBe(1);
    expect(errors).toEqual([]);
  });

  it("switches to English and back, remembering the choice", async () => {
    const round = await server.createRound("sipas-2022");
    const { page } = await openForm(round);
    await page.getByRole("button", { name: "Switch to English" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe(sipas.title.en);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.reload();
    await expect.poll(() => page.locator("h1").textContent()).toBe(sipas.title.en);
    await page.getByRole("button", { name: "Chuyển sang tiếng Việt" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe(sipas.title.vi);
  });

  it("does not send answers hidden by relevance; a constraint blocks the page; a refused unit is shown where it is chosen", async () => {
    const round = await server.createRound("sipas-2022");
    const { page } = await openForm(round);
    await startPage(page);
    const answers = await toScreening(page);
    await setAnswer(page, "did_procedure", "yes");
    await pressNext(page);
    // The procedure page: answered, then made irrelevant by going back and changing the screening answer.
    const hidden = await answerPage(page, { channel: ["other"], channel_other: "Qua Zalo" });
    expect(Object.keys(hidden)).toContain("agency_level");
    await page.getByRole("button", { name: "Quay lại" }).click();
    await setAnswer(page, "did_procedure", "no");
    answers.did_procedure = "no";
    await pressNext(page);
    expect(await page.locator("h1").textContent()).toBe(sipas.sections.find((s) => s.id === "expectation")!.title.vi);
    await pressNext(page);

    // Respondent page: "other" ethnicity reveals a text question; choosing again hides it.
    const [firstCode] = await page.locator("#q-ethnicity input").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    await setAnswer(page, "ethnicity", "other");
    await setAnswer(page, "ethnicity_other", "Tày");
    await setAnswer(page, "ethnicity", firstCode!);
    await expect.poll(() => page.locator("#q-ethnicity_other").count()).toBe(0);
    answers.ethnicity = firstCode!;

    await setAnswer(page, "age", 15);
    const expected = validateAnswers(sipas, { age: 15 }).find((e) => e.question === "age")!;
    const pageTitle = await page.locator("h1").textContent();
    Object.assign(answers, await answerPage(page, { ethnicity: firstCode! }));
    // Focus is on the error summary the moment the error is drawn, and stays there; its link leads to the field.
    const ageFocus = await focusWhenShown(page, "#q-age-err", () => page.locator("form button[type=submit]").click());
    expect(ageFocus).toEqual({ atOnce: "error-summary", afterPaint: "error-summary" });
    await page.locator("#error-summary a").first().click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("q-age-in");
    await expect.poll(() => page.locator("#q-age-err").textContent()).toContain(expected.message_vi);
    expect(await page.locator("h1").textContent()).toBe(pageTitle);
    expect(await page.locator("#q-age-in").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "respond-constraint-360", false);
    expect((await storedResponses(server, round)).size).toBe(0);

    // An age within the age group answered above (the first, 18–25): the constraint reads both.
    await setAnswer(page, "age", 22);
    answers.age = 22;

    // Meanwhile the round was narrowed to another commune: the server refuses the unit (422), and
    // the form goes back to the start page with the reason next to the unit.
    const kimLong = server.ctx.units.childrenOf(DEMO_PROVINCE).find((u) => u.name === "Kim Long")!;
    await server.ctx.db.kysely
      .updateTable("rounds")
      .set({ scope_json: JSON.stringify([kimLong.key]) })
      .where("id", "=", round)
      .execute();
    forgetRound(round); // changed behind the server's back: drop its brief cache of the round
    // The start page opens with focus on its error summary, not on the new page's heading; its link leads to the unit.
    const unitFocus = await focusWhenShown(page, "#q-unit-err", () => page.locator("form button[type=submit]").click());
    expect(unitFocus).toEqual({ atOnce: "error-summary", afterPaint: "error-summary" });
    await page.locator("#error-summary a").first().click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Chọn đơn vị khác");
    await expect.poll(() => page.locator("#q-unit-err").textContent()).toContain(PROBLEMS.unit_not_in_scope.vi);
    await page.getByRole("button", { name: "Chọn đơn vị khác" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("q-unit-in");
    await page.locator("#q-unit-in").fill("thon mau 1 kim long");
    await page.locator(".result").first().click();
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
    await completeForm(page);
    await page.getByTestId("receipt").waitFor();
    const [payload] = [...(await storedResponses(server, round)).values()] as Array<Record<string, any>>;
    expect(payload!.answers).toEqual(answers);
    for (const id of [...Object.keys(hidden), "ethnicity_other"]) expect(payload!.answers).not.toHaveProperty(id);
    expect(server.ctx.units.getCached(payload!.unit)!.parentKey).toBe(kimLong.key);
  });

  it("keeps the draft through a reload; a double tap and a lost acknowledgement still store one response", async () => {
    const round = await server.createRound("sipas-2022");
    const { page } = await openForm(round);
    await startPage(page);
    const answers = await toScreening(page);
    const draftKey = `chiso.respond.draft.${round}`;
    type StoredDraft = { id: string; answers: Record<string, unknown> };
    const storedDraft = () => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? "null") as StoredDraft | null, draftKey);

    // The answer is in storage when the tap's event is over, before the screen is even redrawn:
    // a reload at any moment after it keeps it.
    const savedAtOnce = await page.evaluate((k) => {
      document.querySelector<HTMLInputElement>('#q-did_procedure input[value="no"]')!.click();
      return (JSON.parse(localStorage.getItem(k) ?? "null") as StoredDraft | null)?.answers.did_procedure ?? null;
    }, draftKey);
    expect(savedAtOnce).toBe("no");
    answers.did_procedure = "no";
    const draftId = (await storedDraft())!.id;

    await page.reload();
    await page.locator(".section-body").waitFor();
    await expect.poll(() => page.locator('#q-did_procedure input[value="no"]').isChecked()).toBe(true);

    // Leaving the page writes the draft once more, whatever happened to storage meanwhile.
    await page.evaluate((k) => localStorage.removeItem(k), draftKey);
    await page.goto("/api/health");
    expect((await storedDraft())?.answers).toEqual(answers);
    await page.goto(`/r/${round}`);
    await page.locator(".section-body").waitFor();
    await expect.poll(() => page.locator('#q-did_procedure input[value="no"]').isChecked()).toBe(true);

    await page.getByRole("button", { name: "Quay lại" }).click();
    await page.locator(".q.rating").first().waitFor();
    // The last page of Part I, as it was answered.
    const shown = Object.entries(answers).filter(([id]) => id !== "did_procedure");
    let checked = 0;
    for (const [id, code] of shown) {
      if ((await page.locator(`#q-${id}`).count()) === 0) continue;
      expect(await page.locator(`#q-${id} input[value="${code}"]`).isChecked()).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    await pressNext(page);
    await pressNext(page);

    // The first send reaches the server, but its answer never comes back: the form retries.
    let cut = 0;
    await page.route("**/api/rounds/*/responses", async (route) => {
      if (cut++ === 0) {
        await route.fetch();
        await route.abort("connectionreset");
      } else await route.continue();
    });
    // Answer to the last page, then tap "Submit" twice in a row.
    const submit = page.locator("form button[type=submit]");
    for (;;) {
      Object.assign(answers, await answerPage(page));
      if ((await submit.textContent()) === "Gửi phiếu") break;
      await pressNext(page);
    }
    await submit.dblclick();
    await page.getByTestId("receipt").waitFor();
    const receipt = (await page.getByTestId("receipt").textContent())!.trim();
    expect(cut).toBeGreaterThanOrEqual(2);
    const stored = await storedResponses(server, round);
    expect([...stored.keys()]).toEqual([draftId]);
    expect(stored.get(draftId)!.answers).toEqual(answers);
    const row = await server.ctx.db.kysely.selectFrom("responses").select("receipt_code").where("id", "=", draftId).executeTakeFirstOrThrow();
    expect(row.receipt_code).toBe(receipt);
    expect(await page.evaluate((k) => localStorage.getItem(k), draftKey)).toBeNull();
  });
});
