/**
 * The units × criteria table in real Chromium, as a provincial analyst uses it on demo data: the
 * dashboard opens on the citizens' SIPAS round, offers only the breakdowns the round has, sorts the
 * communes by component II.3 in one click (and by keyboard), filters by name, exports exactly the
 * table shown (UTF-8 CSV with a byte-order mark), says why a value is missing, shows the round-wide
 * target inside a commune, shows the server's message for a refused download, and fits a 360 px phone.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, DIST, launchBrowser, newContext, phoneContext, screenshot, watchErrors } from "./helpers.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { addDemoResponses } from "../../server/demo/seed.js";
import { findRound } from "../../server/rounds/repository.js";

/** "67,67" → 67.67; a cell without a number → null. */
const numberIn = (text: string): number | null => {
  const m = /(\d+),(\d+)/.exec(text);
  return m ? Number(`${m[1]}.${m[2]}`) : null;
};

describe.skipIf(!chromiumAvailable)("units × criteria table in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let analyst: { username: string; password: string };
  const rounds: Record<string, string> = {};

  const signIn = async (p: Page, url: string) => {
    await p.goto(url);
    await p.locator("#sign-in-user").fill(analyst.username);
    await p.locator("#sign-in-password").fill(analyst.password);
    await p.getByRole("button", { name: "Đăng nhập" }).click();
    await p.locator(".dash-header .signed-in").waitFor();
  };
  /** Opens a dashboard view afresh (a new document, so that the hash is read at start). */
  const open = async (hash: string) => {
    await page.goto("about:blank");
    await page.goto(`/dashboard#${hash}`);
  };
  const table = () => page.locator("table.units-nodes");
  const header = (code: string) =>
    table()
      .locator("thead th")
      .filter({ has: page.locator(".code", { hasText: new RegExp(`^${code.replace(/\./g, "\\.")}$`) }) });
  const columnTexts = async (code: string) => {
    const index = await table()
      .locator("thead th")
      .evaluateAll((ths, c) => ths.findIndex((th) => th.querySelector(".code")?.textContent === c), code);
    return table()
      .locator("tbody tr")
      .evaluateAll((trs, i) => trs.map((tr) => (tr.children[i] as HTMLElement).innerText), index);
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "dashboard.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    // The leader survey is listed first and open: the dashboard must still open on the citizens' survey.
    rounds.leaders = await server.createRound("par-leaders-2022", {
      id: "leaders-demo",
      title: { vi: "Lãnh đạo 2022 (mẫu)", en: "Leaders 2022 (demo)" },
      modes: ["public", "invitation"],
    } as never);
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, rounds.leaders))!, 80, 5);
    rounds.sipas = await server.createRound("sipas-2022", { id: "sipas-demo", title: { vi: "SIPAS 2022 (mẫu)", en: "SIPAS 2022 (demo)" } } as never);
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, rounds.sipas))!, 400, 2);
    // A closed round with few responses: some communes have none at all.
    rounds.few = await server.createRound("sipas-2022", { id: "sipas-few", title: { vi: "SIPAS thử (ít phiếu)", en: "SIPAS trial (few)" } } as never);
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, rounds.few))!, 25, 3);
    await server.ctx.db.kysely.updateTable("rounds").set({ status: "closed" }).where("id", "=", rounds.few).execute();
    // A round-wide target, which must also show inside a commune.
    await server.authenticate("admin");
    const saved = await server.api(`/api/rounds/${rounds.sipas}/targets`, { method: "PUT", json: { targets: [{ kind: "value", node: "SIPAS", value: 85 }] } });
    expect(saved.status).toBe(200);
    analyst = await server.createUser("analyst");
    browser = await launchBrowser();
    const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 }, locale: "vi-VN", acceptDownloads: true });
    page = await context.newPage();
    errors = watchErrors(page);
    await signIn(page, "/dashboard");
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("opens on the citizens' SIPAS round and offers only the breakdowns the round has", async () => {
    await expect.poll(() => page.locator("select[name=round]").inputValue()).toBe(rounds.sipas);
    await table().waitFor();
    // No "Huyện" on the 2025 registry, no "Cơ quan" for a survey of citizens; groups, as there are two.
    await expect
      .poll(() => page.locator("select[name=by] option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)))
      .toEqual(["commune", "village", "group"]);
    await expect.poll(() => table().locator("tbody tr").count()).toBe(40);
    // Columns: the total and the nine components, each cell a value and its rank.
    await expect
      .poll(() => table().locator("thead th .code").allTextContents())
      .toEqual(["SIPAS", "I.1", "I.2", "I.3", "I.4", "II.1", "II.2", "II.3", "II.4", "II.5"]);
    await expect.poll(() => table().locator("tbody tr").first().locator("td").nth(1).innerText()).toMatch(/^\d+,\d{2}\s*(Hạng\s*)?\(\d+\)/);
  });

  it("sorts the communes by component II.3 in one click, and by keyboard", async () => {
    await header("II.3").getByRole("button").click();
    await expect.poll(() => header("II.3").getAttribute("aria-sort")).toBe("descending");
    const values = (await columnTexts("II.3")).map(numberIn);
    expect(values.every((v) => v !== null)).toBe(true);
    expect(values).toEqual([...values].sort((a, b) => b! - a!));
    // The best is ranked 1 at II.3.
    expect((await columnTexts("II.3"))[0]).toMatch(/\(1\)/);
    await screenshot(page, "dashboard-unit-table");

    await header("SIPAS").getByRole("button").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => header("SIPAS").getAttribute("aria-sort")).toBe("descending");
    expect(await header("II.3").getAttribute("aria-sort")).toBeNull();
    await page.keyboard.press("Space");
    await expect.poll(() => header("SIPAS").getAttribute("aria-sort")).toBe("ascending");
    const total = (await columnTexts("SIPAS")).map(numberIn);
    expect(total).toEqual([...total].sort((a, b) => a! - b!));
    await header("II.3").getByRole("button").click();
  });

  it("exports exactly the table shown as UTF-8 CSV with a byte-order mark", async () => {
    const shownNames = await table().locator("tbody th").allInnerTexts();
    const shownII3 = (await columnTexts("II.3")).map((t) => /^\d+,\d{2}/.exec(t)?.[0] ?? "");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Tải bảng này (CSV)" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^chiso-sipas-demo-toan-dot-commune-component\.csv$/);
    const bytes = fs.readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes
      .subarray(3)
      .toString("utf8")
      .trimEnd()
      .split("\r\n")
      .map((l) => l.split(";"));
    const head = lines[0]!;
    expect(head.slice(0, 3)).toEqual(["Đơn vị", "Mã", "Số phiếu"]);
    const ii3 = head.findIndex((h) => h.startsWith("II.3 ") && h.endsWith("(%)"));
    expect(ii3).toBeGreaterThan(2);
    expect(head[ii3 + 1]).toBe("II.3 Hạng");
    expect(head).toContain("SIPAS Còn thiếu");
    expect(lines).toHaveLength(41);
    // Same rows in the same order, values as shown (two decimals, decimal comma).
    expect(lines.slice(1).map((l) => l[0])).toEqual(shownNames.map((n) => n.trim()));
    expect(lines.slice(1).map((l) => l[ii3])).toEqual(shownII3);

    // Filtered by name without diacritics: the export holds that one row.
    await page.getByLabel("Lọc theo tên").fill("khe tre");
    await expect.poll(() => table().locator("tbody tr").count()).toBe(1);
    await expect.poll(() => table().locator("tbody th").innerText()).toBe("Xã Khe Tre");
    const [one] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Tải bảng này (CSV)" }).click()]);
    const oneLines = fs
      .readFileSync((await one.path())!)
      .subarray(3)
      .toString("utf8")
      .trimEnd()
      .split("\r\n");
    expect(oneLines).toHaveLength(2);
    expect(oneLines[1]).toMatch(/^Xã Khe Tre;/);
    await page.getByLabel("Lọc theo tên").fill("");
  });

  it("says why a value is missing: below the minimum, no responses", async () => {
    // Split by group, communes with fewer than 5 organisations' responses are hidden, and say so.
    await open(`round=${rounds.sipas}&view=results&group=organisation`);
    await table().waitFor();
    const small = table()
      .locator("tbody tr")
      .filter({ has: page.locator("td .missing", { hasText: "Ẩn: dưới 5 phiếu" }) })
      .first();
    const n = Number(await small.locator("td").first().innerText());
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(5);
    // The full sentence is there for screen readers (and the legend says it for everyone).
    await expect.poll(() => small.locator("td").nth(1).textContent()).toContain(`${n} phiếu, dưới mức tối thiểu 5 phiếu`);
    await expect.poll(() => page.locator(".missing-legend").innerText()).toMatch(/Dưới 5 phiếu: giá trị không hiển thị/);
    // Drilled into it, the tree says the same rather than a bare dash.
    await small.getByRole("button").click();
    await page.locator("table.tree tbody tr").first().waitFor();
    await expect.poll(() => page.locator("table.tree tbody tr").first().innerText()).toMatch(/Ẩn: dưới 5 phiếu/);

    // A round where some communes have no responses at all: they are listed, and say so.
    await open(`round=${rounds.few}&view=results`);
    await table().waitFor();
    await expect.poll(() => table().locator("tbody tr").count()).toBe(40);
    await expect.poll(() => table().locator("tbody td .missing", { hasText: "Không có phiếu" }).count()).toBeGreaterThan(0);
    await screenshot(page, "dashboard-unit-table-missing");
  });

  it("shows the round-wide target, and the unit's gap to it, inside a commune", async () => {
    await open(`round=${rounds.sipas}&view=results`);
    const first = table().locator("tbody tr").first();
    await expect.poll(() => first.locator("td").nth(1).innerText()).toMatch(/còn thiếu \d+,\d{2}|đạt mục tiêu/);
    await first.getByRole("button").click();
    await page.locator(".applied-targets").waitFor();
    await expect.poll(() => page.locator(".applied-targets").innerText()).toMatch(/SIPAS.*≥ 85,00.*(còn thiếu \d+,\d{2}|đạt mục tiêu).*của toàn đợt/s);
    await expect.poll(() => page.locator("table.tree thead").innerText()).toMatch(/Mục tiêu/);
    await expect.poll(() => page.locator("table.tree tbody tr").first().innerText()).toMatch(/85,00/);
  });

  it("shows the server's message when a download is refused, and saves one that succeeds", async () => {
    await open(`round=${rounds.leaders}&view=results`);
    await page.locator("table.tree tbody tr").first().waitFor();
    await page.locator("details.exports summary").click();
    // Raw responses of an invitation round: administrators only (403).
    await page.locator("details.exports li", { hasText: "Phiếu (mỗi phiếu một dòng)" }).getByRole("link", { name: "CSV" }).click();
    await expect.poll(() => page.locator("details.exports [role=alert]").innerText()).toMatch(/Không tải được tệp: Chỉ quản trị viên được xuất phiếu gốc/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("details.exports li", { hasText: "Bảng kết quả" }).getByRole("link", { name: "CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(fs.statSync((await download.path())!).size).toBeGreaterThan(100);
    await expect.poll(() => page.locator("details.exports [role=status]").innerText()).toMatch(/^Đã tải /);
    expect(errors).toEqual([]);
  });

  it("fits a 360 px phone in every view; the wide tables scroll inside named regions", async () => {
    const context = await phoneContext(browser, server.url, { serviceWorkers: "block" });
    const phone = await context.newPage();
    const phoneErrors = watchErrors(phone);
    await signIn(phone, `/dashboard#round=${rounds.sipas}&view=results&compare=${rounds.few}`);
    await phone.locator("table.units-nodes tbody tr").first().waitFor();
    await expect.poll(() => phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const region = phone.getByRole("region", { name: "Bảng đơn vị theo tiêu chí" });
    expect(await region.getAttribute("tabindex")).toBe("0");
    // The table is wider than the phone and scrolls inside its region.
    expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await screenshot(phone, "dashboard-phone-results");
    for (const [tab, ready] of [
      ["Tiến độ", "svg.columns"],
      ["Xếp hạng", "table.ranking tbody tr"],
      ["So sánh năm", "svg.paired"],
      ["Tiêu chí yếu", "table tbody tr"],
      ["Mục tiêu", "select[name=kind]"],
    ] as const) {
      await phone.getByRole("button", { name: tab, exact: true }).click();
      await phone.locator(ready).first().waitFor();
      await expect.poll(() => phone.evaluate(() => document.documentElement.scrollWidth), { message: tab }).toBeLessThanOrEqual(360);
    }
    await screenshot(phone, "dashboard-phone-targets");
    await phone.getByRole("button", { name: "Xếp hạng", exact: true }).click();
    await phone.locator("table.ranking tbody tr").first().waitFor();
    await screenshot(phone, "dashboard-phone-ranking");
    expect(phoneErrors).toEqual([]);
    await context.close();
  });
});
