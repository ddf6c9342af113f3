/**
 * A leader answers the PAR INDEX survey from an invitation link in Chromium: the agency and group
 * are fixed by the invitation, the response is stored once, and the link then says it was used.
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

  it("an invitee answers once; the link then tells them it was used", async () => {
    const round = await server.createRound("par-leaders-2022", { modes: ["invitation"] });
    const agency = demoUnits(server.ctx, "agency")[0]!;
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    const csv = `name,email,group,agency\nPhạm Văn Đức,duc@example.vn,so,${agency}\n`;
    expect((await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: csv, headers: { ...headers, "content-type": "text/csv" } })).status).toBe(201);
    const links = await (await fetch(`${server.url}/api/rounds/${round}/invitations/links.csv`, { headers })).text();
    const link = new URL(links.match(/https?:\/\/\S+\/i\/[A-Za-z0-9_-]+/)![0]);

    const context = await phoneContext(browser, server.url);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(link.pathname);
    await page.getByText("Kính gửi Phạm Văn Đức,").waitFor();
    await page.getByText(/không ai, kể cả người quản trị hệ thống/).waitFor();
    await screenshot(page, "invitation-start-360");
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
    const answers = await completeForm(page);
    await page.getByTestId("receipt").waitFor();

    const stored = [...(await storedResponses(server, round)).values()] as Array<Record<string, any>>;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.answers).toEqual(answers);
    expect(stored[0]!.channel).toBe("invitation");
    expect(stored[0]!.group).toBe("so");
    expect(stored[0]!.unit).toBe(agency);

    // Opening the link again, in a new browser profile, shows that it has been used.
    const other = await (await phoneContext(browser, server.url)).newPage();
    await other.goto(link.pathname);
    await other.getByText(/đã được dùng để trả lời/).waitFor();
    expect(errors).toEqual([]);
  });
});
