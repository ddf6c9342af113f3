/**
 * Shared set-up of the browser tests: Debian's Chromium through playwright-core, a real chiso server
 * on a temp SQLite database serving the built client, phone-sized pages and screenshots.
 */
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { REPO_ROOT } from "../../server/config.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

export const CHROMIUM_PATH = process.env.CHISO_CHROMIUM ?? "/usr/bin/chromium";
export const chromiumAvailable = fs.existsSync(CHROMIUM_PATH);
if (!chromiumAvailable) {
  console.warn(`Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium); the browser tests are skipped.`);
}

export const DIST = path.join(REPO_ROOT, "dist");
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

/** Launches Chromium with a fresh temporary profile (playwright makes and removes it). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
}

/** The test server with the built client; fails clearly when `vite build` has not run. */
export async function startClientServer(): Promise<TestServer> {
  if (!fs.existsSync(path.join(DIST, "respond.html")) || !fs.existsSync(path.join(DIST, "collect.html"))) {
    throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` before the browser tests.`);
  }
  return startTestServer("sqlite", { clientDir: DIST });
}

/** A fresh context (no storage, no service worker) sized like a phone. */
export async function phoneContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: PHONE, deviceScaleFactor: 2, hasTouch: true, isMobile: true, locale: "vi-VN" });
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
