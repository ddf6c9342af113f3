/**
 * Accessibility of the citizen, enumerator and staff pages in real Chromium: axe-core's WCAG 2.1 AA rules
 * on every main page and state at phone and desktop sizes, where keyboard focus lands after each
 * step, and what a screen reader receives from Chromium's accessibility tree.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { TestServer } from "../helpers/server.js";
import { demoUnits } from "../helpers/responses.js";
import { addDemoResponses } from "../../server/demo/seed.js";
import { findRound } from "../../server/rounds/repository.js";
import { ensureDemoParRound } from "../../server/par-index/demo.js";
import { REPO_ROOT } from "../../server/config.js";
import {
  answerPage,
  chromiumAvailable,
  completeForm,
  focused,
  launchBrowser,
  newContext,
  PHONE,
  pressNext,
  screenshot,
  startClientServer,
  storedResponses,
  watchErrors,
} from "./helpers.js";

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const DESKTOP = { width: 1280, height: 800 };

interface AxNode {
  id: string;
  parentId: string | undefined;
  role: string;
  name: string;
  description: string;
  value: string;
  properties: Record<string, unknown>;
}

/** Chromium's accessibility tree of the page (what TalkBack and other screen readers receive), ignored nodes left out. */
async function axTree(page: Page): Promise<AxNode[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as {
      nodes: Array<{
        nodeId: string;
        parentId?: string;
        ignored: boolean;
        role?: { value: string };
        name?: { value: string };
        description?: { value: string };
        value?: { value: unknown };
        properties?: Array<{ name: string; value: { value: unknown } }>;
      }>;
    };
    return nodes
      .filter((n) => !n.ignored)
      .map((n) => ({
        id: n.nodeId,
        parentId: n.parentId,
        role: n.role?.value ?? "",
        name: n.name?.value ?? "",
        description: n.description?.value ?? "",
        value: n.value?.value === undefined ? "" : String(n.value.value),
        properties: Object.fromEntries((n.properties ?? []).map((p) => [p.name, p.value.value])),
      }));
  } finally {
    await cdp.detach();
  }
}

/** The text a live region holds, as it would be announced: its text nodes, in order. */
function liveText(nodes: AxNode[], region: AxNode): string {
  const inside = (n: AxNode): boolean => n.parentId === region.id || nodes.some((p) => p.id === n.parentId && inside(p));
  return nodes
    .filter((n) => n.role === "StaticText" && inside(n))
    .map((n) => n.name)
    .join("");
}

/** The accessibility node of the focused element. */
async function focusedNode(page: Page): Promise<AxNode> {
  const nodes = await axTree(page);
  // The page itself counts as focused too; the element is the other one.
  const node = nodes.find((n) => n.properties.focused === true && n.role !== "RootWebArea");
  if (!node) throw new Error(`no focused node in the accessibility tree (focus: ${await focused(page)})`);
  return node;
}

