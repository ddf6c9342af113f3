/**
 * A leader answers the PAR INDEX survey from an invitation link in Chromium at phone width: the
 * link carries the token in its fragment (/i/#…), the form is fixed to the group and province and
 * says truthfully what is and is not kept, the response is sent once with an anonymous credential,
 * and afterwards the browser keeps nothing that pairs the invitation with the response.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { chromiumAvailable, completeForm, launchBrowser, phoneContext, screenshot, startClientServer, storedResponses, watchErrors } from "./helpers.js";
import type { TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";

describe.skipIf(!chromiumAvailable)("invitation link in Chromium", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("an invitee answers once, anonymously; the browser then keeps nothing about the invitation", async () => {
    const round = await server.createRound("par-leaders-2022", { modes: ["invitation"], minCellSize: 3 });
    const agencies = demoUnits(server.ctx, "agency");
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const csv = `name,email,group,agency\nPhạm Văn Đức,duc@example.vn,so,${agencies[0]}\nLê Thị Mai,mai@example.vn,so,${agencies[1]}\nTrần Quốc Huy,huy@example.vn,so,${agencies[2]}\n`;
    const imported = await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: csv, headers: { ...headers, "content-type": "text/csv" } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const links = await (await fetch(`${server.url}/api/rounds/${round}/invitations/links.csv`, { headers })).text();
    const line = links.split(/\r?\n/).find((l) => l.includes("duc@example.vn"))!;
    const link = new URL(line.match(/https?:\/\/\S+\/i\/#[A-Za-z0-9_-]+/)![0]);
    const token = link.hash.slice(1);

    const context = await phoneContext(browser, server.url);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    await page.goto(`${link.pathname}${link.hash}`);
    await page.getByText("Kính gửi Phạm Văn Đức,").waitFor();
    await page.getByText(/chứng nhận ẩn danh, không kèm thư mời/).waitFor();
    await page.getByText(/không lưu cơ quan, tên, thời gian/).waitFor();
    await screenshot(page, "invitation-start-360");
    // The page fits the phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
    const answers = await completeForm(page);
    await page.getByTestId("receipt").waitFor();
    await screenshot(page, "invitation-receipt-360");

    const stored = [...(await storedResponses(server, round)).values()] as Array<Record<string, any>>;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.answers).toEqual(answers);
    expect(stored[0]!.channel).toBe("invitation");
    expect(stored[0]!.group).toBe("so");
    expect(server.ctx.units.getCached(stored[0]!.unit)?.level).toBe("province");
    expect(stored[0]!.startedAt).toBeUndefined();
    // No request ever carried the token in its address.
    expect(requested.filter((u) => u.includes(token))).toEqual([]);
    // After acknowledgement: nothing in the browser's storage holds the token, the credential or the receipt.
    const receipt = (await page.getByTestId("receipt").textContent())!.trim();
    const storage = await page.evaluate(() => JSON.stringify(Object.fromEntries(Object.entries(localStorage))));
    expect(storage).not.toContain(token);
    expect(storage).not.toContain(receipt);
    expect(storage).not.toMatch(/chiso\.invitation\.credential/);
    expect(storage).not.toMatch(/receipt/);

    // The same link in a new browser profile: the invitation was opened, and a second credential is refused.
    const other = await (await phoneContext(browser, server.url)).newPage();
    await other.goto(`${link.pathname}${link.hash}`);
    await other.getByText(/đã được mở trên một trình duyệt khác/).waitFor();
    await screenshot(other, "invitation-opened-elsewhere-360");
    expect(await server.count("responses")).toBe(1);
    expect(errors).toEqual([]);
  });
});
