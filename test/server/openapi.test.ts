/**
 * The OpenAPI document: every route the Hono app registers under /api is in it (a new route without
 * an entry in server/api-docs/operations.ts fails here), no entry outlives its route, the
 * document's structure is sound (3.1, unique operation ids, every $ref resolves, access as
 * declared), its schemas are the ones that validate, and it is served, with a readable page, under
 * the strict Content-Security-Policy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, routeDeclarations } from "../../server/app.js";
import { buildOpenApiDocument, openApiPath, operationKey } from "../../server/api-docs/document.js";
import { OPERATIONS } from "../../server/api-docs/operations.js";
import { API_TOKEN_ROUTES } from "../../server/http/access.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const app = createApp({ settings: { clientDir: null } } as never);
const doc = buildOpenApiDocument(routeDeclarations(app));
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function operations(): Array<{ method: string; path: string; op: any }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ method, path, op })),
  );
}

describe("OpenAPI document", () => {
  it("lists every route the app registers under /api, and nothing else", () => {
    const registered = [
      ...new Set(app.routes.filter((r) => r.path.startsWith("/api/") && r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`)),
    ].sort();
    expect(registered.length).toBeGreaterThan(60);
    const documented = operations()
      .map(({ method, path }) => `${method} ${path}`)
      .sort();
    expect(documented).toEqual(registered);
  });

  it("describes every route in the reference table, and the table names no route that is gone", () => {
    const undocumented = operations()
      .filter(({ op }) => op["x-chiso-undocumented"])
      .map(({ op }) => op.summary);
    expect(undocumented, "add these routes to server/api-docs/operations.ts").toEqual([]);
    const keys = new Set(routeDeclarations(app).map((d) => operationKey(d.method, d.path)));
    expect(
      Object.keys(OPERATIONS).filter((k) => !keys.has(k)),
      "entries without a route",
    ).toEqual([]);
    expect(
      [...API_TOKEN_ROUTES].filter((k) => !keys.has(k)),
      "API token routes without a route",
    ).toEqual([]);
  });

  it("has a sound OpenAPI 3.1 structure", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const ids = operations().map(({ op }) => op.operationId as string);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      expect(op.summary, where).toMatch(/\S/);
      expect(op["x-chiso-summary"].vi, where).toMatch(/\S/);
      expect(op["x-chiso-summary"].en, where).toMatch(/\S/);
      expect(op["x-chiso-summary"].vi.normalize("NFC"), where).toBe(op["x-chiso-summary"].vi);
      expect(tags.has(op.tags[0]), where).toBe(true);
      expect(
        Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)),
        where,
      ).toBe(true);
      // Every {name} of the path is a required path parameter, and there is no other.
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(
        op.parameters.filter((p: any) => p.in === "path").map((p: any) => p.name),
        where,
      ).toEqual(names);
      expect(
        op.parameters.filter((p: any) => p.in === "path").every((p: any) => p.required),
        where,
      ).toBe(true);
      for (const s of op.security) for (const name of Object.keys(s)) expect(doc.components.securitySchemes, where).toHaveProperty(name);
    }
    // Every reference points at something that exists.
    const text = JSON.stringify(doc);
    const refs = [...new Set([...text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!))];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/([^/]+)$/.exec(ref) ?? [];
      expect(section, ref).toBeDefined();
      expect((doc.components as any)[section!][name!], ref).toBeDefined();
    }
  });

  it("states who may call each operation as the route declares it", () => {
    const byKey = new Map(routeDeclarations(app).map((d) => [`${d.method.toLowerCase()} ${openApiPath(d.path)}`, d]));
    for (const { method, path, op } of operations()) {
      const decl = byKey.get(`${method} ${path}`)!;
      expect(op["x-chiso-access"], `${method} ${path}`).toEqual(decl.access);
      if (decl.access === "public" || decl.access === "token") expect(op.security).toEqual([]);
      else expect(op.security).toContainEqual({ session: [] });
      const tokenReadable = API_TOKEN_ROUTES.has(operationKey(decl.method, decl.path));
      expect(op["x-chiso-api-token"]).toBe(tokenReadable);
      expect(op.security.some((s: object) => "apiToken" in s)).toBe(tokenReadable);
    }
    expect(doc.paths["/api/rounds/{id}/export/{layout}"]!.get!["x-chiso-api-token"]).toBe(true);
    expect(doc.paths["/api/rounds/{id}/targets"]!.put!["x-chiso-api-token"]).toBe(false);
  });

  it("carries the zod schemas that validate the requests", () => {
    const body = doc.paths["/api/api-tokens"]!.post!.requestBody as any;
    expect(body.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/NewApiToken" });
    // The component, read back as a validator, accepts and refuses what the server does.
    const schema = z.fromJSONSchema(doc.components.schemas.NewApiToken as never);
    expect(schema.safeParse({ label: "R", expiresInDays: 30 }).success).toBe(true);
    expect(schema.safeParse({ label: "R", expiresInDays: 366 }).success).toBe(false);
    expect(schema.safeParse({ label: "R" }).success).toBe(false);
    expect(schema.safeParse({ label: "R", expiresInDays: 30, extra: 1 }).success).toBe(false);
    const submission = doc.components.schemas.Submission as any;
    expect(submission.required).toEqual(expect.arrayContaining(["id", "instrument", "unit", "group", "answers"]));
    // A field with a default is optional for the client that writes it.
    expect(submission.required).not.toContain("channel");
    expect(doc.paths["/api/rounds/{id}/responses"]!.post!.requestBody).toMatchObject({
      content: { "application/json": { schema: { $ref: "#/components/schemas/Submission" } } },
    });
    // Answers are described by the same shared schemas the server types its replies with.
    const login = doc.paths["/api/auth/login"]!.post! as any;
    expect(login["x-chiso-schema-missing"]).toBeUndefined();
    expect(login.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Login" });
    expect(login.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/LoginReply" });
    const receipt = doc.paths["/api/rounds/{id}/responses"]!.post! as any;
    expect(receipt.responses["201"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Receipt" });
    expect((doc.components.schemas.Receipt as any).required).toEqual(["id", "receipt", "status"]);
    // Payloads without a shared schema say so rather than pretend.
    expect(doc.paths["/api/par/{round}/what-if"]!.post!["x-chiso-schema-missing"]).toEqual(["response"]);
  });
});

describe("served reference", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
  }, 60_000);
  afterAll(async () => server?.close());

  it("serves the document as JSON to anyone", async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const served = (await res.json()) as typeof doc;
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(doc.paths).sort());
    expect(served.paths["/api/openapi.json"]).toBeDefined();
  });

  it("serves a readable page under the strict policy: no script, no inline style, every operation listed", async () => {
    const res = await fetch(`${server.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<link rel="stylesheet" href="/api/docs/style.css">');
    expect(html.match(/<section class="op"/g)).toHaveLength(operations().length);
    expect(html).toContain("Tải dữ liệu hoặc kết quả");
    const css = await fetch(`${server.url}/api/docs/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
  });
});
