/**
 * The administration screens in real Chromium against a real server: an administrator creates a
 * round through the form (a refused id first), opens it, imports invitees (a bad file first),
 * follows completion as one invitee answers, creates an enumerator account, revokes a device,
 * imports villages and reads the audit log; an analyst is refused. Screenshots of every tab go to
 * test-results/screenshots/admin-*.png.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chromiumAvailable, DIST, launchBrowser, newContext, screenshot, watchErrors } from "./helpers.js";
import { DEMO_PROVINCE, startTestServer, type TestServer } from "../helpers/server.js";
import { instrumentOf, makeSubmission } from "../helpers/responses.js";
import { seededRng } from "../../server/demo/random.js";
import { anonymousAnswer, openInvitation } from "../helpers/invitee.js";

const LAPTOP = { width: 1280, height: 860 };
const ROUND = { id: "lanh-dao-hue-2026", vi: "Khảo sát lãnh đạo Huế 2026", en: "Hue leader survey 2026" };

describe.skipIf(!chromiumAvailable)("administration screens in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let admin: { username: string; password: string };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "admin.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
    // A round whose id the form will find taken.
    await server.createRound("sipas-2022", { id: "sipas-hue-2026", title: { vi: "SIPAS Huế 2026", en: "SIPAS Hue 2026" } } as never);
    admin = await server.createUser("admin", { username: "quantri" });
    browser = await launchBrowser();
    context = await newContext(browser, { baseURL: server.url, viewport: LAPTOP, locale: "vi-VN", acceptDownloads: true });
    page = await context.newPage();
    errors = watchErrors(page);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = async (p: Page, who: { username: string; password: string }) => {
    await p.locator("#sign-in-user").fill(who.username);
    await p.locator("#sign-in-password").fill(who.password);
    await p.getByRole("button", { name: "Đăng nhập" }).click();
  };
  const tab = (name: string) => page.getByRole("navigation", { name: "Các mục quản trị" }).getByRole("link", { name });
  const dialogButton = (name: string) => page.locator("dialog.confirm").getByRole("button", { name, exact: true });

  it("refuses an analyst", async () => {
    const analyst = await server.createUser("analyst");
    const other = await newContext(browser, { baseURL: server.url, viewport: LAPTOP, locale: "vi-VN" });
    const p = await other.newPage();
    await p.goto("/admin");
    const login = p.waitForResponse((r) => r.url().endsWith("/api/auth/login"));
    await signIn(p, analyst);
    expect((await login).status()).toBe(200);
    // The account is real but not an administrator's: the page says why it stays closed at once.
    await expect.poll(() => p.locator(".sign-in [role=alert]").textContent()).toBe("Tài khoản này không có quyền xem trang này.");
    expect(await p.locator("nav.tabs").count()).toBe(0);
    expect((await p.request.get("/api/users")).status()).toBe(403);
    // And so it does after a reload, with the analyst's session.
    await p.reload();
    await expect.poll(() => p.locator(".sign-in [role=alert]").textContent()).toBe("Tài khoản này không có quyền xem trang này.");
    expect(await p.locator("nav.tabs").count()).toBe(0);
    await screenshot(p, "admin-refused");
    await other.close();
  });

  it("creates a round through the form: a taken id is shown at the field, then it is created and opened", async () => {
    await page.goto("/admin");
    await signIn(page, admin);
    await page.locator("table.rounds").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Quản trị hệ thống");
    expect(await tab("Đợt khảo sát").getAttribute("aria-current")).toBe("page");

    await page.getByRole("button", { name: "Tạo đợt khảo sát mới" }).click();
    await page.locator("#round-id").fill("sipas-hue-2026");
    await page.locator("#round-title-vi").fill(ROUND.vi);
    await page.locator("#round-title-en").fill(ROUND.en);
    await page.locator("#round-edition").selectOption("par-leaders-2022");
    // The questionnaire's respondent groups appear as check boxes, all ticked; invitation is the mode.
    await expect.poll(() => page.locator("#round-groups input:checked").count()).toBe(4);
    expect(await page.locator('#round-modes input[value="invitation"]').isChecked()).toBe(true);
    // Each invitation cell (group × province) needs this many invitees; the file below has cells of three.
    await page.locator("#round-min-cell").fill("3");
    await page.locator("#round-scope").fill("Huế");
    await page.locator("#round-scope-results button", { hasText: "Thành phố Huế" }).first().click();
    await expect.poll(() => page.locator("#new-round .chips").innerText()).toContain("Thành phố Huế");
    await page.getByRole("button", { name: "Tạo đợt khảo sát", exact: true }).click();

    await expect.poll(() => page.locator("#round-id-err").textContent()).toBe("Mã đợt khảo sát đã có.");
    expect(await page.locator("#round-id").getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("round-id");
    expect(await page.locator("#new-round [role=alert]").first().textContent()).toMatch(/hãy sửa các ô được đánh dấu/);
    await screenshot(page, "admin-rounds-error");

    await page.locator("#round-id").fill(ROUND.id);
    await page.getByRole("button", { name: "Tạo đợt khảo sát", exact: true }).click();
    await expect.poll(() => page.locator(".notice.ok").textContent()).toMatch(/Đã tạo đợt khảo sát “Khảo sát lãnh đạo Huế 2026”/);
    const row = page.locator(`tr[data-round="${ROUND.id}"]`);
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Nháp");
    await expect.poll(() => row.innerText()).toMatch(/Thành phố Huế/);

    await row.getByRole("button", { name: `Mở đợt: ${ROUND.vi}` }).click();
    await expect.poll(() => page.locator("dialog.confirm").textContent()).toMatch(/Mở đợt khảo sát “Khảo sát lãnh đạo Huế 2026”\?/);
    await dialogButton("Mở đợt").click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Đang mở");
    // Focus goes back where it was: the row's button, now "Đóng đợt" after the list reloads.
    expect((await server.api(`/api/rounds/${ROUND.id}`)).body.round.status).toBe("open");
    await screenshot(page, "admin-rounds");
  });

  it("imports invitees (a bad row, then a cell below the minimum, refused first), links download with the session, progress counts an opening and a response", async () => {
    await page
      .locator(`tr[data-round="${ROUND.id}"]`)
      .getByRole("link", { name: `Thư mời: ${ROUND.vi}` })
      .click();
    await page.locator("#invitees-file").waitFor();
    expect(new URL(page.url()).pathname).toBe("/admin/invitations");
    expect(await page.locator("#invitation-round").inputValue()).toBe(ROUND.id);
    expect(await page.locator(".anonymity").textContent()).toMatch(/không thể gắn với người được mời/);

    const bad = "name,email,group,agency\nNguyễn Văn An,an@example.vn,so,SNV\nTrần Thị Bình,khong-phai-thu,so,STP\n";
    await page.locator("#invitees-file").setInputFiles({ name: "moi.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.getByRole("button", { name: "Tải lên" }).click();
    const refused = page.locator(".line-errors");
    await expect.poll(() => refused.locator("tbody tr").count()).toBe(1);
    expect(await refused.locator("tbody tr td").nth(0).textContent()).toBe("3");
    expect(await refused.locator("tbody tr td").nth(1).textContent()).toBe("email");
    expect(await server.count("invitations")).toBe(0);

    // Every row is right, but the HĐND cell has one invitee: fewer than the round's minimum of 3, refused whole.
    const header =
      "\uFEFFname,email,group,agency\nNguyễn Văn An,an@example.vn,so,SNV\nTrần Thị Bình,binh@example.vn,so,STP\nĐỗ Văn Dũng,dung@example.vn,so,SNV\n";
    await page
      .locator("#invitees-file")
      .setInputFiles({ name: "moi.csv", mimeType: "text/csv", buffer: Buffer.from(`${header}Lê Văn Cường,cuong@example.vn,hdnd,HDND\n`) });
    await page.getByRole("button", { name: "Tải lên" }).click();
    await expect.poll(() => page.locator("#upload-title").locator("xpath=..").innerText()).toMatch(/chỉ có 1 người được mời, ít hơn cỡ ô tối thiểu 3/);
    expect(await server.count("invitations")).toBe(0);

    const good = `${header}Lê Văn Cường,cuong@example.vn,hdnd,HDND\nVũ Thị Hà,ha@example.vn,hdnd,HDND\nNgô Văn Khánh,khanh@example.vn,hdnd,HDND\n`;
    await page.locator("#invitees-file").setInputFiles({ name: "moi.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await page.getByRole("button", { name: "Tải lên" }).click();
    await expect.poll(() => page.locator(".notice.ok").textContent()).toBe("Đã nhập 6 người được mời.");
    await expect.poll(() => page.locator("#completion-total").textContent()).toBe("Đã mở 0/6 thư mời; đã nhận 0 phiếu.");

    // The download link is a plain GET: the session cookie goes along.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Tất cả người được mời" }).click()]);
    const links = fs.readFileSync((await download.path())!, "utf8");
    expect(links).toContain("Lê Văn Cường");
    // The token is in the fragment, which browsers never send.
    const tokens = [...links.matchAll(/\/i\/#([A-Za-z0-9_-]+)/g)].map((m) => m[1]!);
    expect(tokens).toHaveLength(6);

    // One invitee opens the link (credential issued) and answers; another only opens it.
    const leaders = await instrumentOf(server.ctx, "par-leaders-2022");
    const answering = await openInvitation(server, tokens[0]!);
    const answer = await server.api("/api/invitations/responses", {
      json: anonymousAnswer(answering, makeSubmission(leaders, "ignored", "ignored", seededRng(5), { channel: "invitation" }).answers),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    await openInvitation(server, tokens[1]!);

    await page.getByRole("button", { name: "Làm mới" }).click();
    await expect.poll(() => page.locator("#completion-total").textContent()).toBe("Đã mở 2/6 thư mời; đã nhận 1 phiếu.");
    // Per invitee only "opened": nothing says which of the two answered.
    const invitees = await page.locator("#invitees tbody tr").evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(invitees).toHaveLength(6);
    expect(invitees.filter((cells) => cells[4] === "Có")).toHaveLength(2);
    expect(await page.locator("#invitees thead").innerText()).not.toMatch(/trả lời/i);
    // Per group: invited, opened, responses received.
    const byGroup = await page.locator("#completion-groups tbody tr").evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(byGroup.map((cells) => cells[0])).toEqual(expect.arrayContaining(["Lãnh đạo cấp Sở", "Đại biểu HĐND tỉnh"]));
    expect(byGroup.reduce((sum, cells) => sum + Number(cells[1]), 0)).toBe(6);
    expect(byGroup.reduce((sum, cells) => sum + Number(cells[2]), 0)).toBe(2);
    expect(byGroup.reduce((sum, cells) => sum + Number(cells[3]), 0)).toBe(1);
    await screenshot(page, "admin-invitations");
  });

  it("creates an enumerator account with an area, revokes a device, disables and enables the account", async () => {
    await tab("Tài khoản").click();
    await page.locator("table.users").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("H2");
    await page.getByRole("button", { name: "Tạo tài khoản" }).click();
    await page.locator("#user-username").fill("dtv.hue");
    await page.locator("#user-display-name").fill("Điều tra viên Huế");
    expect(await page.locator("#user-role").inputValue()).toBe("enumerator");
    await page.locator("#user-password").fill("mat-khau-du-dai");
    await page.locator("#user-scope").fill("Phú Xuân");
    await page.locator("#user-scope-results button", { hasText: "Phường Phú Xuân" }).first().click();
    await page.locator("#new-user").getByRole("button", { name: "Tạo tài khoản" }).click();
    await expect.poll(() => page.locator(".notice.ok").textContent()).toBe("Đã tạo tài khoản “dtv.hue”.");
    const row = page.locator('tr[data-user="dtv.hue"]');
    await expect.poll(() => row.innerText()).toMatch(/Điều tra viên[\s\S]*Phường Phú Xuân[\s\S]*Đang hoạt động/);

    // The enumerator registers a tablet; the administrator sees it and revokes it.
    const enumerator = await server.signIn("dtv.hue", "mat-khau-du-dai");
    expect((await server.api("/api/devices", { json: { label: "Máy tính bảng 01" }, headers: enumerator })).status).toBe(201);
    await page.reload();
    await page.locator("table.devices").waitFor();
    await page.getByRole("button", { name: "Thu hồi: Máy tính bảng 01 (dtv.hue)" }).click();
    await dialogButton("Thu hồi").click();
    await expect.poll(() => page.locator(".notice.ok").textContent()).toBe("Đã thu hồi thiết bị “Máy tính bảng 01”.");
    await expect.poll(() => page.locator("table.devices tbody tr").innerText()).toMatch(/Đã thu hồi lúc/);

    await row.getByRole("button", { name: "Khóa: dtv.hue" }).click();
    await dialogButton("Khóa").click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Đã khóa");
    await row.getByRole("button", { name: "Mở khóa: dtv.hue" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Đang hoạt động");
    // No button to disable one's own account.
    expect(await page.locator('tr[data-user="quantri"] button').count()).toBe(0);
    await screenshot(page, "admin-accounts");
  });

  it("imports two villages from CSV and finds them", async () => {
    await tab("Đơn vị").click();
    await page.locator("#import-file").waitFor();
    const commune = server.ctx.units.childrenOf(DEMO_PROVINCE).find((u) => u.name === "Phú Xuân")!;
    const csv = `commune_code,village_code,name,type\n${commune.code},TDP01,Số 1,Tổ dân phố\n${commune.code},TDP02,Số 2,Tổ dân phố\n`;
    await page.locator("#import-file").setInputFiles({ name: "thon.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "Nhập", exact: true }).click();
    await expect.poll(() => page.locator(".notice.ok").textContent()).toBe("Đã thêm 2 đơn vị (0 đơn vị đã có từ trước).");

    await page.locator("#lookup-query").fill("to dan pho so");
    const found = () => page.locator("#unit-results tbody").innerText();
    await expect.poll(found).toContain("Tổ dân phố Số 1");
    expect(await found()).toContain("Tổ dân phố Số 2");
    expect(await found()).toContain("Phường Phú Xuân");
    await screenshot(page, "admin-units");
  });

  it("shows the audit log, newest first, and switches to English", async () => {
    await tab("Nhật ký").click();
    await page.locator("#audit-log tbody tr").first().waitFor();
    const actions = await page.locator("#audit-log tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-action")));
    for (const a of ["round.create", "round.open", "invitations.import", "invitations.export-links", "user.create", "device.revoke", "units.import"])
      expect(actions).toContain(a);
    expect(actions[0]).toBe("units.import");
    expect(actions.indexOf("units.import")).toBeLessThan(actions.indexOf("round.create"));
    expect(await page.locator("#audit-log tbody tr").first().innerText()).toMatch(/Nhập đơn vị/);
    await expect.poll(() => page.locator(".admin-main").innerText()).toContain("Đã hiển thị toàn bộ nhật ký.");
    await screenshot(page, "admin-audit");

    await page.getByRole("button", { name: "English" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Administration");
    await expect.poll(() => page.locator("#audit-log tbody tr").first().innerText()).toMatch(/Units imported/);
    await page.getByRole("button", { name: "Tiếng Việt" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Quản trị hệ thống");
  });

  it("reads well on a tablet", async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await tab("Đợt khảo sát").click();
    await page.locator("table.rounds").waitFor();
    await page.getByRole("button", { name: "Tạo đợt khảo sát mới" }).click();
    await page.locator("#round-id").waitFor();
    await screenshot(page, "admin-rounds-tablet");
    // Nothing wider than the screen but the tables' own scrolling regions.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(820);
    expect(errors).toEqual([]);
  });
});
