/**
 * What a citizen's phone downloads, measured where it counts: bytes on the wire as Chromium's
 * network stack reports them (CDP `encodedDataLength`: compressed bodies plus headers), for a cold
 * load of the SIPAS respondent page up to its first question, form definition included; and that a
 * revisit of the definition costs a 304's headers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, CDPSession } from "playwright-core";
import type { TestServer } from "../helpers/server.js";
import { chromiumAvailable, launchBrowser, phoneContext, startClientServer, watchErrors } from "./helpers.js";

/**
 * The goal on the whole cold load, definition included: 40 KB (about 39 KB today, 120 KB before
 * compression). The page's script is two files (the entry and the "form" chunk, vite.config.ts).
 */
const COLD_LOAD_BUDGET = 40 * 1024;

interface Transfer {
  url: string;
  status: number;
  encoding: string;
  bytes: number;
}

/** Records every request of a page through CDP, with its transferred size once finished. */
async function recordTransfers(cdp: CDPSession) {
  const pending = new Map<string, Partial<Transfer>>();
  const done: Transfer[] = [];
  cdp.on("Network.requestWillBeSent", (e) => pending.set(e.requestId, { url: e.request.url }));
  cdp.on("Network.responseReceived", (e) => {
    const entry = pending.get(e.requestId);
    if (entry)
      Object.assign(entry, {
        status: e.response.status,
        encoding: String(e.response.headers["content-encoding"] ?? e.response.headers["Content-Encoding"] ?? ""),
      });
  });
  cdp.on("Network.loadingFinished", (e) => {
    const entry = pending.get(e.requestId);
    pending.delete(e.requestId);
    if (entry) done.push({ status: 0, encoding: "", ...entry, bytes: e.encodedDataLength } as Transfer);
  });
  cdp.on("Network.loadingFailed", (e) => pending.delete(e.requestId));
  await cdp.send("Network.enable");
  return { done, inFlight: () => pending.size };
}

describe.skipIf(!chromiumAvailable)("bytes on the wire for the respondent page", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(`a cold load of the SIPAS form travels compressed and within ${COLD_LOAD_BUDGET / 1024} KB; a revisit of the definition costs only a 304`, async () => {
    const round = await server.createRound("sipas-2022");
    const context = await phoneContext(browser, server.url, { serviceWorkers: "block" });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
    const transfers = await recordTransfers(cdp);

    await page.goto(`/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    await expect.poll(() => transfers.inFlight()).toBe(0);

    const table = transfers.done.map((t) => `${String(t.bytes).padStart(7)}  ${t.status} ${t.encoding || "identity"}  ${new URL(t.url).pathname}`).join("\n");
    const total = transfers.done.reduce((sum, t) => sum + t.bytes, 0);
    console.log(`cold load of /r/${round}: ${total} bytes on the wire\n${table}`);
    // Fetched once: the page's preload hint (Link header) is the request the form's script uses.
    const definitions = transfers.done.filter((t) => t.url.includes(`/api/rounds/${round}/form`));
    expect(definitions.length, table).toBe(1);
    // Every text body of some size arrived compressed (brotli, which Chromium asks for).
    for (const t of transfers.done) {
      if (t.bytes > 1500 && !/\.(png|ico|woff2?)$/.test(new URL(t.url).pathname)) expect(t.encoding, `${t.url} was sent uncompressed`).toMatch(/^(br|gzip)$/);
    }
    expect(total, table).toBeLessThanOrEqual(COLD_LOAD_BUDGET);

    // The definition is fetched again on a revisit, and costs a 304 with no body.
    const before = transfers.done.length;
    await page.reload();
    await page.locator("#q-unit-in").waitFor();
    await expect.poll(() => transfers.inFlight()).toBe(0);
    const again = transfers.done.slice(before).find((t) => t.url.includes(`/api/rounds/${round}/form`));
    // Chromium reports a revalidated response with the cached status (200); what travelled was a 304's headers.
    expect(again, "the definition was asked for again").toBeDefined();
    expect(again!.bytes, "the definition on a revisit: headers only, no body").toBeLessThan(1024);
    expect(errors).toEqual([]);
    await context.close();
  });
});
