/**
 * Browser security headers over real HTTP on every kind of response (pages, API answers and errors,
 * static files), HSTS only when the public address is HTTPS, and a built client that the policy
 * does not break (no inline script, style or event handler in its HTML).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../server/config.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const DIST = path.resolve(process.env.CHISO_CLIENT_DIR ?? path.join(REPO_ROOT, "dist"));
const SUBRESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'";

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types chiso-service-worker",
].join("; ");

describe("browser security headers", () => {
  let server: TestServer;
  const publicUrl = process.env.CHISO_PUBLIC_URL;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST, "respond.html"))) throw new Error(`The built client is missing in ${DIST}: run \`npx vite build\` first.`);
    server = await startTestServer("sqlite", { clientDir: DIST });
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    if (publicUrl === undefined) delete process.env.CHISO_PUBLIC_URL;
    else process.env.CHISO_PUBLIC_URL = publicUrl;
  });

  const firstAsset = (ext: string) => {
    const file = fs.readdirSync(path.join(DIST, "assets")).find((f) => f.endsWith(ext));
    if (!file) throw new Error(`no ${ext} file in ${DIST}/assets`);
    return `/assets/${file}`;
  };

  /** One of each kind of response the server gives: the pages, API answers (2xx and errors) and static files. */
  const responses = async (): Promise<Array<[string, Response]>> => {
    const round = await server.createRound("sipas-2022");
    const requests: Array<[string, RequestInit?]> = [
      ["/"],
      [`/r/${round}`],
      ["/i/some-token"],
      ["/collect"],
      ["/dashboard"],
      ["/admin"],
      ["/api/health"],
      [`/api/rounds/${round}/form`],
      ["/api/no-such-route"],
      [`/api/rounds/${round}/responses`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }],
      ["/api/users"],
      [firstAsset(".js")],
      [firstAsset(".css")],
      ["/icon.svg"],
      ["/collect-sw.js"],
      ["/collect.webmanifest"],
      ["/no-such-file.png"],
      // HEAD carries the GET's headers too (a page and an API answer).
      ["/admin", { method: "HEAD" }],
      ["/api/health", { method: "HEAD" }],
    ];
    return Promise.all(requests.map(async ([url, init]) => [url, await fetch(server.url + url, init)] as [string, Response]));
  };

  it("sets the policy on pages, API answers and errors, and static files", async () => {
    const all = await responses();
    const statuses = Object.fromEntries(all.map(([url, res]) => [url, res.status]));
    // The list covers each kind: pages and files (200), API success, refusals and unknown paths.
    expect(Object.values(statuses)).toEqual(expect.arrayContaining([200, 400, 401, 404]));
    expect(statuses["/"]).toBe(200);
    expect(statuses["/icon.svg"]).toBe(200);
    // Headers a handler sets itself stay as they are.
    expect(all.find(([url]) => url.endsWith(".js"))![1].headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    for (const [url, res] of all) {
      const h = res.headers;
      // Documents and workers carry the whole policy; everything else the short one that forbids all.
      const document = (h.get("content-type") ?? "").startsWith("text/html") || url.endsWith("-sw.js");
      expect({ url, csp: h.get("content-security-policy") }).toEqual({ url, csp: document ? CSP : SUBRESOURCE_POLICY });
      expect({ url, coop: h.get("cross-origin-opener-policy") }).toEqual({ url, coop: document ? "same-origin" : null });
      expect({ url, frame: h.get("x-frame-options") }).toEqual({ url, frame: "DENY" });
      expect({ url, sniff: h.get("x-content-type-options") }).toEqual({ url, sniff: "nosniff" });
      expect({ url, referrer: h.get("referrer-policy") }).toEqual({ url, referrer: "no-referrer" });
      expect({ url, hsts: h.get("strict-transport-security") }).toEqual({ url, hsts: null });
      await res.arrayBuffer();
    }
  });

  it("sends Strict-Transport-Security only when the public address is HTTPS; a client's X-Forwarded-Proto does not turn it on", async () => {
    const forged = await fetch(`${server.url}/api/health`, { headers: { "x-forwarded-proto": "https" } });
    expect(forged.headers.get("strict-transport-security")).toBeNull();

    process.env.CHISO_PUBLIC_URL = "http://khaosat.example.vn";
    expect((await fetch(`${server.url}/api/health`)).headers.get("strict-transport-security")).toBeNull();

    process.env.CHISO_PUBLIC_URL = "https://khaosat.example.vn";
    for (const url of ["/", "/api/health", "/api/no-such-route", firstAsset(".js")]) {
      const res = await fetch(server.url + url);
      expect({ url, hsts: res.headers.get("strict-transport-security") }).toEqual({ url, hsts: "max-age=31536000" });
    }
  });

  it("serves HTML that needs nothing the policy forbids: no inline script, style element, style attribute or event handler", () => {
    const pages = fs.readdirSync(DIST).filter((f) => f.endsWith(".html"));
    expect(pages).toEqual(expect.arrayContaining(["index.html", "respond.html", "collect.html", "dashboard.html", "admin.html"]));
    for (const file of pages) {
      const html = fs.readFileSync(path.join(DIST, file), "utf8");
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length, file).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts) {
        expect({ file, src: /\bsrc=/.test(attrs!) }).toEqual({ file, src: true });
        expect({ file, body: body!.trim() }).toEqual({ file, body: "" });
      }
      expect({ file, style: /<style\b|\sstyle=|\son[a-z]+=|javascript:/i.test(html) }).toEqual({ file, style: false });
    }
  });
});
