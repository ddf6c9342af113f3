/**
 * Shared set-up of the browser tests: Debian's Chromium through playwright-core, a real chiso server
 * on a temp SQLite database serving the built client, phone-sized pages and screenshots, and a
 * check that fails any test during which a page broke the Content-Security-Policy.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, expect, vi } from "vitest";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { REPO_ROOT } from "../../server/config.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

export const CHROMIUM_PATH = process.env.CHISO_CHROMIUM ?? "/usr/bin/chromium";
export const chromiumAvailable = fs.existsSync(CHROMIUM_PATH);
if (!chromiumAvailable) {
  console.warn(`Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium); the browser tests are skipped.`);
}

/** The built client: `dist/`, or CHISO_CLIENT_DIR (as the server reads it) to test another build. */
export const DIST = path.resolve(process.env.CHISO_CLIENT_DIR ?? path.join(REPO_ROOT, "dist"));
export const SCREENSHOTS = path.join(REPO_ROOT, "test-results", "screenshots");
export const PHONE = { width: 360, height: 740 };

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Tests wait on conditions (expect.poll, auto-waiting locators), never on time. The bounds are
// generous: on a loaded two-core machine a page can take seconds to catch up, a test a minute.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000, expect: { poll: { timeout: 15_000, interval: 50 } } });

/**
 * Content-Security-Policy violations seen in any page of any browser context, since the last check.
 * Every test ends by checking that there were none; a test that provokes one on purpose takes it.
 */
const violations: string[] = [];

/** Takes (and clears) the violations recorded so far. */
export function takeViolations(): string[] {
  return violations.splice(0);
}

afterEach(() => {
  expect(takeViolations(), "Content-Security-Policy violations").toEqual([]);
});

/** Chromium's own console message for a refused script, style, frame, connection or Trusted Types sink. */
const POLICY_MESSAGE = /Refused to|Content Security Policy|Trusted ?Type/i;

async function watchPolicy(context: BrowserContext): Promise<void> {
  // The event fires in the page for every violation, including those the console does not show.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`securitypolicyviolation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"} in ${e.documentURI}`);
    });
  });
  context.on("console", (message) => {
    if (message.type() === "error" && (message.text().startsWith("securitypolicyviolation:") || POLICY_MESSAGE.test(message.text()))) {
      violations.push(`${message.page()?.url() ?? "?"}: ${message.text()}`);
    }
  });
  context.on("weberror", (error) => {
    if (POLICY_MESSAGE.test(error.error().message)) violations.push(`${error.page()?.url() ?? "?"}: ${error.error().message}`);
  });
}

/** Launches Chromium with a fresh temporary profile (playwright makes and removes it). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
}

/** A new browser context whose pages are watched for policy violations. Every test makes its contexts here. */
export async function newContext(browser: Browser, options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await watchPolicy(context);
  return context;
}

/** The test server with the built client; fails clearly when `vite build` has not run. */
export async function startClientServer(): Promise<TestServer> {
  if (!fs.existsSync(path.join(DIST, "respond.html")) || !fs.existsSync(path.join(DIST, "collect.html"))) {
    throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` before the browser tests.`);
  }
  return startTestServer("sqlite", { clientDir: DIST });
}

