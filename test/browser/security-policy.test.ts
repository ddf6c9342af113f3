/**
 * The Content-Security-Policy in real Chromium: every page of the built client works under it with no
 * violation, a script injected into a page is refused (and the browser tests notice), and no page can
 * be framed by another site.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import type { TestServer } from "../helpers/server.js";
import { chromiumAvailable, launchBrowser, newContext, phoneContext, startClientServer, takeViolations, watchErrors } from "./helpers.js";

describe.skipIf(!chromiumAvailable)("content security policy in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
    context = await phoneContext(browser, server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("every page renders under the policy without a violation", async () => {
    const round = await server.createRound("sipas-2022");
    const pages: Array<[string, string]> = [
      ["/", "h1"],
      [`/r/${round}`, "#q-unit-in"],
      ["/i/unknown-token", "[role=alert]"],
      ["/collect", "#setup-round"],
      ["/dashboard", "#sign-in-user"],
      ["/admin", "#sign-in-user"],
    ];
    for (const [url, ready] of pages) {
      const page = await context.newPage();
      const errors = watchErrors(page);
      const response = await page.goto(url);
      expect(response!.headers()["content-security-policy"]).toMatch(/script-src 'self'/);
      await page.locator(ready).first().waitFor();
      expect({ url, errors }).toEqual({ url, errors: [] });
      await page.close();
    }
  });

  it("refuses a script injected into a page, and the tests see the violation", async () => {
    const round = await server.createRound("sipas-2022");
    const page = await context.newPage();
    await page.goto(`/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    const ran = await page.evaluate(() => {
      const w = window as unknown as { injected?: boolean };
      const script = document.createElement("script");
      try {
        script.textContent = "window.injected = true"; // a Trusted Types sink: refused outright
      } catch {
        /* refused */
      }
      document.body.append(script);
      const handler = document.createElement("div");
      try {
        handler.setAttribute("onclick", "window.injected = true");
      } catch {
        /* refused */
      }
      document.body.append(handler);
      handler.click();
      return w.injected === true;
    });
    expect(ran).toBe(false);
    await expect.poll(() => takeViolations().join("\n")).toMatch(/require-trusted-types-for|script-src/);
    await page.close();
  });

  it("cannot be framed by another site", async () => {
    // A page of no origin of ours, framing the administration screens.
    const outside = await newContext(browser, {});
    const page = await outside.newPage();
    await page.setContent(`<iframe src="${server.url}/admin"></iframe>`);
    await expect.poll(() => takeViolations().join("\n")).toMatch(/frame-ancestors/);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framedApp = await frame?.evaluate(() => document.getElementById("app")?.childElementCount ?? 0).catch(() => 0);
    expect(framedApp ?? 0).toBe(0);
    await outside.close();
  });
});
