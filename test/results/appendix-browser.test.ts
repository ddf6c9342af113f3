/**
 * The appendices downloaded from the dashboard in real Chromium, as an analyst does: a commune's
 * results workbook carries its rank as on screen (the link asks for rank=1) and the Vietnamese file
 * name; once the units × criteria table is broken down and sorted, the ranking appendix of that
 * level downloads ordered by the sorted node.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, DIST, launchBrowser, newContext, watchErrors } from "../browser/helpers.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { addDemoResponses, DEMO_PROVINCE } from "../../server/demo/seed.js";
import { findRound } from "../../server/rounds/repository.js";
import type { ResultsResponse } from "../../shared/results/types.js";

/** Every cell of the first sheet as text, row by row. */
async function sheetText(file: string): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.worksheets[0]!;
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) {
      const v = row.getCell(c).value;
      cells.push(v === null || v === undefined ? "" : typeof v === "object" && "richText" in v ? v.richText.map((part) => part.text).join("") : String(v));
    }
    rows.push(cells);
  });
  return rows;
}

describe.skipIf(!chromiumAvailable)("appendix downloads from the dashboard", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let round: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "dashboard.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    round = await server.createRound("sipas-2022", { id: "sipas-phu-luc", title: { vi: "SIPAS 2022 (mẫu)", en: "SIPAS 2022 (demo)" } } as never);
    await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, round))!, 300, 4);
    await server.authenticate("admin");
    const analyst = await server.createUser("analyst");
    browser = await launchBrowser();
    const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 }, locale: "vi-VN", acceptDownloads: true });
    page = await context.newPage();
    errors = watchErrors(page);
    await page.goto("/dashboard");
    await page.locator("#sign-in-user").fill(analyst.username);
    await page.locator("#sign-in-password").fill(analyst.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.locator(".dash-header .signed-in").waitFor();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const download = async (row: string, format: string) => {
    await page.locator("details.exports[open]").or(page.locator("details.exports summary")).first().waitFor();
    if (!(await page.locator("details.exports").evaluate((d) => (d as HTMLDetailsElement).open))) await page.locator("details.exports summary").click();
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("details.exports li", { hasText: row }).getByRole("link", { name: format }).click(),
    ]);
    return { name: file.suggestedFilename(), path: (await file.path())! };
  };

  it("a commune's workbook has its rank as on screen and its name", async () => {
    const ranked = (await server.api(`/api/rounds/${round}/results?by=commune`)).body as ResultsResponse;
    const row = ranked.rows!.find((r) => !r.suppressed && r.root.rank! > 1)!;
    // A new document, so that the hash is read at start.
    await page.goto("about:blank");
    await page.goto(`/dashboard#round=${round}&view=results&unit=${encodeURIComponent(row.unit!.key)}`);
    await page.locator("table.tree tbody tr").first().waitFor();
    const file = await download("Bảng kết quả", "XLSX");
    expect(file.name).toBe(`${round} - kết quả - ${row.unit!.fullName}.xlsx`);
    const text = await sheetText(file.path);
    expect(text.map((r) => r[0]).find((t) => t?.startsWith("Xếp hạng chung: "))).toBe(`Xếp hạng chung: ${row.root.rank}/${row.root.of}`);
    expect(text.some((r) => r[0] === "Mã" && r[4] === "Xếp hạng")).toBe(true);
    expect(errors).toEqual([]);
  });

  it("the ranking appendix of the level chosen in the table, ordered by the sorted column", async () => {
    await page.goto("about:blank");
    await page.goto(`/dashboard#round=${round}&view=results&unit=${encodeURIComponent(DEMO_PROVINCE)}&by=commune&sort=II.3:desc`);
    await page.locator("table.units-nodes tbody tr").first().waitFor();
    const file = await download("Bảng xếp hạng", "XLSX");
    expect(file.name).toBe(`${round} - kết quả - Thành phố Huế - theo xã, phường.xlsx`);
    const text = await sheetText(file.path);
    const h = text.findIndex((r) => r[0] === "STT");
    const rank = text[h]!.indexOf("Hạng II.3");
    expect(rank).toBeGreaterThan(0);
    const ranks = text
      .slice(h + 1)
      .filter((r) => /^\d+$/.test(r[0]!))
      .map((r) => r[rank]!)
      .filter(Boolean)
      .map(Number);
    expect(ranks.length).toBeGreaterThan(10);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(text.map((r) => r[0]).find((t) => t?.startsWith("Xếp theo: "))).toMatch(/II\.3/);
    expect(errors).toEqual([]);
  });
});