describe.skipIf(!chromiumAvailable)("accessibility in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startClientServer(), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function open(viewport: { width: number; height: number }, url: string): Promise<{ page: Page; errors: string[] }> {
    const phone = viewport.width === PHONE.width;
    const context = await newContext(browser, {
      baseURL: server.url,
      viewport,
      locale: "vi-VN",
      ...(phone ? { deviceScaleFactor: 2, hasTouch: true, isMobile: true } : {}),
      serviceWorkers: "block",
    });
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(url);
    return { page, errors };
  }

  /**
   * axe-core's WCAG 2.1 A/AA rules on the page as it is. The pages' policy refuses scripts that are
   * not theirs (and Trusted Types guard the DOM sinks), so axe is evaluated through the DevTools
   * protocol, which the policy does not govern; it reads the DOM and writes none of those sinks.
   */
  async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
    if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
    const found = await page.evaluate(async (tags) => {
      const axe = (
        window as unknown as {
          axe: { run(ctx: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown[] }> }> }> };
        }
      ).axe;
      const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
      return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }, WCAG21AA);
    expect(found, `axe violations in ${state}`).toEqual([]);
  }

  /** Presses "retry now" if the form is waiting to retry (between tries it is not on screen). */
  async function retryNow(page: Page): Promise<void> {
    await page.evaluate(() => [...document.querySelectorAll("button")].find((b) => b.textContent === "Thử gửi lại ngay")?.click());
  }

  async function chooseUnit(page: Page, query = "thon mau 2 phong dien"): Promise<void> {
    await page.locator("#q-unit-in").fill(query);
    await page.locator(".result").first().click();
    await page.locator("#q-unit-chosen").waitFor();
  }

  for (const [size, viewport] of [
    ["360×740", PHONE],
    ["1280×800", DESKTOP],
  ] as const) {
    it(`axe finds no WCAG 2.1 AA violation on the respondent form's pages and states at ${size}`, async () => {
      const round = await server.createRound("sipas-2022");
      const { page, errors } = await open(viewport, `/r/${round}`);
      await page.locator("#q-unit-in").waitFor();
      await expectNoAxeViolations(page, "start page");

      // A slow search: "Đang tìm…" while it is pending, then the results.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await page.route("**/api/units?*", async (route) => {
        await held;
        await route.continue();
      });
      await page.locator("#q-unit-in").fill("thon mau");
      await expect.poll(() => page.locator("#q-unit-status").textContent()).toBe("Đang tìm…");
      await expectNoAxeViolations(page, "search pending");
      release();
      await page.locator(".result").first().waitFor();
      await expectNoAxeViolations(page, "search results");
      await page.unroute("**/api/units?*");

      // Refused start page: no unit, no group.
      await page.getByRole("button", { name: "Bắt đầu" }).click();
      await page.locator("#error-summary").waitFor();
      await expectNoAxeViolations(page, "start page refused");
      expect(await page.locator("#q-group").getAttribute("aria-invalid")).toBe("true");
      await chooseUnit(page);
      await expectNoAxeViolations(page, "unit chosen");
      await page.locator('#q-group input[value="citizen"]').check();
      await page.getByRole("button", { name: "Bắt đầu" }).click();
      await page.locator(".section-body").waitFor();
      await expectNoAxeViolations(page, "first section (rating grid)");
      // Headings go down one level at a time: the page's h1, then its grids' h2.
      const levels = await page.locator("main h1, main h2, main h3, main h4").evaluateAll((els) => els.map((e) => Number(e.tagName[1])));
      expect(levels[0]).toBe(1);
      for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
      await page.locator(".outside-scale").first().scrollIntoViewIfNeeded();
      await screenshot(page, `a11y-rating-${viewport.width}`, false);
      await page.locator("form button[type=submit]").click();
      await page.locator("#error-summary").waitFor();
      await expectNoAxeViolations(page, "first section refused");
      if (viewport === PHONE) await screenshot(page, "a11y-refused-360", false);

      // Sending while the server is unreachable: the retry notice and its countdown.
      await answerPage(page);
      let failing = true;
      await page.route("**/api/rounds/*/responses", (route) => (failing ? route.abort("connectionrefused") : route.continue()));
      await pressNext(page);
      for (;;) {
        await answerPage(page);
        const last = (await page.locator("form button[type=submit]").textContent()) === "Gửi phiếu";
        await page.locator("form button[type=submit]").click();
        if (last) break;
        await page.locator(".section-body").waitFor();
      }
      await page.getByTestId("countdown").waitFor();
      await expectNoAxeViolations(page, "sending, waiting to retry");
      failing = false;
      await retryNow(page);
      await page.getByTestId("receipt").waitFor();
      await expectNoAxeViolations(page, "receipt");
      if (viewport === PHONE) await screenshot(page, "a11y-receipt-360");

      await page.goto("/r/no-such-round");
      await page.locator(".notice.error").waitFor();
      await expectNoAxeViolations(page, "round not found");
      expect(errors).toEqual([]);
    });

    it(`axe finds no WCAG 2.1 AA violation in the enumerator app's setup, home and interview at ${size}`, async () => {
      const round = await server.createRound("sipas-2022");
      const enumerator = await server.createUser("enumerator");
      const { page, errors } = await open(viewport, "/collect");
      await page.locator("#setup-round").waitFor();
      await expectNoAxeViolations(page, "setup");
      await page.locator("#setup-round").fill(round);
      await page.locator("#setup-username").fill(enumerator.username);
      await page.locator("#setup-password").fill(enumerator.password);
      await page.getByRole("button", { name: "Tải về để dùng ngoại tuyến" }).click();
      await expect.poll(() => page.getByTestId("count-queued").textContent()).toBe("0");
      await expectNoAxeViolations(page, "home");
      await page.getByRole("button", { name: "Phỏng vấn mới" }).click();
      await page.locator("#q-unit-in").waitFor();
      await expectNoAxeViolations(page, "interview start");
      // Started without a unit or group: focus on the summary at the top, as in the respondent form.
      await page.getByRole("button", { name: "Bắt đầu" }).click();
      await expect.poll(() => focused(page)).toBe("error-summary");
      expect(await page.locator("#error-summary li").count()).toBe(2);
      await expectNoAxeViolations(page, "interview start refused");
      await chooseUnit(page, "thon mau 1 phu xuan");
      expect(await focused(page)).toBe("q-unit-chosen");
      await page.locator('#q-group input[value="citizen"]').check();
      await page.getByRole("button", { name: "Bắt đầu" }).click();
      await page.locator(".section-body").waitFor();
      await expectNoAxeViolations(page, "interview section");
      await page.locator("form button[type=submit]").click();
      await expect.poll(() => focused(page)).toBe("error-summary");
      await expectNoAxeViolations(page, "interview section refused");
      expect(errors).toEqual([]);
    });
  }

  /** A dashboard round with demo answers, made once for the staff pages' checks. */
  let staffRound: Promise<string> | undefined;
  function dashboardRound(): Promise<string> {
    staffRound ??= (async () => {
      const id = await server.createRound("sipas-2022");
      await addDemoResponses(server.ctx, (await findRound(server.ctx.db.kysely, id))!, 200, 7);
      await ensureDemoParRound(server.ctx, path.join(REPO_ROOT, "surveys"));
      // For the administration's invitations tab.
      await server.createRound("par-leaders-2022", { modes: ["invitation"] });
      return id;
    })();
    return staffRound;
  }

  async function signInStaff(page: Page, who: { username: string; password: string }): Promise<void> {
    await page.locator("#sign-in-user").fill(who.username);
    await page.locator("#sign-in-password").fill(who.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
  }

  /**
   * Sideways overflow of the page itself: none when the page is no wider than the window; else the
   * elements that stick out (outside the regions that scroll on their own), to say what to fix.
   */
  const pageOverflows = (page: Page) =>
    page.evaluate(() =>
      document.documentElement.scrollWidth <= window.innerWidth
        ? []
        : [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.parentElement?.closest(".table-wrap"))
            .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`),
    );

  for (const [size, viewport] of [
    ["360×740", PHONE],
    ["1280×800", DESKTOP],
  ] as const) {
    it(`axe finds no WCAG 2.1 AA violation on the dashboard's sign-in, results, breakdown, ranking and PAR INDEX views at ${size}`, async () => {
      const round = await dashboardRound();
      const analyst = await server.createUser("analyst");
      const { page, errors } = await open(viewport, `/dashboard#round=${round}&view=results`);
      await page.locator("#sign-in-user").waitFor();
      await expectNoAxeViolations(page, "dashboard sign-in");
      await signInStaff(page, analyst);
      await page.locator("table.tree tbody tr").first().waitFor();
      await expect.poll(() => page.locator("svg.vbar").count()).toBeGreaterThan(0);
      await expectNoAxeViolations(page, "results");
      expect(await pageOverflows(page)).toEqual([]);
      await page.selectOption("select[name=by]", "commune");
      await page.locator("table.breakdown tbody tr").first().waitFor();
      await expectNoAxeViolations(page, "breakdown");
      expect(await pageOverflows(page)).toEqual([]);
      await page.goto(`/dashboard#round=${round}&view=ranking&level=commune`);
      await page.reload();
      await page.locator("table.ranking tbody tr").first().waitFor();
      await expectNoAxeViolations(page, "ranking");
      await page.goto("/dashboard#round=par-index-2022-demo");
      await page.reload();
      await expect.poll(() => page.getByTestId("par-total").textContent()).toContain("86,55");
      await page.locator(".par-below li").first().waitFor();
      await expectNoAxeViolations(page, "PAR INDEX");
      expect(await pageOverflows(page)).toEqual([]);
      expect(errors).toEqual([]);
    });

    it(`axe finds no WCAG 2.1 AA violation on the administration's sign-in, rounds with the new-round form, accounts and invitations at ${size}`, async () => {
      await dashboardRound();
      const admin = await server.createUser("admin");
      const { page, errors } = await open(viewport, "/admin");
      await page.locator("#sign-in-user").waitFor();
      await expectNoAxeViolations(page, "admin sign-in");
      await signInStaff(page, admin);
      await page.locator("table.rounds").waitFor();
      await expectNoAxeViolations(page, "rounds");
      // The button that opens the form (its text changes once the form is open).
      const toggle = page.locator(".section-head:has(#new-round-title) button[aria-expanded]");
      // Closed, the form is not in the page: the button names nothing it does not have.
      expect(await toggle.getAttribute("aria-controls")).toBeNull();
      await toggle.click();
      await page.locator("#new-round").waitFor();
      expect(await toggle.getAttribute("aria-controls")).toBe("new-round");
      // The unit search names its results list only while there is one.
      expect(await page.locator("#round-scope").getAttribute("aria-controls")).toBeNull();
      await expectNoAxeViolations(page, "new-round form");
      await page.locator("#round-scope").fill("Huế");
      await page.locator("#round-scope-results button").first().waitFor();
      expect(await page.locator("#round-scope").getAttribute("aria-controls")).toBe("round-scope-results");
      await expectNoAxeViolations(page, "new-round form with unit results");
      await page.getByRole("button", { name: "Tạo đợt khảo sát", exact: true }).click();
      await page.locator("#new-round .has-error").first().waitFor();
      await expectNoAxeViolations(page, "new-round form refused");
      const tab = (name: string) => page.getByRole("navigation", { name: "Các mục quản trị" }).getByRole("link", { name });
      await tab("Tài khoản").click();
      await page.locator("table.users").waitFor();
      await expectNoAxeViolations(page, "accounts");
      await page.getByRole("button", { name: "Tạo tài khoản" }).click();
      await page.locator("#new-user").waitFor();
      await expectNoAxeViolations(page, "new-account form");
      await tab("Thư mời").click();
      await page.locator("#invitation-round").waitFor();
      await expectNoAxeViolations(page, "invitations");
      expect(errors).toEqual([]);
    });
  }

  it("at 200% zoom on a phone the staff sign-in pages, the dashboard and the administration do not scroll sideways", async () => {
    const round = await dashboardRound();
    const admin = await server.createUser("admin");
    /** Zoomed as a browser does with Ctrl + (CSS zoom through the CSSOM, which the pages' policy allows). */
    const zoom = (page: Page) => page.evaluate(() => void (document.documentElement.style.zoom = "2"));
    for (const [url, signedIn] of [
      ["/admin", "table.rounds"],
      [`/dashboard#round=${round}&view=results`, "table.tree tbody tr"],
    ] as const) {
      // Not a mobile viewport: a mobile one widens itself to fit what overflows, and would hide it.
      const context = await newContext(browser, { baseURL: server.url, viewport: PHONE, locale: "vi-VN", serviceWorkers: "block" });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(url);
      await page.locator("#sign-in-user").waitFor();
      await zoom(page);
      expect(await pageOverflows(page), `${url} sign-in overflows at 200%`).toEqual([]);
      await signInStaff(page, admin);
      await page.locator(signedIn).first().waitFor();
      await page.locator(".signed-in").first().waitFor();
      await zoom(page);
      expect(await pageOverflows(page), `${url} signed in overflows at 200%`).toEqual([]);
      if (url === "/admin") {
        for (const [name, shown] of [
          ["Tài khoản", "table.users"],
          ["Thư mời", "#invitees-file"],
        ] as const) {
          await page.getByRole("navigation", { name: "Các mục quản trị" }).getByRole("link", { name }).click();
          await page.locator(shown).waitFor();
          // Once what the tab loads has arrived.
          await expect.poll(() => pageOverflows(page), { message: `${name} overflows at 200%` }).toEqual([]);
        }
      } else {
        await page.goto("/dashboard#round=par-index-2022-demo");
        await page.reload();
        await page.getByTestId("par-total").waitFor();
        await zoom(page);
        expect(await pageOverflows(page), "PAR INDEX overflows at 200%").toEqual([]);
      }
    }
  });

  it("at 360 px the dashboard's wide tables scroll in named regions that the keyboard can reach", async () => {
    const round = await dashboardRound();
    const analyst = await server.createUser("analyst");
    const { page } = await open(PHONE, `/dashboard#round=${round}&view=results`);
    await signInStaff(page, analyst);
    await page.locator("table.tree tbody tr").first().waitFor();
    const wrap = page.locator(".table-wrap").first();
    expect(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    const region = (await axTree(page)).find((n) => n.role === "region" && n.name === "Kết quả khảo sát");
    expect(region).toBeDefined();
    // Tab reaches the region itself; the arrow keys then scroll it.
    await wrap.evaluate((el) => el.previousElementSibling?.querySelector<HTMLElement>("button:last-of-type")?.focus());
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.classList.contains("table-wrap"))).toBe(true);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => wrap.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  });

  it("axe finds no WCAG 2.1 AA violation on an invitation's pages at both sizes", async () => {
    const round = await server.createRound("par-leaders-2022", { modes: ["invitation"], minCellSize: 3 });
    const agency = demoUnits(server.ctx, "agency")[0]!;
    const admin = await server.createUser("admin");
    const headers = await server.signIn(admin.username, admin.password);
    // A cell (group × province) as large as the round's minimum: a smaller one is refused at import.
    const names = ["Phạm Văn Đức", "Hoàng Thị Én", "Võ Văn Giang"];
    const csv = `name,email,group,agency\n${names.map((n, i) => `${n},moi${i}@example.vn,so,${agency}`).join("\n")}\n`;
    const imported = await server.api(`/api/rounds/${round}/invitations`, { method: "POST", body: csv, headers: { ...headers, "content-type": "text/csv" } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const links = (await (await fetch(`${server.url}/api/rounds/${round}/invitations/links.csv`, { headers })).text()).split("\r\n");
    // The token stays in the fragment (/i/#…); each size opens its own invitation, as each is opened once.
    const linkOf = (name: string) => new URL(links.find((l) => l.startsWith(name))!.match(/https?:\/\/\S+\/i\/#[A-Za-z0-9_-]+/)![0]);
    for (const [viewport, name] of [
      [PHONE, names[0]!],
      [DESKTOP, names[1]!],
    ] as const) {
      const link = linkOf(name);
      const { page, errors } = await open(viewport, `${link.pathname}${link.hash}`);
      await page.getByText(`Kính gửi ${name},`).waitFor();
      await expectNoAxeViolations(page, `invitation start at ${viewport.width}`);
      await page.getByRole("button", { name: "Bắt đầu" }).click();
      await page.locator(".section-body").waitFor();
      await expectNoAxeViolations(page, `invitation section at ${viewport.width}`);
      await page.locator("form button[type=submit]").click();
      await page.locator("#error-summary").waitFor();
      await expectNoAxeViolations(page, `invitation section refused at ${viewport.width}`);
      expect(errors).toEqual([]);
    }
  });

  it("keyboard only: choosing a unit moves focus to the choice and announces it; a refused page focuses its error summary", async () => {
    const round = await server.createRound("sipas-2022");
    const { page } = await open(PHONE, `/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    // From the page's top, Tab reaches the search field (language toggle first).
    while ((await focused(page)) !== "q-unit-in") await page.keyboard.press("Tab");
    await page.keyboard.type("thon mau 2 phong dien");
    await page.locator(".result").first().waitFor();
    const input = (await axTree(page)).find((n) => n.role === "searchbox")!;
    expect(input.description).toContain("kết quả");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("result");
    const name = (await page.locator(".result span").first().textContent())!;
    await page.keyboard.press("Enter");
    // Focus is on the choice, not lost to the page, and the live region, still there, says what was chosen.
    await expect.poll(() => focused(page)).toBe("q-unit-chosen");
    const tree = await axTree(page);
    const regions = tree.filter((n) => n.role === "status" && n.properties.live === "polite");
    expect(regions.map((r) => liveText(tree, r))).toContain(`Đã chọn: ${name}`);
    expect(await page.locator("#q-unit-status").getAttribute("role")).toBe("status");

    // Tab onwards: "choose another unit", then the group; arrows pick a radio, Enter on "Start".
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("button:Chọn đơn vị khác");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe("q-group");
    while (!(await focused(page)).startsWith("button:Bắt đầu")) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.locator(".section-body").waitFor();
    expect(await focused(page)).toMatch(/^h1:/);

    // The page heading is described by where one is; the bar's value text says the same.
    const heading = await focusedNode(page);
    expect(heading.role).toBe("heading");
    // Progress is answers over the questions that apply (docs/decisions/0010-respondent-form-on-a-phone.md).
    expect(heading.description).toMatch(/^Đã trả lời 0\/\d+ câu$/);
    // The bar's value text says the same (the DOM attribute: Chromium's DevTools tree leaves it out).
    const bar = (await axTree(page)).find((n) => n.role === "progressbar")!;
    expect(bar.value).toBe("0");
    expect(await page.getByRole("progressbar").getAttribute("aria-valuetext")).toBe(heading.description);
    expect(await page.title()).toContain(heading.name);

    // "Next" with nothing answered: focus on the summary near the top, which names every problem.
    while (!(await focused(page)).startsWith("button:Tiếp theo")) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toBe("error-summary");
    const summary = await focusedNode(page);
    expect(summary.role).toBe("alert");
    const problems = await page.locator(".q.has-error").count();
    expect(problems).toBeGreaterThan(0);
    expect(summary.name).toBe(`Có ${problems} câu cần xem lại`);
    const links = (await axTree(page)).filter((n) => n.role === "link");
    expect(links.length).toBeGreaterThanOrEqual(problems);
    const summaryTop = await page.locator("#error-summary").evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    expect(summaryTop).toBeLessThan(PHONE.height);
    expect(await page.title()).toMatch(/^Lỗi: /);

    // Tab to its first link, Enter: focus on the question's radio, which itself carries the error.
    await page.keyboard.press("Tab");
    const firstWrong = await page.locator(".q.has-error").first().getAttribute("id");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest(".q")?.id)).toBe(firstWrong);
    const radio = await focusedNode(page);
    expect(radio.role).toBe("radio");
    expect(radio.properties.invalid).toBe("true");
    expect(radio.description).toContain(
      await page
        .locator(`#${firstWrong}-err`)
        .textContent()
        .then((t) => t!.replace("⚠ ", "").trim()),
    );
  });

  it("keyboard only: the whole SIPAS form is answered and submitted with Tab, Space, typing and Enter", async () => {
    const round = await server.createRound("sipas-2022");
    const { page, errors } = await open(PHONE, `/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    const press = async (key: string) => {
      await page.keyboard.press(key);
      presses++;
    };
    let presses = 0;
    while ((await focused(page)) !== "q-unit-in") await press("Tab");
    await page.keyboard.type("thon mau 1 phu xuan");
    await page.locator(".result").first().waitFor();
    await press("Tab");
    await press("Enter");
    await expect.poll(() => focused(page)).toBe("q-unit-chosen");
    await press("Tab");
    await press("Tab");
    await press("Space");
    while (!(await focused(page)).startsWith("button:Bắt đầu")) await press("Tab");
    await press("Enter");

    /** What has focus and what a keyboard user would do there. */
    const here = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        const q = el?.closest(".q");
        const required = Boolean(q?.querySelector(".req"));
        const inputs = q ? ([...q.querySelectorAll("input, textarea")] as HTMLInputElement[]) : [];
        return {
          tag: el?.tagName ?? "",
          type: el?.type ?? "",
          text: el?.tagName === "BUTTON" ? (el.textContent ?? "").trim() : "",
          heading: el?.tagName === "H1",
          required,
          answered: inputs.some((i) => (i.type === "radio" || i.type === "checkbox" ? i.checked : i.value !== "")),
          numeric: el?.inputMode === "numeric" || el?.inputMode === "decimal",
        };
      });
    let pages = 0;
    for (;;) {
      expect((await here()).heading).toBe(true);
      pages++;
      for (;;) {
        await press("Tab");
        const at = await here();
        if (at.tag === "BUTTON" && (at.text === "Tiếp theo" || at.text === "Gửi phiếu")) break;
        if (!at.required || at.answered) continue;
        if (at.type === "radio" || at.type === "checkbox") await press("Space");
        else if (at.tag === "INPUT" || at.tag === "TEXTAREA") await page.keyboard.type(at.numeric ? "40" : "Không có");
      }
      const last = (await here()).text === "Gửi phiếu";
      await press("Enter");
      if (last) break;
      // The next page opens with focus on its heading (not on a refused page's summary).
      await expect.poll(async () => (await here()).heading).toBe(true);
    }
    await page.getByTestId("receipt").waitFor();
    expect(await focused(page)).toMatch(/^h1:Cảm ơn/);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(presses).toBeGreaterThan(50);
    expect((await storedResponses(server, round)).size).toBe(1);
    expect(errors).toEqual([]);
  });

  it("keyboard only: an enumerator signs in, starts an interview, chooses a unit, answers every page and queues it, never losing focus", async () => {
    const round = await server.createRound("sipas-2022");
    const enumerator = await server.createUser("enumerator");
    const { page, errors } = await open(PHONE, "/collect");
    await page.locator("#setup-round").waitFor();
    const tabTo = async (target: string | RegExp) => {
      for (let i = 0; i < 80; i++) {
        const at = await focused(page);
        if (typeof target === "string" ? at === target : target.test(at)) return;
        await page.keyboard.press("Tab");
      }
      throw new Error(`Tab never reached ${String(target)} (focus: ${await focused(page)})`);
    };
    // Sign in and choose the round: typed into the setup form, Enter sends it.
    await tabTo("setup-round");
    await page.keyboard.type(round);
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("setup-username");
    await page.keyboard.type(enumerator.username);
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("setup-password");
    await page.keyboard.type(enumerator.password);
    await page.keyboard.press("Enter");
    await page.getByTestId("count-queued").waitFor();
    await expect.poll(() => focused(page)).toBe(`h1:Đợt thử ${round}`);

    // A new interview opens on its heading.
    await tabTo("button:Phỏng vấn mới");
    await page.keyboard.press("Enter");
    await page.locator("#q-unit-in").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("H1");

    // The unit: typed, Tab to the first result, Enter; focus on the choice.
    await tabTo("q-unit-in");
    await page.keyboard.type("thon mau 1 phu xuan");
    await page.locator(".result").first().waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("result");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toBe("q-unit-chosen");
    // The group by Space on its first radio, then "Start": the first page's heading.
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("button:Chọn đơn vị khác");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe("q-group");
    await tabTo(/^button:Bắt đầu/);
    await page.keyboard.press("Enter");
    await page.locator(".section-body").waitFor();

    /** What has focus and what a keyboard user would do there. */
    const here = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        const q = el?.closest(".q");
        const inputs = q ? ([...q.querySelectorAll("input, textarea")] as HTMLInputElement[]) : [];
        return {
          tag: el?.tagName ?? "",
          type: el?.type ?? "",
          text: el?.tagName === "BUTTON" ? (el.textContent ?? "").trim() : "",
          heading: el?.tagName === "H1",
          required: Boolean(q?.querySelector(".req")),
          answered: inputs.some((i) => (i.type === "radio" || i.type === "checkbox" ? i.checked : i.value !== "")),
          numeric: el?.inputMode === "numeric" || el?.inputMode === "decimal",
        };
      });
    const FINISH = "Hoàn tất, đưa vào hàng chờ gửi";
    let pages = 0;
    for (;;) {
      // Each page opens with focus on its heading, which says where one is.
      await expect.poll(async () => (await here()).heading).toBe(true);
      expect((await focusedNode(page)).description).toMatch(/^Phần \d+\/\d+$/);
      pages++;
      for (;;) {
        await page.keyboard.press("Tab");
        const at = await here();
        if (at.tag === "BUTTON" && (at.text === "Tiếp theo" || at.text === FINISH)) break;
        if (!at.required || at.answered) continue;
        if (at.type === "radio" || at.type === "checkbox") await page.keyboard.press("Space");
        else if (at.tag === "INPUT" || at.tag === "TEXTAREA") await page.keyboard.type(at.numeric ? "40" : "Không có");
      }
      const last = (await here()).text === FINISH;
      await page.keyboard.press("Enter");
      if (last) break;
    }
    // Queued: back on the list, focus on the round's heading (not on the page); online, it is then sent.
    // The notice says it was queued, and once the automatic sync has sent it, that it was sent
    // (the same live region; a fast sync may replace the first message before a poll sees it).
    await expect.poll(() => page.getByText(/^(Đã lưu phiếu vào hàng chờ gửi\.|Đã gửi 1 phiếu lên máy chủ\.)$/).count()).toBe(1);
    const counted = async () => Number(await page.getByTestId("count-queued").textContent()) + Number(await page.getByTestId("count-sent").textContent());
    await expect.poll(counted).toBe(1);
    await expect.poll(() => focused(page)).toBe(`h1:Đợt thử ${round}`);
    expect(pages).toBeGreaterThanOrEqual(4);
    await expect.poll(async () => (await storedResponses(server, round)).size).toBe(1);
    expect(errors).toEqual([]);
  });

  it("an offline unit search says so through a live region that describes the search field", async () => {
    const round = await server.createRound("sipas-2022");
    const { page } = await open(PHONE, `/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    await page.route("**/api/units?*", (route) => route.abort("internetdisconnected"));
    await page.locator("#q-unit-in").fill("thon mau");
    await expect.poll(() => page.locator("#q-unit-status").textContent()).toBe("Không có kết nối mạng để tìm đơn vị. Vui lòng thử lại.");
    const tree = await axTree(page);
    const field = tree.find((n) => n.role === "searchbox")!;
    expect(field.description).toContain("Không có kết nối mạng để tìm đơn vị.");
    const region = tree.find((n) => n.role === "status" && liveText(tree, n).startsWith("Không có kết nối mạng"));
    expect(region?.properties.live).toBe("polite");
    await expectNoAxeViolations(page, "search offline");
  });

  it("the accessibility tree tells the scale's points from “Không biết / Không áp dụng”, and reads the receipt by characters", async () => {
    const round = await server.createRound("sipas-2022");
    const { page } = await open(PHONE, `/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    await chooseUnit(page);
    await page.locator('#q-group input[value="citizen"]').check();
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();

    const rating = page.locator("fieldset.rating").first();
    const outside = rating.locator(".option.outside");
    expect(await outside.count()).toBeGreaterThan(0);
    // Visibly apart: below the scale's points, in their own box.
    const [lastPointBottom, firstOutsideTop] = await Promise.all([
      rating
        .locator(".options.scale .option")
        .last()
        .evaluate((el) => el.getBoundingClientRect().bottom),
      outside.first().evaluate((el) => el.getBoundingClientRect().top),
    ]);
    expect(firstOutsideTop).toBeGreaterThan(lastPointBottom);
    // Audibly apart: a group named "off the scale" around them, names distinct from every point.
    const tree = await axTree(page);
    const offScale = tree.filter((n) => n.role === "group" && n.name === "Ngoài thang điểm");
    expect(offScale.length).toBe(await page.locator("fieldset.rating").count());
    const outsideNames = await outside.locator("span").allTextContents();
    expect(outsideNames).toEqual(["Không biết", "Không áp dụng"]);
    const pointNames = await rating.locator(".options.scale .option span").allTextContents();
    for (const n of outsideNames) expect(pointNames).not.toContain(n);
    const radios = tree.filter((n) => n.role === "radio").map((n) => n.name);
    expect(radios).toContain("Không biết");
    expect(radios).toContain("Không áp dụng");

    await completeForm(page, { did_procedure: "no" });
    await page.getByTestId("receipt").waitFor();
    const code = (await page.getByTestId("receipt").textContent())!.trim();
    const spoken = (await axTree(page)).map((n) => n.name).find((n) => n.startsWith(code[0]! + " "));
    expect(spoken).toBe(
      code
        .split("-")
        .map((p) => [...p].join(" "))
        .join(", "),
    );
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByRole("button", { name: "Chép mã" }).click();
    await expect.poll(() => page.locator(".copy-row [role=status]").textContent()).toBe("Đã chép mã biên nhận.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
  });

  it("the retry notice is a live region present before its text, and its countdown counts", async () => {
    const round = await server.createRound("sipas-2022");
    const { page } = await open(PHONE, `/r/${round}`);
    await page.locator("#q-unit-in").waitFor();
    await chooseUnit(page);
    await page.locator('#q-group input[value="citizen"]').check();
    await page.getByRole("button", { name: "Bắt đầu" }).click();
    await page.locator(".section-body").waitFor();
    let failing = true;
    let answerSend!: () => void;
    const firstSend = new Promise<void>((r) => (answerSend = r));
    await page.route("**/api/rounds/*/responses", async (route) => {
      if (!failing) return route.continue();
      await firstSend;
      await route.abort("connectionrefused");
    });
    for (;;) {
      await answerPage(page, { did_procedure: "no" });
      const last = (await page.locator("form button[type=submit]").textContent()) === "Gửi phiếu";
      await page.locator("form button[type=submit]").click();
      if (last) break;
      await page.locator(".section-body").waitFor();
    }
    // While the first try is under way the region is already there, empty.
    await page.getByTestId("send-status").waitFor({ state: "attached" });
    expect(await page.getByTestId("send-status").getAttribute("role")).toBe("status");
    expect(await page.getByTestId("send-status").textContent()).toBe("");
    const region = await page.getByTestId("send-status").elementHandle();
    answerSend();
    await expect.poll(() => page.getByTestId("send-status").textContent()).toContain("Chưa gửi được phiếu");
    // The same element got the text: inserted anew it might not be announced.
    expect(await region!.evaluate((el) => el.isConnected)).toBe(true);
    // The waits grow (about 1, 2, 4 s…): once one is long enough, it is seen counting down.
    const seconds = () =>
      page.evaluate(() => {
        const text = document.querySelector("[data-testid=countdown]")?.textContent;
        return text ? Number(/\d+/.exec(text)![0]) : null;
      });
    await expect.poll(seconds, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    // Seen counting: two readings in a row where the second is lower. (A single first reading could
    // fall just as that wait ends, and the next wait starts higher.)
    let previous: number | null = null;
    await expect
      .poll(async () => {
        const now = await seconds();
        const fell = now !== null && previous !== null && now < previous;
        previous = now;
        return fell;
      })
      .toBe(true);
    failing = false;
    await retryNow(page);
    await page.getByTestId("receipt").waitFor();
  });

  it("after signing in to the enumerator app, focus is on the round's heading, not lost", async () => {
    const round = await server.createRound("sipas-2022");
    const enumerator = await server.createUser("enumerator");
    const { page } = await open(PHONE, "/collect");
    await page.locator("#setup-round").fill(round);
    await page.locator("#setup-username").fill(enumerator.username);
    await page.locator("#setup-password").fill(enumerator.password);
    await page.locator("#setup-password").press("Enter");
    await page.getByTestId("count-queued").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
    expect((await focusedNode(page)).name).toBe(`Đợt thử ${round}`);
  });
});
