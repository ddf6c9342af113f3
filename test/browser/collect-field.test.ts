/**
 * The enumerator app in the field, in real Chromium against a real server: nobody is stuck. A
 * device clock three days ahead, two open tabs, a round switch with a full queue, a round closed
 * meanwhile, a conflict resolved without a second interview, an app update with a full queue, the
 * queue sent by the service worker with the app closed (Background Sync), instance names in the
 * lists, and progress against the sample targets offline. Each response reaches the server exactly
 * once, or waits in a visible list with its reason and a way out.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { demoUnits, instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { forgetRound } from "../../server/responses/prepare.js";
import { findRound, setRoundStatus, setTargets } from "../../server/rounds/repository.js";
import { getEdition, importEdition } from "../../server/instruments/repository.js";
import { DIST, chromiumAvailable, completeForm, launchBrowser, phoneContext, screenshot, startClientServer, storedResponses, watchErrors } from "./helpers.js";

const DAY = 24 * 3600 * 1000;

describe.skipIf(!chromiumAvailable)("enumerator app in the field", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newContext(serviceWorkers: "allow" | "block", on: TestServer = server): Promise<BrowserContext> {
    return phoneContext(browser, on.url, { serviceWorkers });
  }

  /** First run: round id, an enumerator's sign-in (registers the device), the download. */
  async function setUp(page: Page, round: string, on: TestServer = server): Promise<void> {
    const enumerator = await on.createUser("enumerator");
    await page.goto("/collect");
    await page.locator("#setup-round").fill(round);
    await page.locator("#setup-username").fill(enumerator.username);
    await page.locator("#setup-password").fill(enumerator.password);
    await page.getByRole("button", { name: "Tải về để dùng ngoại tuyến" }).click();
    await expect.poll(() => page.getByTestId("count-queued").textContent()).toBe("0");
  }

  const count = (page: Page, state: "draft" | "queued" | "sent" | "rejected") => page.getByTestId(`count-${state}`).textContent();

  /** One interview through the app: unit by typing (offline search), group, every page. */
  async function interview(page: Page, unitQuery: string, given: Record<string, string> = {}): Promise<void> {
    await page.getByRole("button", { name: "Phỏng vấn mới" }).click();
    await page.locator("#q-unit-in").fill(unitQuery);
    await page.locator(".result").first().click();
    const group = page.locator('#q-group input[value="citizen"]');
    if (await group.count()) await group.check();
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
    await completeForm(page, { did_procedure: "no", ...given });
    await page.getByTestId("count-queued").waitFor();
  }

  /** The records in the device's IndexedDB (read in the page). */
  function localRecords(page: Page): Promise<Array<{ id: string; state: string; round: string }>> {
    return page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((ok, ko) => {
        const req = indexedDB.open("chiso-collect");
        req.onsuccess = () => ok(req.result);
        req.onerror = () => ko(req.error);
      });
      const all = await new Promise<Array<{ id: string; state: string; round: string }>>((ok) => {
        const req = db.transaction("responses").objectStore("responses").getAll();
        req.onsuccess = () => ok(req.result.map((r: { id: string; state: string; round: string }) => ({ id: r.id, state: r.state, round: r.round })));
      });
      db.close();
      return all;
    });
  }

  it("never blocks an interview on a device clock three days ahead: it syncs, the server flags the times, the app shows corrected times", async () => {
    const round = await server.createRound("sipas-2022");
    const context = await newContext("block");
    // The device's clock runs three days ahead of the server's (and keeps running).
    await context.clock.install({ time: Date.now() + 3 * DAY });
    await context.clock.resume();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await setUp(page, round);
    await interview(page, "thon mau 1 phu xuan");
    await expect.poll(() => count(page, "sent"), { timeout: 15_000 }).toBe("1");
    expect(await count(page, "rejected")).toBe("0");
    await expect.poll(() => page.getByTestId("sync-message").textContent()).toBe("Đã gửi 1 phiếu lên máy chủ.");

    const [row] = await server.ctx.db.kysely
      .selectFrom("responses")
      .select(["submitted_at", "received_at", "clock_offset_s", "time_review"])
      .where("round_id", "=", round)
      .execute();
    expect(Date.parse(row!.submitted_at!) - Date.now()).toBeGreaterThan(3 * DAY - 3600_000); // kept as the device reported it
    expect(Math.abs(Date.parse(row!.received_at!) - Date.now())).toBeLessThan(120_000);
    expect(Math.abs(Number(row!.clock_offset_s) - 3 * 24 * 3600)).toBeLessThan(120);
    expect(row!.time_review).toBe("future device_clock");

    // The app learnt the offset: it says so, with what to do, and shows the server's time.
    await expect.poll(() => page.getByTestId("clock-offset").textContent()).toContain("nhanh 3 ngày");
    const [realDay, deviceDay] = await page.evaluate(() =>
      [Date.now() - 3 * 86_400_000, Date.now()].map((t) => new Date(t).toLocaleDateString("vi-VN", { dateStyle: "short" })),
    );
    const sent = await page.getByTestId("sent-list").textContent();
    expect(sent).toContain(realDay!);
    expect(sent).not.toContain(deviceDay!);
    await screenshot(page, "collect-clock-ahead-360");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("with two tabs open, one syncs at a time: each response is sent once and both tabs show it", async () => {
    const round = await server.createRound("sipas-2022");
    const context = await newContext("block");
    const a = await context.newPage();
    await setUp(a, round);
    const b = await context.newPage();
    await b.goto("/collect");
    await expect.poll(() => count(b, "queued")).toBe("0");

    await context.setOffline(true);
    // The interviews are made in the first tab (in front: a background tab draws no frames).
    await a.bringToFront();
    await interview(a, "thon mau 1 phu xuan");
    await interview(a, "thon mau 2 kim long");
    await interview(a, "thon mau 1 vy da");
    await expect.poll(() => count(a, "queued")).toBe("3");

    // A slow network: each sync request takes a while, long enough for the other tab to try too.
    const posted: string[] = [];
    let requests = 0;
    await context.route("**/api/sync", async (route) => {
      requests++;
      posted.push(...(JSON.parse(route.request().postData()!) as { responses: Array<{ id: string }> }).responses.map((r) => r.id));
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await context.setOffline(false); // both tabs see "online" and try to sync
    await b.getByRole("button", { name: "Đồng bộ ngay" }).click();
    await expect.poll(() => count(a, "sent"), { timeout: 20_000 }).toBe("3");
    await expect.poll(() => count(b, "sent"), { timeout: 20_000 }).toBe("3");
    expect(requests).toBe(1);
    expect(posted).toHaveLength(3);
    expect(new Set(posted).size).toBe(3);
    expect((await storedResponses(server, round)).size).toBe(3);
    await context.close();
  });

  it("keeps the queue across a round switch: warns first, counts per round, exports everything, syncs everything", async () => {
    const first = await server.createRound("sipas-2022");
    const second = await server.createRound("sipas-2022");
    const context = await newContext("block");
    const page = await context.newPage();
    await setUp(page, first);
    await context.setOffline(true);
    await interview(page, "thon mau 1 phu xuan");
    await interview(page, "thon mau 2 kim long");
    await expect.poll(() => count(page, "queued")).toBe("2");

    // Online again, but the connection to the server fails: the queue stays while the round changes.
    await context.route("**/api/sync", (route) => route.abort("connectionreset"));
    await context.setOffline(false);
    await page.getByRole("button", { name: "Tải lại / đổi đợt khảo sát" }).click();
    await expect.poll(() => page.getByTestId("switch-warning").textContent()).toContain(`${first}: 2`);
    await screenshot(page, "collect-switch-warning-360", false);
    await page.locator("#setup-round").fill(second);
    await page.getByRole("button", { name: "Tải về để dùng ngoại tuyến" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain(second);
    await expect.poll(() => count(page, "queued")).toBe("0");
    await expect.poll(() => page.getByTestId("other-rounds").textContent()).toContain("2 chờ gửi");
    await expect.poll(() => page.getByRole("button", { name: /Xuất phiếu chưa gửi/ }).textContent()).toContain("(2)");
    await screenshot(page, "collect-other-rounds-360");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /Xuất phiếu chưa gửi/ }).click()]);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { round: string; responses: unknown[] };
    expect(exported.round).toBe(first);
    expect(exported.responses).toHaveLength(2);

    await context.unroute("**/api/sync");
    await page.getByRole("button", { name: "Đồng bộ ngay" }).click();
    await expect.poll(() => page.getByTestId("sync-message").textContent(), { timeout: 15_000 }).toBe("Đã gửi 2 phiếu lên máy chủ.");
    await expect.poll(() => page.getByTestId("other-rounds").count()).toBe(0);
    expect((await storedResponses(server, first)).size).toBe(2);
    expect((await storedResponses(server, second)).size).toBe(0);
    // And the first round is one tap away, its two interviews sent.
    expect((await localRecords(page)).filter((r) => r.round === first && r.state === "sent")).toHaveLength(2);
    await context.close();
  });

  it("a round closed meanwhile: says so and what to do, not a stale notice; sends again once it is reopened", async () => {
    const round = await server.createRound("sipas-2022");
    const context = await newContext("block");
    const page = await context.newPage();
    await setUp(page, round);
    await context.setOffline(true);
    await interview(page, "thon mau 1 phu xuan");
    await expect.poll(() => page.getByTestId("sync-message").textContent()).toBe("Đã lưu phiếu vào hàng chờ gửi.");
    await setRoundStatus(server.ctx.db.kysely, round, "closed");
    forgetRound(round);
    await context.setOffline(false);

    await expect.poll(() => count(page, "rejected"), { timeout: 15_000 }).toBe("1");
    await expect.poll(() => page.getByTestId("sync-message").textContent()).toContain("1 phiếu bị từ chối");
    const item = page.locator(".record.rejected");
    await expect.poll(() => item.textContent()).toContain("Đợt khảo sát đã kết thúc, không nhận thêm phiếu.");
    expect(await item.textContent()).toContain("xuất tệp phiếu và gửi cho điều phối viên");
    expect(await page.getByText("Đã lưu phiếu vào hàng chờ gửi.").count()).toBe(0);
    expect(await item.getByRole("button", { name: "Sửa" }).count()).toBe(0);
    await screenshot(page, "collect-round-closed-360");

    const [download] = await Promise.all([page.waitForEvent("download"), item.getByRole("button", { name: "Xuất tệp" }).click()]);
    expect((JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { responses: unknown[] }).responses).toHaveLength(1);

    await setRoundStatus(server.ctx.db.kysely, round, "open");
    forgetRound(round);
    await item.getByRole("button", { name: "Gửi lại" }).click();
    await expect.poll(() => count(page, "sent"), { timeout: 15_000 }).toBe("1");
    expect(await count(page, "rejected")).toBe("0");
    expect((await storedResponses(server, round)).size).toBe(1);
    await context.close();
  });

  it("resolves a conflict (409) by keeping the one interview the server holds, never a second", async () => {
    const round = await server.createRound("sipas-2022");
    const sipas = await instrumentOf(server.ctx, "sipas-2022");
    const context = await newContext("block");
    const page = await context.newPage();
    await setUp(page, round);
    await context.setOffline(true);
    await interview(page, "thon mau 1 phu xuan");
    const [local] = await localRecords(page);
    // The server already holds other content under the same id (an earlier copy of this interview).
    const other = makeSubmission(sipas, demoUnits(server.ctx, "village")[0]!, "citizen", seededRng(77), { id: local!.id, channel: "enumerator" });
    expect((await server.api("/api/sync", { json: { round, responses: [other] }, headers: await server.deviceHeaders() })).body.summary.stored).toBe(1);

    await context.setOffline(false);
    await expect.poll(() => count(page, "rejected"), { timeout: 15_000 }).toBe("1");
    const item = page.locator(".record.rejected");
    await expect.poll(() => item.textContent()).toContain("chỉ giữ một bản");
    expect(await item.getByRole("button", { name: "Sửa" }).count()).toBe(0);
    await screenshot(page, "collect-conflict-360");
    await item.getByRole("button", { name: "Giữ bản trên máy chủ" }).click();
    await expect.poll(() => count(page, "rejected")).toBe("0");
    expect(await count(page, "sent")).toBe("1");
    await expect.poll(() => page.getByTestId("sent-list").textContent()).toContain("đã giữ bản trên máy chủ");
    // Nothing is sent again, under this id or another.
    await page.getByRole("button", { name: "Đồng bộ ngay" }).click();
    await expect.poll(() => page.getByTestId("sync-message").textContent()).toContain("Không còn phiếu nào chờ gửi");
    const stored = await storedResponses(server, round);
    expect([...stored.keys()]).toEqual([local!.id]);
    expect(stored.get(local!.id)!.answers).toEqual(other.answers);
    await context.close();
  });

  it("names interviews by the instrument's instance name and shows progress against the sample targets, offline", async () => {
    const base = (await getEdition(
      server.ctx.db.kysely,
      "sipas-2022",
      (await findRound(server.ctx.db.kysely, await server.createRound("sipas-2022")))!.editionVersion,
    ))!;
    const instrument = { ...base.instrument, id: "sipas-named", instanceName: 'concat("Phiếu ", ${gender}, "-", ${age_group})' };
    await importEdition(server.ctx.db.kysely, { dir: "", instrument, index: null });
    const round = await server.createRound("sipas-named");
    const villages = demoUnits(server.ctx, "village");
    const named = (key: string) => server.ctx.units.getCached(key)!.fullName;
    const target = villages.find((v) => named(v).startsWith("Thôn mẫu 1") && named(v).includes("Phú Xuân"))!;
    await setTargets(server.ctx.db.kysely, round, [{ unitKey: target, group: "", target: 27 }]);
    // Two already on the server (another enumerator's).
    for (const seed of [1, 2]) {
      const res = await server.api(`/api/rounds/${round}/responses`, { json: makeSubmission(instrument, target, "citizen", seededRng(seed)) });
      expect(res.status).toBe(201);
    }

    const context = await newContext("block");
    const page = await context.newPage();
    const errors = watchErrors(page);
    await setUp(page, round);
    await expect.poll(() => page.getByTestId("progress").textContent()).toContain("2 / 27");
    await context.setOffline(true);
    await interview(page, "thon mau 1 phu xuan");
    await expect.poll(() => page.locator(`[data-unit="${target}"]`).textContent()).toContain("3 / 27");
    const name = await page.getByTestId("queued-list").locator(".record-name").first().textContent();
    expect(name).toMatch(/^Phiếu \S+-\S+$/);
    await screenshot(page, "collect-named-progress-360");
    await context.setOffline(false);
    await expect.poll(() => count(page, "sent"), { timeout: 15_000 }).toBe("1");
    expect(await page.getByTestId("sent-list").locator(".record-name").first().textContent()).toBe(name);
    const mine = [...(await storedResponses(server, round)).values()].find((s) => s.channel === "enumerator") as { answers: Record<string, string> };
    expect(name).toBe(`Phiếu ${mine.answers.gender}-${mine.answers.age_group}`);
    expect(await page.locator(`[data-unit="${target}"]`).textContent()).toContain("3 / 27");

    // The storage notice says what to do, once: put away, it stays away.
    const notice = page.getByTestId("persisted");
    if (await notice.count()) {
      await page.getByRole("button", { name: "Đã hiểu" }).click();
      await expect.poll(() => notice.count()).toBe(0);
      await page.reload();
      await expect.poll(() => count(page, "sent")).toBe("1");
      expect(await notice.count()).toBe(0);
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it("survives an app update with a full queue, and the service worker sends the queue with the app closed (Background Sync)", async () => {
    // A copy of the build that this test may change, served by a server of its own.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-collect-update-"));
    fs.cpSync(DIST, dir, { recursive: true });
    const own = await startTestServer("sqlite", { clientDir: dir });
    try {
      const round = await own.createRound("sipas-2022");
      const context = await newContext("allow", own);
      const page = await context.newPage();
      await setUp(page, round, own);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await context.setOffline(true);
      await interview(page, "thon mau 1 phu xuan");
      await interview(page, "thon mau 2 kim long");
      await expect.poll(() => count(page, "queued")).toBe("2");

      // A new release while the queue is full: the server is busy (sync fails), the app updates.
      const store = own.ctx.store;
      const storeMany = store.storeMany.bind(store);
      store.storeMany = () => Promise.reject(new Error("busy"));
      const sw = path.join(dir, "collect-sw.js");
      fs.writeFileSync(sw, fs.readFileSync(sw, "utf8").replace(/"[0-9a-f]{16}"/, '"0000000000000001"'));
      for (const ext of [".br", ".gz"]) fs.rmSync(sw + ext, { force: true });
      await context.setOffline(false);
      await expect.poll(() => page.getByTestId("sync-message").textContent(), { timeout: 15_000 }).toContain("Chưa gửi được");
      await page.evaluate(() => navigator.serviceWorker.getRegistration("/collect").then((r) => r?.update()));
      await expect.poll(() => page.getByTestId("update-ready").count(), { timeout: 15_000 }).toBe(1);
      await page.getByRole("button", { name: "Tải lại", exact: true }).click();
      await expect.poll(() => count(page, "queued")).toBe("2");
      expect((await storedResponses(own, round)).size).toBe(0);

      // The app is closed; the network is back; the browser wakes the service worker to sync.
      await context.setOffline(true);
      await page.close();
      store.storeMany = storeMany;
      await context.setOffline(false);
      const other = await context.newPage();
      await other.goto("/"); // outside the app's scope: this page does not sync
      const cdp = await context.newCDPSession(other);
      const registration = new Promise<{ registrationId: string; scopeURL: string }>((resolve) => {
        cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
          const found = e.registrations.find((r) => r.scopeURL.endsWith("/collect") && !r.isDeleted);
          if (found) resolve(found);
        });
      });
      await cdp.send("ServiceWorker.enable");
      const { registrationId } = await registration;
      await cdp.send("ServiceWorker.dispatchSyncEvent", { origin: own.url, registrationId, tag: "chiso-collect-sync", lastChance: false });
      await expect.poll(async () => (await storedResponses(own, round)).size, { timeout: 20_000 }).toBe(2);

      const back = await context.newPage();
      await back.goto("/collect");
      await expect.poll(() => count(back, "sent")).toBe("2");
      expect(await count(back, "queued")).toBe("0");
      await context.close();
    } finally {
      await own.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
