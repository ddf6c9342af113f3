/**
 * The enumerator app in real Chromium against a real server: interviews recorded offline and kept
 * through a reload served by the service worker, an interview left the instant after an answer that
 * keeps the answer, a sync cut in the middle that loses and doubles nothing, and a rejected response
 * fixed and resent.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { TestServer } from "../helpers/server.js";
import { DEMO_PROVINCE } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { PROBLEMS } from "../../shared/errors.js";
import { forgetRound } from "../../server/responses/prepare.js";
import {
  chromiumAvailable,
  completeForm,
  focusWhenShown,
  launchBrowser,
  phoneContext,
  screenshot,
  startClientServer,
  storedResponses,
  watchErrors,
} from "./helpers.js";

describe.skipIf(!chromiumAvailable)("enumerator app in Chromium", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newPage(serviceWorkers: "allow" | "block"): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    // Request interception (page.route) does not see what a service worker handles: tests that
    // route requests run without it.
    const context = await phoneContext(browser, server.url, { serviceWorkers });
    const page = await context.newPage();
    return { context, page, errors: watchErrors(page) };
  }

  /** First run: the round id and an enumerator's sign-in (which registers the device), then the download. */
  async function setUp(page: Page, round: string): Promise<void> {
    const enumerator = await server.createUser("enumerator");
    await page.goto("/collect");
    await page.locator("#setup-round").fill(round);
    await page.locator("#setup-username").fill(enumerator.username);
    await page.locator("#setup-password").fill(enumerator.password);
    await page.getByRole("button", { name: "Tải về để dùng ngoại tuyến" }).click();
    await expect.poll(() => page.getByTestId("count-queued").textContent()).toBe("0");
  }

  const count = (page: Page, state: "draft" | "queued" | "sent" | "rejected") => page.getByTestId(`count-${state}`).textContent();

  /** One interview through the app: unit by typing (offline search), group, every page. */
  async function interview(page: Page, unitQuery: string): Promise<string> {
    await page.getByRole("button", { name: "Phỏng vấn mới" }).click();
    await page.locator("#q-unit-in").fill(unitQuery);
    const first = page.locator(".result").first();
    const name = (await first.locator("span").first().textContent())!;
    await first.click();
    await page.locator('#q-group input[value="citizen"]').check();
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
    await completeForm(page, { did_procedure: "no" });
    await page.getByTestId("count-queued").waitFor();
    return name;
  }

  it("records three interviews offline, keeps them through a reload served by the service worker, and syncs them once back online", async () => {
    const round = await server.createRound("sipas-2022");
    const { context, page, errors } = await newPage("allow");
    await setUp(page, round);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await context.setOffline(true);
    await expect.poll(() => page.getByTestId("online").textContent()).toContain("Không có mạng");
    const names = [await interview(page, "thon mau 1 phu xuan"), await interview(page, "thon mau 2 kim long"), await interview(page, "thôn mẫu 1 vỹ dạ")];
    expect(new Set(names).size).toBe(3);
    await expect.poll(() => count(page, "queued")).toBe("3");
    await screenshot(page, "collect-queue-offline-360");

    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await expect.poll(() => count(page, "queued")).toBe("3");
    await expect.poll(() => count(page, "sent")).toBe("0");
    expect((await storedResponses(server, round)).size).toBe(0);

    // The escape hatch: the export file is a sync body as it stands; a computer uploads it first.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /Xuất phiếu chưa gửi/ }).click()]);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { round: string; deviceId: string; responses: Array<{ id: string }> };
    expect(exported.round).toBe(round);
    expect(exported.responses).toHaveLength(3);
    const upload = await server.api("/api/sync", { json: exported, headers: await server.deviceHeaders() });
    expect(upload.body.summary).toEqual({ stored: 3, duplicate: 0, conflict: 0, invalid: 0 });

    // Back online the device syncs the same three: the server calls them duplicates, stores nothing new.
    await context.setOffline(false);
    await expect.poll(() => count(page, "sent"), { timeout: 15_000 }).toBe("3");
    await expect.poll(() => count(page, "queued")).toBe("0");
    await screenshot(page, "collect-queue-synced-360");
    const stored = [...(await storedResponses(server, round)).values()] as Array<Record<string, any>>;
    expect(stored).toHaveLength(3);
    expect(stored.map((s) => s.id).sort()).toEqual(exported.responses.map((r) => r.id).sort());
    expect(stored.map((s) => server.ctx.units.getCached(s.unit)!.fullName).sort()).toEqual([...names].sort());
    expect(new Set(stored.map((s) => s.channel))).toEqual(new Set(["enumerator"]));
    expect(new Set(stored.map((s) => s.deviceId)).size).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("keeps the last answer of an interview left the instant after it, and opens it again as it was", async () => {
    const round = await server.createRound("sipas-2022");
    const { context, page, errors } = await newPage("block");
    await setUp(page, round);
    await page.getByRole("button", { name: "Phỏng vấn mới" }).click();
    await page.locator("#q-unit-in").fill("thon mau 1 phu xuan");
    const unit = (await page.locator(".result").first().locator("span").first().textContent())!;
    await page.locator(".result").first().click();
    await page.locator('#q-group input[value="citizen"]').waitFor();
    // The answer and "back to the list" in one go, before the app could draw or run an effect.
    await page.evaluate(() => {
      document.querySelector<HTMLInputElement>('#q-group input[value="citizen"]')!.click();
      [...document.querySelectorAll<HTMLButtonElement>("header button")].find((b) => b.textContent === "Về danh sách")!.click();
    });
    await expect.poll(() => count(page, "draft")).toBe("1");
    await expect.poll(() => page.locator(".records .record").first().textContent()).toContain(unit);

    await page.reload();
    await page.getByRole("button", { name: "Mở", exact: true }).click();
    await expect.poll(() => page.locator('#q-group input[value="citizen"]').isChecked()).toBe(true);
    expect(await page.locator("#q-unit .chosen-unit").textContent()).toContain(unit);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("loses and doubles nothing when the connection drops after the server stored a batch but before its answer arrived", async () => {
    const round = await server.createRound("sipas-2022");
    const sipas = await instrumentOf(server.ctx, "sipas-2022");
    const villages = demoUnits(server.ctx, "village");
    const { context, page } = await newPage("block");
    await setUp(page, round);

    // 600 responses from another tablet, as two export files: two sync batches (500 + 100).
    const responses = Array.from({ length: 600 }, (_, i) =>
      makeSubmission(sipas, villages[i % villages.length]!, "citizen", seededRng(1000 + i), { channel: "enumerator", deviceId: "tablet-7" }),
    );
    const file = (part: typeof responses, n: number) => ({
      name: `chiso-${round}-${n}.json`,
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify({ round, deviceId: "tablet-7", responses: part })),
    });

    let calls = 0;
    await page.route("**/api/sync", async (route) => {
      calls++;
      if (calls !== 2) return route.continue();
      // The second batch reaches the server and is stored; the reply is lost on the way back.
      const reply = await route.fetch();
      expect(reply.status()).toBe(200);
      await route.abort("connectionreset");
    });
    await page.getByTestId("import").setInputFiles([file(responses.slice(0, 300), 1), file(responses.slice(300), 2)]);
    await expect.poll(() => page.getByTestId("transfer-message").textContent()).toContain("600");
    // Importing starts a sync: the first batch is acknowledged, the second not.
    await expect.poll(() => count(page, "sent"), { timeout: 20_000 }).toBe("500");
    await expect.poll(() => page.getByTestId("sync-message").textContent()).toContain("Chưa gửi được");
    await expect.poll(() => count(page, "queued")).toBe("100");
    expect((await storedResponses(server, round)).size).toBe(600);

    await page.unroute("**/api/sync");
    await page.getByRole("button", { name: "Đồng bộ ngay" }).click();
    await expect.poll(() => count(page, "sent"), { timeout: 20_000 }).toBe("600");
    await expect.poll(() => count(page, "queued")).toBe("0");
    await expect.poll(() => count(page, "rejected")).toBe("0");
    const stored = await storedResponses(server, round);
    expect([...stored.keys()].sort()).toEqual(responses.map((r) => r.id).sort());
    await context.close();
  });

  it("shows a response the server refused with its reason, and resends it once fixed", async () => {
    const round = await server.createRound("sipas-2022");
    const { context, page } = await newPage("block");
    await setUp(page, round);

    // After the download, the coordinator narrows the round to one commune (the others went to
    // another team). The device still lists every village, so an interview recorded in a village
    // outside the new scope is refused on sync: a situation only the server can detect.
    const communes = server.ctx.units.childrenOf(DEMO_PROVINCE).filter((u) => u.level === "commune");
    const kept = communes.find((c) => c.name === "Phong Điền")!;
    await server.ctx.db.kysely
      .updateTable("rounds")
      .set({ scope_json: JSON.stringify([kept.key]) })
      .where("id", "=", round)
      .execute();
    forgetRound(round); // changed behind the server's back: drop its brief cache of the round

    await interview(page, "thon mau 1 kim long");
    await expect.poll(() => count(page, "rejected"), { timeout: 15_000 }).toBe("1");
    await expect.poll(() => page.locator(".record.rejected").textContent()).toContain(PROBLEMS.unit_not_in_scope.vi);
    await screenshot(page, "collect-rejected-list-360");

    // It opens on its first problem, with focus there.
    const focus = await focusWhenShown(page, "#q-unit-err", () => page.getByRole("button", { name: "Sửa" }).click());
    expect(focus).toEqual({ atOnce: "button:Chọn đơn vị khác", afterPaint: "button:Chọn đơn vị khác" });
    await expect.poll(() => page.locator("#q-unit-err").textContent()).toContain(PROBLEMS.unit_not_in_scope.vi);
    await screenshot(page, "collect-rejected-open-360", false);
    const id = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((ok, ko) => {
        const req = indexedDB.open("chiso-collect");
        req.onsuccess = () => ok(req.result);
        req.onerror = () => ko(req.error);
      });
      const all = await new Promise<Array<{ id: string; state: string }>>((ok) => {
        const req = db.transaction("responses").objectStore("responses").getAll();
        req.onsuccess = () => ok(req.result);
      });
      db.close();
      return all.find((r) => r.state === "rejected")!.id;
    });

    await page.getByRole("button", { name: "Chọn đơn vị khác" }).click();
    await page.locator("#q-unit-in").fill("thon mau 2 phong dien");
    await page.locator(".result").first().click();
    await page.getByRole("button", { name: "Đã sửa xong, gửi lại" }).click();
    await expect.poll(() => count(page, "sent"), { timeout: 15_000 }).toBe("1");
    await expect.poll(() => count(page, "rejected")).toBe("0");

    const stored = await storedResponses(server, round);
    expect([...stored.keys()]).toEqual([id]);
    const unit = server.ctx.units.getCached(stored.get(id)!.unit as string)!;
    expect(unit.parentKey).toBe(kept.key);
    await context.close();
  });
});