/** A fresh context (no storage, no service worker) sized like a phone. */
export async function phoneContext(browser: Browser, baseURL: string, options: { serviceWorkers?: "allow" | "block" } = {}): Promise<BrowserContext> {
  return newContext(browser, { baseURL, viewport: PHONE, deviceScaleFactor: 2, hasTouch: true, isMobile: true, locale: "vi-VN", ...options });
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Fails the test on an uncaught page error, which would otherwise pass unnoticed. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** The stored responses of a round: id → parsed payload as the server received it. */
export async function storedResponses(server: TestServer, round: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = await server.ctx.db.kysely.selectFrom("responses").select(["id", "payload_json"]).where("round_id", "=", round).execute();
  return new Map(rows.map((r) => [r.id, JSON.parse(r.payload_json) as Record<string, unknown>]));
}

export type Answer = string | number | string[];

interface QuestionOnPage {
  id: string;
  kind: "single" | "multiple" | "number" | "text";
  rating: boolean;
  required: boolean;
  answered: boolean;
  options: string[];
}

/** The questions shown on the current page, as the DOM presents them. */
async function questionsOnPage(page: Page): Promise<QuestionOnPage[]> {
  return page.$$eval(".section-body .q", (els) =>
    els.map((el) => {
      const inputs = [...el.querySelectorAll("input, textarea")] as HTMLInputElement[];
      const choice = el.tagName === "FIELDSET";
      return {
        id: el.id.slice(2),
        kind: choice
          ? el.getAttribute("role") === "group"
            ? "multiple"
            : "single"
          : inputs[0]?.inputMode === "numeric" || inputs[0]?.inputMode === "decimal"
            ? "number"
            : "text",
        rating: el.classList.contains("rating"),
        required: el.querySelector(".req") !== null,
        answered: choice ? inputs.some((i) => i.checked) : inputs.some((i) => i.value !== ""),
        options: inputs.map((i) => i.value),
      } as QuestionOnPage;
    }),
  );
}

/** Gives one answer the way a person would: ticking options or typing. */
export async function setAnswer(page: Page, id: string, value: Answer): Promise<void> {
  const wrapper = page.locator(`#q-${id}`);
  if ((await wrapper.evaluate((el) => el.tagName)) === "FIELDSET") {
    for (const code of Array.isArray(value) ? value : [String(value)]) await wrapper.locator(`input[value="${code}"]`).check();
  } else {
    await page.locator(`#q-${id}-in`).fill(String(value));
    await page.locator(`#q-${id}-in`).blur();
  }
}

/**
 * Answers the current page: the answers in `given` for questions shown here, then a plain answer
 * to every required question still open (questions revealed by an answer included).
 * Returns what it answered.
 */
export async function answerPage(page: Page, given: Record<string, Answer> = {}): Promise<Record<string, Answer>> {
  const done: Record<string, Answer> = {};
  for (let round = 0; round < 5; round++) {
    let changed = false;
    for (const q of await questionsOnPage(page)) {
      if (Object.hasOwn(done, q.id)) continue;
      let value: Answer | undefined = given[q.id];
      if (value === undefined && q.required && !q.answered) {
        value = q.kind === "multiple" ? [q.options[0]!] : q.kind === "number" ? 40 : q.kind === "text" ? "Không có" : q.options[q.rating ? 3 : 0]!;
      }
      if (value === undefined) continue;
      await setAnswer(page, q.id, value);
      done[q.id] = value;
      changed = true;
    }
    if (!changed) break;
  }
  return done;
}

/** What has focus, as a test names it: the element's id, else its tag and text. */
export async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return !el ? "" : el.id || `${el.tagName.toLowerCase()}:${(el.textContent ?? "").trim().slice(0, 60)}`;
  });
}

/**
 * Runs `action` and tells where focus was at the moment `selector` first appeared (the screen that
 * shows it has just been drawn) and where it is once the page has painted and run its effects: a
 * focus that comes late, or is taken away by a later effect, shows as a difference.
 */
export async function focusWhenShown(page: Page, selector: string, action: () => Promise<void>): Promise<{ atOnce: string; afterPaint: string }> {
  await page.evaluate((sel) => {
    const w = window as unknown as { focusAtShow?: string };
    delete w.focusAtShow;
    const name = () => {
      const el = document.activeElement;
      return !el ? "" : el.id || `${el.tagName.toLowerCase()}:${(el.textContent ?? "").trim().slice(0, 60)}`;
    };
    const observer = new MutationObserver(() => {
      if (!document.querySelector(sel)) return;
      w.focusAtShow = name();
      observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, selector);
  await action();
  const atOnce = (await page.waitForFunction(() => (window as unknown as { focusAtShow?: string }).focusAtShow)).jsonValue() as Promise<string>;
  // Effects that run after paint are scheduled on the next frame; wait for that frame and the task after it.
  await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => setTimeout(done))));
  return { atOnce: await atOnce, afterPaint: await focused(page) };
}

/** Presses the page's main button and waits for the next screen (a new heading). */
export async function pressNext(page: Page): Promise<void> {
  const before = await page.locator("h1").textContent();
  await page.locator("form button[type=submit]").click();
  await page.waitForFunction((prev) => document.querySelector("h1")?.textContent !== prev, before);
}

/** Answers page after page until the form is left (receipt or queue screen); returns every answer given. */
export async function completeForm(page: Page, given: Record<string, Answer> = {}): Promise<Record<string, Answer>> {
  const all: Record<string, Answer> = {};
  while ((await page.locator(".section-body").count()) > 0) {
    Object.assign(all, await answerPage(page, given));
    await pressNext(page);
  }
  return all;
}
